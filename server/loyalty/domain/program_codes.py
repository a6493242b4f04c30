"""Reading a program's qualifying UPC/SKU list from a CSV file (as exported from a spreadsheet or a
distributor's price list)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import ValidationFailed

MAX_CODES = 20000
UPC_RE = re.compile(r"^\d{6,14}$")
# A spreadsheet that turned a UPC into a number shows it like 6.49925E+11: the digits are lost.
SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?[eE]\+\d+$")


@dataclass
class CodeList:
    upcs: list = field(default_factory=list)
    skus: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (line number, value, why)


def parse_codes_csv(data: bytes) -> CodeList:
    """Codes from a CSV file. With a header naming ``upc`` and/or ``sku`` columns, those columns are read;
    without one, each row's first cell is a UPC when it is all digits and a SKU otherwise."""
    if b"\x00" in data:  # UTF-16 or a binary file (a spreadsheet saved as .xlsx, renamed)
        raise ValidationFailed(_("the file is not a text CSV file: save it as CSV (UTF-8)"),
                               fields={"file": [_("not text")]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationFailed(_("the file is not a text CSV file"), fields={"file": [_("not text")]}) from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValidationFailed(_("the file is not valid CSV: %(error)s", error=exc), fields={"file": [_("not CSV")]}
                               ) from None
    out = CodeList()
    if not rows:
        raise ValidationFailed(_("the file is empty"), fields={"file": [_("empty")]})
    header = [c.strip().lower() for c in rows[0]]
    columns = {name: header.index(name) for name in ("upc", "sku") if name in header}
    body = rows[1:] if columns else rows
    first_line = 2 if columns else 1
    seen = set()
    for number, row in enumerate(body, first_line):
        cells = [(kind, row[i]) for kind, i in columns.items() if i < len(row)] if columns else \
            [(None, row[0])] if row else []
        for kind, raw in cells:
            value = raw.strip().lstrip("'").strip()
            if not value:
                continue
            if SCIENTIFIC_RE.match(value):
                out.skipped.append((number, value, "a number in scientific notation: format the column as text"))
                continue
            if not value.isprintable():
                out.skipped.append((number, value[:64], "contains control characters"))
                continue
            if len(value) > 64:
                out.skipped.append((number, value[:64], "longer than 64 characters"))
                continue
            kind = kind or ("upc" if UPC_RE.match(value) else "sku")
            if (kind, value) not in seen:
                seen.add((kind, value))
                (out.upcs if kind == "upc" else out.skus).append(value)
    if len(out.upcs) + len(out.skus) > MAX_CODES:
        raise ValidationFailed(_("too many codes (at most %(max)s)", max=MAX_CODES), fields={"file": [_("too many codes")]})
    if not out.upcs and not out.skus:
        raise ValidationFailed(_("no UPC or SKU found in the file"), fields={"file": [_("no codes")]})
    return out
