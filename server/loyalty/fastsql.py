"""Pre-built SQL for the hot paths (commit, resolve, auth).

Measured (scripts/bench.py, docs/performance.md): peewee spends about 0.3 ms building the SQL of a query and
0.3 ms turning rows into models, ten times what SQLite takes to run it. A commit makes some twenty queries, so
the few queries on the register's paths are written here once, cached per statement shape, and their rows
become the same peewee model instances through the model's own field converters. Everything else uses peewee's
query builder as usual. Placeholders are written ``?`` and become ``%s`` on PostgreSQL.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from .db import database

# SQL text by statement shape. Some shapes depend on request data (IN-lists and multi-row INSERTs are one shape per
# length), so the cache is bounded: past MAX_STATEMENTS the oldest shape is dropped (rebuilding one costs a few
# microseconds). A register's paths use far fewer shapes than this, so it drops nothing in normal use.
MAX_STATEMENTS = 512
_sql_cache: dict = {}
_sql_cache_lock = threading.Lock()


def _placeholders(sql: str) -> str:
    param = database.param
    return sql if param == "?" else sql.replace("?", param)


def prepared(key, build) -> str:
    """The SQL text for ``key``, built once per database flavour by ``build()``."""
    k = (key, database.param)
    sql = _sql_cache.get(k)
    if sql is None:
        sql = _placeholders(build())
        with _sql_cache_lock:
            while len(_sql_cache) >= MAX_STATEMENTS:
                del _sql_cache[next(iter(_sql_cache))]  # the oldest (dicts keep insertion order)
            _sql_cache[k] = sql
    return sql


class _Never:
    """No value is of this type: a column whose every value goes through its converter."""


@lru_cache(maxsize=None)
def _layout(model):
    fields = model._meta.sorted_fields
    names = tuple(f.name for f in fields)
    converters = tuple(f.python_value for f in fields)
    cols = ", ".join(f'"{f.column_name}"' for f in fields)
    # the type a column's python_value gives back unchanged (text, integers), so hydrate can skip the call
    unchanged = tuple(_plain_type(f, "python_value") or _Never for f in fields)
    return names, converters, cols, unchanged


@lru_cache(maxsize=None)
def columns(model, qualified: bool = False) -> str:
    """The model's columns, quoted (``"table"."column"`` when ``qualified``, for joins), in the order ``hydrate``
    reads them."""
    if not qualified:
        return _layout(model)[2]
    table = model._meta.table_name
    return ", ".join(f'"{table}"."{f.column_name}"' for f in model._meta.sorted_fields)


def hydrate(model, row):
    """A model instance from a row, as ``model(__no_default__=True, **values)`` builds it (the same ``__data__``,
    ``_dirty`` and ``__rel__``) without a descriptor call per field: a third of the cost."""
    names, converters, _, unchanged = _layout(model)
    obj = model.__new__(model)
    obj.__data__ = {n: v if v is None or type(v) is t else c(v) for n, c, t, v in zip(names, converters, unchanged,
                                                                                       row)}
    obj._dirty = set(names)
    obj.__rel__ = {}
    return obj


def instance(model, values: dict):
    """``model(**values)`` (the same ``__data__``, ``_dirty`` and ``__rel__``) without a descriptor call per field:
    for values named by field, plain ones (an id, not a model instance, for a foreign key), e.g. a row just
    inserted."""
    obj = model.__new__(model)
    data = model._meta.get_default_dict()
    data.update(values)
    obj.__data__ = data
    obj._dirty = set(data)
    obj.__rel__ = {}
    return obj


def select(model, where: str, params=(), *, order: str = "", limit: int | None = None,
           for_update: bool = False) -> list:
    """Instances of ``model`` WHERE ``where`` (column names quoted by the caller, ``?`` placeholders)."""
    def build():
        cols = _layout(model)[2]
        sql = f'SELECT {cols} FROM "{model._meta.table_name}" WHERE {where}'
        if order:
            sql += f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        if for_update:
            sql += " FOR UPDATE"
        return sql

    sql = prepared(("select", model, where, order, limit, for_update), build)
    return [hydrate(model, row) for row in database.execute_sql(sql, tuple(params)).fetchall()]


def first(model, where: str, params=(), **kw):
    rows = select(model, where, params, limit=1, **kw)
    return rows[0] if rows else None


def rows(sql: str, params=()) -> list[tuple]:
    """Plain tuples for a fixed statement (aggregates, joins)."""
    return database.execute_sql(prepared(("raw", sql), lambda: sql), tuple(params)).fetchall()


def index_hint(name: str) -> str:
    """`` INDEXED BY "name"`` on SQLite (after a table name), nothing on PostgreSQL: for a query whose index
    SQLite's planner would miss on skewed statistics (a partial index with no rows yet, a column mostly NULL)."""
    return "" if database.param == "%s" else f' INDEXED BY "{name}"'


def in_list(n: int) -> str:
    return "(" + ", ".join("?" * n) + ")" if n else "(NULL)"


@lru_cache(maxsize=None)
def _insert_fields(model):
    return tuple(f for f in model._meta.sorted_fields if f is not model._meta.primary_key)


_MISSING = object()


