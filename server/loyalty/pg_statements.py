"""PostgreSQL: the statements a connection sends again and again are prepared on it once, and a transaction's
``BEGIN`` rides on its first statement.

psycopg2 sends every statement as text, so PostgreSQL parses, analyses and plans each one every time: measured on a
register's commit (15 statements), 4.7 ms of the server's CPU as text against 2.7 ms prepared (docs/performance.md,
"Fourth round"). So the second time a connection sends the same statement (the same text and the same Python types
of its parameters) it is ``PREPARE``d there, with the parameters typed as psycopg2 would send them (an ``int`` as
``bigint``, a ``Decimal`` as ``numeric``, a string or None left for PostgreSQL to infer, as it does with a quoted
literal), and from then on sent as ``EXECUTE name (values)``. A statement PostgreSQL will not prepare so (a type it
cannot infer, an unusual value type) is sent as text, as before, and not tried again on that connection.

``BEGIN`` and a ``SET LOCAL`` right after it cost a round trip each and answer nothing: they are sent with the
transaction's first statement instead (a transaction that sends none sends nothing).
"""
from __future__ import annotations

import datetime as dt
import decimal
import re

from peewee import __exception_wrapper__
from psycopg2 import Error as DriverError
from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INERROR, connection as _DriverConnection

# Past these, a connection forgets what it prepared (``DEALLOCATE ALL``) and starts again: statements whose text
# depends on the data (an IN list's length, a multi-row insert) are one shape per length.
MAX_PREPARED = 512
MAX_SEEN = 2048

# How psycopg2 sends each type (a typed literal, or a quoted string PostgreSQL types from its context).
_PARAM_TYPES = {
    bool: "boolean",
    int: "bigint",
    float: "numeric",  # psycopg2 writes a float as a numeric literal (2.5), not as a float8
    decimal.Decimal: "numeric",
    dt.date: "date",
    dt.time: "time",
    str: "unknown",
    type(None): "unknown",
}
_PREPARABLE = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%[s%]")


class Connection(_DriverConnection):
    """psycopg2's connection, with what this module keeps for it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lb_pending = None  # "BEGIN" (and any SET LOCAL after it) not sent yet
        self.lb_prepared = {}  # (sql, parameter types) -> "EXECUTE name (%s, ...)", or None: sent as text
        self.lb_seen = set()  # statements sent once as text on this connection
        self.lb_names = 0


def _param_type(value) -> str | None:
    kind = type(value)
    found = _PARAM_TYPES.get(kind)
    if found is None and kind is dt.datetime:
        return "timestamp" if value.tzinfo is None else "timestamptz"
    return found


def _numbered(sql: str) -> str:
    """psycopg2's ``%s`` placeholders as ``$1, $2, ...`` (and ``%%`` as ``%``) for ``PREPARE``."""
    n = 0

    def number(match):
        nonlocal n
        if match.group() == "%%":
            return "%"
        n += 1
        return f"${n}"

    return _PLACEHOLDER.sub(number, sql)


def _prepare(conn: Connection, sql: str, params) -> str | None:
    """``PREPARE`` ``sql`` on ``conn``; the ``EXECUTE`` text to send instead, or None if PostgreSQL refused it."""
    types = [_param_type(v) for v in params]
    if None in types or ";" in sql or "$" in sql or "%(" in sql or not _PREPARABLE.match(sql):
        return None
    reset = ""
    if len(conn.lb_prepared) >= MAX_PREPARED:
        reset = "DEALLOCATE ALL; "
        conn.lb_prepared.clear()
    conn.lb_names += 1
    name = f"lb_{conn.lb_names}"
    prepare = f"{reset}PREPARE {name}{' (' + ', '.join(types) + ')' if types else ''} AS {_numbered(sql)}"
    pending, conn.lb_pending = conn.lb_pending, None
    cursor = conn.cursor()
    with __exception_wrapper__:
        if pending is None and conn.get_transaction_status() == TRANSACTION_STATUS_IDLE:
            try:
                cursor.execute(prepare)  # outside a transaction a refusal costs nothing
            except DriverError:
                return None
        else:
            # A refusal inside a transaction would abort it: the savepoint takes the refusal alone.
            prefix = pending + "; " if pending else ""
            try:
                cursor.execute(f"{prefix}SAVEPOINT lb_prepare; {prepare}; RELEASE SAVEPOINT lb_prepare")
            except DriverError:
                if conn.get_transaction_status() == TRANSACTION_STATUS_IDLE:
                    raise  # the BEGIN itself failed: nothing to roll back to
                cursor.execute("ROLLBACK TO SAVEPOINT lb_prepare; RELEASE SAVEPOINT lb_prepare")
                return None
    return f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"


def statement(conn: Connection, sql: str, params) -> str:
    """The text to send for ``sql`` on ``conn``: ``EXECUTE`` of a statement prepared there, or ``sql`` itself."""
    if params is not None and not isinstance(params, (tuple, list)):
        return sql
    key = (sql, tuple(map(type, params))) if params else sql
    prepared = conn.lb_prepared
    try:
        found = prepared[key]
    except KeyError:
        seen = conn.lb_seen
        if key not in seen:  # prepare only what comes back: a one-off statement would cost a round trip more
            if len(seen) >= MAX_SEEN:
                seen.clear()
            seen.add(key)
            return sql
        if conn.get_transaction_status() == TRANSACTION_STATUS_INERROR:
            return sql  # an aborted transaction refuses everything: the statement's own error, as before
        seen.discard(key)
        found = prepared[key] = _prepare(conn, sql, params or ())
    return sql if found is None else found
