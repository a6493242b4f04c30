"""The program catalog (programs, their qualifying codes, points rewards) kept per process between sales.

Every preview and commit read the programs a sale's codes qualify for, the active points programs and their
rewards: three statements and a few dozen model fields each time, for rows that change a few times a year. They are
now kept in this process and used again while ``catalog_version`` holds the same value. Triggers in the database
give that row a new random value on every insert, update, delete (and, on PostgreSQL, truncate) of ``program``,
``program_code`` and ``points_reward``, from whatever process, connection or tool writes them, so an edit is seen
by the next preview or commit of every process. A random value, never a counter: a transaction that changed the
catalog and rolled back must not leave a value that a later, different change could take again.

The version is read once per preview or commit (while ``sale_memo()`` is open), before anything is taken from the
copy, and what a copy holds was read after its version was: a copy is never older than its version. Outside a
sale's memo nothing is kept (the staff pages read as before).
"""
from __future__ import annotations

import threading

from .. import fastsql
from ..db import database, is_postgres
from ..models import after_create_tables
from .base import memo_slot

TABLES = ("program", "program_code", "points_reward")
TRIGGER = "loyalty_catalog_changed"
# A process keeps at most this many product codes' programs (codes that qualify for nothing included); past it
# the codes are read again as sales bring them.
MAX_CODES = 50_000

_copy = {"version": None, "entries": {}}
_copy_lock = threading.Lock()


@after_create_tables
def install():
    """The version row and its triggers (idempotent: run by every ``create_tables``), then a new version, so a
    process that kept a copy of tables dropped and made again does not use it."""
    if is_postgres():
        database.execute_sql('CREATE TABLE IF NOT EXISTS "catalog_version" ("id" INTEGER PRIMARY KEY, '
                             '"version" BIGINT NOT NULL)')
        # Made once (not replaced at each start: two processes replacing it at once can fail)
        if database.execute_sql("SELECT to_regprocedure(%s)", (f'"{TRIGGER}"()',)).fetchone()[0] is None:
            database.execute_sql(f'CREATE OR REPLACE FUNCTION "{TRIGGER}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
                                 f'BEGIN UPDATE "catalog_version" SET "version" = {_RANDOM_PG}; RETURN NULL; END $$')
        have = {name for (name,) in database.execute_sql(
            'SELECT "c"."relname" FROM "pg_trigger" "t" JOIN "pg_class" "c" ON "c"."oid" = "t"."tgrelid" '
            'WHERE "t"."tgname" = %s AND "c"."relnamespace" = current_schema()::regnamespace', (TRIGGER,))}
        for table in TABLES:
            if table not in have and database.table_exists(table):
                database.execute_sql(f'CREATE TRIGGER "{TRIGGER}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON '
                                     f'"{table}" FOR EACH STATEMENT EXECUTE FUNCTION "{TRIGGER}"()')
        database.execute_sql(f'INSERT INTO "catalog_version" ("id", "version") VALUES (1, {_RANDOM_PG}) '
                             'ON CONFLICT ("id") DO NOTHING')
    else:
        database.execute_sql('CREATE TABLE IF NOT EXISTS "catalog_version" ("id" INTEGER PRIMARY KEY, '
                             '"version" INTEGER NOT NULL)')
        for table in TABLES:
            if not database.table_exists(table):
                continue
            for op in ("INSERT", "UPDATE", "DELETE"):
                database.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{op.lower()}" AFTER {op} ON '
                                     f'"{table}" BEGIN UPDATE "catalog_version" SET "version" = random(); END')
        database.execute_sql('INSERT OR IGNORE INTO "catalog_version" ("id", "version") VALUES (1, random())')
    database.execute_sql(f'UPDATE "catalog_version" SET "version" = {_RANDOM_PG if is_postgres() else "random()"}')


_RANDOM_PG = "floor(random() * 9007199254740991)::bigint"


# The version as a column of another statement the sale makes first (the POS link's): see version_wanted.
VERSION_COLUMN = ', (SELECT "version" FROM "catalog_version" WHERE "id" = 1)'


def version():
    """The catalog's version for the preview or commit under way (read once); None outside a sale's memo."""
    memo = memo_slot("catalog")
    if memo is None:
        return None
    if "version" not in memo:
        found = fastsql.rows('SELECT "version" FROM "catalog_version" WHERE "id" = 1')
        memo["version"] = found[0][0] if found else None
    return memo["version"]


def version_wanted() -> bool:
    """Whether a statement made now may bring the version (``VERSION_COLUMN``, then ``note_version``): in a
    sale's memo that has not read it yet, so before anything was taken from the copy."""
    memo = memo_slot("catalog")
    return memo is not None and "version" not in memo


def note_version(value):
    memo = memo_slot("catalog")
    if memo is not None and "version" not in memo:
        memo["version"] = value


def entries(v) -> dict:
    """This process's copy for version ``v`` (a new, empty one when the copy is of another version)."""
    global _copy
    copy = _copy
    if copy["version"] != v:
        with _copy_lock:
            copy = _copy
            if copy["version"] != v:
                copy = _copy = {"version": v, "entries": {}}
    return copy["entries"]


def shared(key, compute):
    """``compute()``'s value for the current catalog version, computed once per process; computed every time
    outside a sale's memo. Callers must not change what it returns."""
    v = version()
    if v is None:
        return compute()
    found = entries(v)
    if key not in found:
        found[key] = compute()
    return found[key]


def shared_dict(key) -> dict | None:
    """A dict kept under ``key`` for the current catalog version (filled by the caller), or None outside a sale's
    memo."""
    v = version()
    if v is None:
        return None
    return entries(v).setdefault(key, {})
