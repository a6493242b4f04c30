"""Report downloads: every table as CSV (``?format=csv``) and as an Excel workbook (``?format=xlsx``), from the
same rows and the same column list.

Columns carry a type, because stores open these files in Excel: a UPC or a phone is text (a UPC's leading zero
and a phone's format survive), a date is a date, a count is a number. Both formats stream: the CSV row by row,
the workbook through openpyxl's write-only mode (rows go to a temporary file, not to memory).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from flask import Response, send_file, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..errors import ValidationFailed
from ..i18n import column_headers

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"text": "@", "int": "0", "money": "0.00", "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}


@dataclass(frozen=True)
class Column:
    key: str
    kind: str = "text"  # text | int | money | datetime | date
    width: int = 14


def wanted_format(value: str | None) -> str | None:
    """``None`` for the HTML page; 'csv' or 'xlsx'; a clear 422 for anything else."""
    if not value:
        return None
    if value not in FORMATS:
        raise ValidationFailed(_("format must be csv or xlsx"), fields={"format": [_("csv or xlsx")]})
    return value


def table_response(fmt: str, sheets: list[tuple[str, list[Column], object]], filename: str) -> Response:
    """``sheets`` is [(title, columns, rows)], rows being dicts (a generator is fine). A CSV has the first sheet
    only; a workbook has one worksheet per sheet."""
    if fmt == "xlsx":
        return _xlsx_response(sheets, filename + ".xlsx")
    columns, rows = sheets[0][1:]
    return _csv_response(rows, columns, filename + ".csv")


def _csv_response(rows, columns: list[Column], filename: str) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(column_headers([c.key for c in columns]))
        for row in rows:
            writer.writerow([csv_cell(row.get(c.key), c.kind) for c in columns])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_cell(value, kind: str = "text") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal) and kind == "money":
        return f"{value:.2f}"
    return _defuse(str(value))


def _defuse(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: a customer's name must never run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _xlsx_response(sheets, filename: str) -> Response:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for i, column in enumerate(columns):
            sheet.column_dimensions[_letter(i)].width = column.width
        header = []
        for column, title in zip(columns, column_headers([c.key for c in columns])):
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([xlsx_cell(sheet, row.get(c.key), c.kind) for c in columns])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spool)
    spool.seek(0)
    return send_file(spool, mimetype=XLSX_MIME, as_attachment=True, download_name=filename)


def xlsx_cell(sheet, value, kind: str):
    """A typed cell: text stays text (never a formula, never a number), numbers and dates are typed."""
    if value is None or value == "":
        return None
    if kind == "text":
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"  # openpyxl reads a leading '=' as a formula: a name or a note must stay text
    elif kind in ("int", "money"):
        cell = WriteOnlyCell(sheet, value=int(value) if kind == "int" else Decimal(value))
    elif kind == "datetime":
        cell = WriteOnlyCell(sheet, value=value)
    elif kind == "date":
        cell = WriteOnlyCell(sheet, value=value.date() if isinstance(value, dt.datetime) else value)
    else:
        raise ValueError(kind)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