def _plain_type(field, method="db_value"):
    """``str`` or ``int`` when the field's ``db_value`` (or ``python_value``) gives back a value of that type (and
    None) unchanged, so that ``insert`` (``hydrate``) can skip the call: peewee's own text and integer fields, and
    keys to an integer id. None for any other field (JSON, dates, decimals, booleans, a field that converts)."""
    from peewee import Field, ForeignKeyField, IntegerField, _StringField

    if isinstance(field, ForeignKeyField):
        return _plain_type(field.rel_field, method)
    kind = type(field)
    if getattr(kind, method) is not getattr(Field, method):
        return None
    return {_StringField.adapt: str, IntegerField.adapt: int}.get(kind.adapt)


def _key_value(db_value):
    def convert(value):  # a model instance given for a foreign key stands for its id
        return db_value(value.id if hasattr(value, "_meta") else value)
    return convert


@lru_cache(maxsize=None)
def _row_params(model):
    """``record -> tuple`` of an insert's parameters for one record, in ``_insert_fields`` order: a missing field
    takes its default, each value goes through its field's ``db_value`` except where that returns it unchanged
    (``_plain_type``). Written out as straight-line code once per model, because the same work as a loop over
    the fields was the largest Python cost of a commit's five inserts (about 170 values)."""
    from peewee import ForeignKeyField

    ns, lines, names = {"_MISSING": _MISSING}, ["def row(record):", "    get = record.get"], []
    for i, f in enumerate(_insert_fields(model)):
        v = f"v{i}"
        ns[f"d{i}"] = f.default
        ns[f"c{i}"] = _key_value(f.db_value) if isinstance(f, ForeignKeyField) else f.db_value
        lines.append(f"    {v} = get({f.name!r}, _MISSING)")
        lines.append(f"    if {v} is _MISSING: {v} = d{i}()" if callable(f.default) else
                     f"    if {v} is _MISSING: {v} = d{i}")
        plain = _plain_type(f)
        if plain is None:
            lines.append(f"    {v} = c{i}({v})")
        else:
            ns[f"p{i}"] = plain
            lines.append(f"    if {v} is not None and type({v}) is not p{i}: {v} = c{i}({v})")
        names.append(v)
    lines.append(f"    return ({', '.join(names)},)")
    exec("\n".join(lines), ns)  # the source holds field names and positions only; values are bound by name
    return ns["row"]


def insert(model, records: list[dict], *, ignore_conflicts: bool = False, returning=True, also=None) -> list:
    """Insert ``records`` (field names; missing fields take their defaults); the new ids in order (with
    ``returning="rows"``: the new rows as model instances, read back by the same statement). ``also``, with
    ``returning="rows"``: ``(sql, params)`` of more values the statement returns (a subquery, e.g.), each row then
    ``(instance, (value, ...))``: a read that rides on the insert."""
    if not records:
        return []
    fields = _insert_fields(model)
    also_sql, also_params = also or ("", ())

    def build():
        cols = ", ".join(f'"{f.column_name}"' for f in fields)
        one = "(" + ", ".join("?" * len(fields)) + ")"
        sql = f'INSERT INTO "{model._meta.table_name}" ({cols}) VALUES ' + ", ".join([one] * len(records))
        if ignore_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        if returning == "rows":
            sql += " RETURNING " + _layout(model)[2] + (", " + also_sql if also_sql else "")
        elif returning:
            sql += ' RETURNING "id"'
        return sql

    sql = prepared(("insert", model, len(records), ignore_conflicts, returning, also_sql), build)
    row = _row_params(model)
    params = [value for record in records for value in row(record)]
    params.extend(also_params)
    cursor = database.execute_sql(sql, params)
    if returning == "rows":
        if also_sql:
            n = len(_layout(model)[0])
            return [(hydrate(model, row[:n]), row[n:]) for row in cursor.fetchall()]
        return [hydrate(model, row) for row in cursor.fetchall()]
    return [row[0] for row in cursor.fetchall()] if returning else []


def update(model, pk: int, values: dict) -> None:
    """UPDATE one row by id with ``values`` (field names)."""
    meta = model._meta
    names = tuple(values)

    def build():
        sets = ", ".join(f'"{meta.fields[n].column_name}" = ?' for n in names)
        return f'UPDATE "{meta.table_name}" SET {sets} WHERE "id" = ?'

    sql = prepared(("update", model, names), build)
    params = [meta.fields[n].db_value(values[n]) for n in names] + [pk]
    database.execute_sql(sql, params)


def save(instance, *names) -> None:
    """Write the named fields of a model instance (a cheaper ``instance.save(only=...)``)."""
    update(type(instance), instance.id, {n: getattr(instance, n + "_id" if _is_fk(instance, n) else n)
                                         for n in names})


def _is_fk(instance, name) -> bool:
    return _fk_field(type(instance), name)


@lru_cache(maxsize=None)
def _fk_field(model, name) -> bool:
    from peewee import ForeignKeyField

    return isinstance(model._meta.fields[name], ForeignKeyField)


def execute(sql: str, params=()) -> int:
    """Run a fixed statement that returns no rows (an upsert); the number of rows it changed."""
    return database.execute_sql(prepared(("exec", sql), lambda: sql), tuple(params)).rowcount
