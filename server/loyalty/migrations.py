"""Schema evolution without losing data.

``create_tables`` makes any missing table; changes to existing tables are migrations: functions appended to
``MIGRATIONS`` that use peewee's ``playhouse.migrate`` (add a column, add an index, rename...). Each runs once,
in order, inside a transaction, and its number is recorded in ``schema_version``. Never edit a migration that has
shipped; add a new one. ``loyalty init-db`` (and ``serve``/``demo``) applies what is pending.
"""
from __future__ import annotations

from peewee import CharField, IntegerField
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from .db import database, is_postgres
from .models import BaseModel, JSONField, create_tables, utcnow
from peewee import DateTimeField


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


# Migration functions take a migrator and call playhouse.migrate.migrate(...) with its operations, e.g.
#   def m2_add_pet_names(migrator):
#       migrate(migrator.add_column("account", "pet_names", TextField(default="")))
def m1_program_kind(migrator):
    """Programs have a kind (punch cards until now) and the kind's own settings (points rules)."""
    migrate(migrator.add_column("program", "kind", CharField(max_length=20, default="punch")),
            migrator.add_column("program", "settings", JSONField(null=True)))


def m2_user_language(migrator):
    """The staff app's language a user chose (loyalty.i18n); None: the store's default."""
    migrate(migrator.add_column("user", "language", CharField(max_length=5, null=True)))


def m3_account_language(migrator):
    """The language of a customer's page and emails."""
    migrate(migrator.add_column("account", "language", CharField(max_length=5, default="en")))


def m4_pos_connection_system(migrator):
    """R-Series connections beside X-Series ones, and the per-connection "create customers in the POS"."""
    from peewee import BooleanField

    columns = {c.name for c in database.get_columns("pos_connection")}
    ops = []
    if "system" not in columns:
        ops.append(migrator.add_column("pos_connection", "system", CharField(max_length=20, default="lightspeed-x")))
    if "create_pos_customers" not in columns:
        ops.append(migrator.add_column("pos_connection", "create_pos_customers", BooleanField(default=False)))
    migrate(*ops)



def m5_user_session_gen(migrator):
    """Sign-out, a password change and a lock-out end a user's sessions on every device (issue 9)."""
    if "session_gen" not in {c.name for c in database.get_columns("user")}:  # tables made by create_tables have it
        migrate(migrator.add_column("user", "session_gen", IntegerField(default=0)))


def m6_card_complete_index(migrator):
    """An index on the complete cards alone: the register's answers read them without an account's history."""
    database.execute_sql('CREATE INDEX IF NOT EXISTS "card_complete" ON "card" ("account_id", "program_id", "seq") '
                         'WHERE "status" = \'complete\'')


MIGRATIONS: list = [m1_program_kind, m2_user_language, m3_account_language, m4_pos_connection_system,
                     m5_user_session_gen, m6_card_complete_index]


def migrator():
    return PostgresqlMigrator(database.obj) if is_postgres() else SqliteMigrator(database.obj)


def upgrade(migrations=None) -> list[int]:
    """Create missing tables, then run pending migrations; returns the versions applied now."""
    migrations = MIGRATIONS if migrations is None else migrations
    fresh = not database.table_exists("account")
    create_tables()
    database.create_tables([SchemaVersion], safe=True)
    if fresh:  # a new database already has the latest shape
        for n in range(1, len(migrations) + 1):
            SchemaVersion.get_or_create(version=n)
        return []
    done = {row.version for row in SchemaVersion.select()}
    applied = []
    for n, func in enumerate(migrations, 1):
        if n in done:
            continue
        with database.atomic():
            func(migrator())
            SchemaVersion.create(version=n)
        applied.append(n)
    return applied
