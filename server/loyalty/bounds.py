"""Input bounds every route shares, so hostile input is a 4xx and never reaches a driver that would crash on it.

- Ids: the databases' integer ids are 32-bit on PostgreSQL and 64-bit on SQLite; a larger number in a path or a
  body must be a 404/422, not an OverflowError. Routes use ``<id:name>`` (``IdConverter``), schemas ``IdField``.
- NUL characters: PostgreSQL text cannot hold U+0000 (psycopg2 raises ValueError). ``refusal`` finds one in
  text; the app refuses them in paths, query strings and forms, ``loads`` in JSON (API bodies, webhooks).
- Nesting: Python's json module recurses, so ``[[[[...]]]]`` 100 000 deep is a RecursionError. ``loads`` turns
  that, and anything nested deeper than ``MAX_DEPTH``, into InputRefused.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

from .errors import LoyaltyError

MAX_ID = 2**31 - 1  # PostgreSQL's integer column; SQLite's is larger, so this bound fits both
MAX_DEPTH = 32  # a sale is 4 levels deep; nothing a register or Lightspeed sends comes close


def up_to_regex(limit: int) -> str:
    """A regular expression for the decimal numbers 1 to ``limit`` (no leading zeros)."""
    digits = str(limit)
    parts = [r"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            parts.append(digits[:i] + f"[{low}-{int(d) - 1}]" + (r"\d{%d}" % rest if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive row id that fits the database's integer column; any other number is a 404.
    The bound is in the regex, not in ``to_python``: werkzeug answers a value the converter refuses with a 405
    when another route on the same path takes a different method."""

    regex = up_to_regex(MAX_ID)

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def IdField(**kwargs) -> fields.Int:  # noqa: N802  (reads as a field class in schemas)
    """A row id in a JSON body: a strict integer from 1 to MAX_ID (422 otherwise)."""
    return fields.Int(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Every string a schema loads: no NUL (U+0000). A validator, so the 422 names the field and the OpenAPI document
# states the rule as a pattern (schemas.Base adds it to each string field).
NO_NUL = validate.Regexp(r"^[^\x00]*$", error=_l("must not contain a NUL character (U+0000)"))


def string_fields(field):
    """``field`` and the string fields inside it (a list's items, a dict's keys and values)."""
    if isinstance(field, fields.String):
        yield field
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None)):
        if inner is not None:
            yield from string_fields(inner)


class InputRefused(LoyaltyError):
    """Input no route accepts (too deep, a NUL character): a 400 ``bad_request``, JSON or a page like any error."""
    status = 400
    code = "bad_request"


def refusal(value, max_depth: int = MAX_DEPTH, check_nul: bool = True) -> str | None:
    """Why a parsed JSON value is refused (nested too deep, a NUL character in a string or key), or None.
    Iterative, so a deep value cannot overflow the stack here."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if check_nul and "\x00" in item:
                return _("the JSON holds a NUL character (\\u0000)")
        elif isinstance(item, (dict, list)):
            if depth >= max_depth:
                return _("the JSON is nested more than %(num)d levels deep", num=max_depth)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def has_nul(text: str | None) -> bool:
    return text is not None and "\x00" in text


def _surely_fine(text: str | bytes, nul_ok: bool) -> bool:
    """Whether the raw text alone shows that ``refusal`` would find nothing, so the parsed value need not be
    walked (a register's sale is about ten containers): no more opening brackets than MAX_DEPTH (each container
    takes one, so none can be nested deeper) and, when NUL matters, no ``\\u0000`` escape (the parser refuses a
    raw NUL inside a string). Bytes holding a zero byte are UTF-16 or UTF-32 and always walked; an escaped
    backslash before ``u0000``, or brackets inside strings, only mean the walk runs."""
    if isinstance(text, str):
        opens, escape = text.count("[") + text.count("{"), "\\u0000"
    else:
        if b"\x00" in text:  # UTF-16 or UTF-32, which json.loads also reads: walk it
            return False
        opens, escape = text.count(b"[") + text.count(b"{"), b"\\u0000"
    return opens <= MAX_DEPTH and (nul_ok or escape not in text)


def loads(text: str | bytes, *, nul_ok: bool = False):
    """``json.loads`` for untrusted text: InputRefused when nested too deep or (unless ``nul_ok``: a schema checks
    the fields it keeps) holding a NUL character; ValueError when not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:  # the C parser stops at the interpreter's recursion limit
        raise InputRefused(_("the JSON is nested more than %(num)d levels deep", num=MAX_DEPTH)) from None
    if _surely_fine(text, nul_ok):
        return value
    reason = refusal(value, check_nul=not nul_ok)
    if reason:
        raise InputRefused(reason)
    return value
