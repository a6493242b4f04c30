"""PostgreSQL's prepared statements and the BEGIN that rides on a transaction's first statement (pg_statements.py):
the same answers and the same transactions as statements sent as text."""
from __future__ import annotations

import os
from decimal import Decimal

import pytest

from builders import make_app
from loyalty.db import database, write_transaction

pytestmark = pytest.mark.skipif(not os.environ.get("LOYALTY_TEST_POSTGRES_URL"),
                                reason="PostgreSQL only (set LOYALTY_TEST_POSTGRES_URL)")


@pytest.fixture
def pg(pg_schema_url):
    app = make_app(pg_schema_url)
    with app.app_context():
        database.connect(reuse_if_open=True)
        database.execute_sql('CREATE TABLE IF NOT EXISTS "prep_probe" ("id" serial PRIMARY KEY, "n" integer, '
                             '"at" timestamp)')
        database.execute_sql('TRUNCATE "prep_probe"')
        yield database
        database.execute_sql('DROP TABLE "prep_probe"')
        database.close()
    database.obj.close_all()


def prepared_here():
    """The statements prepared on this connection (pg_prepared_statements is per session)."""
    return [row[0] for row in database.execute_sql(
        "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'lb\\_%%'").fetchall()]


def test_a_statement_sent_again_is_prepared_and_answers_the_same(pg):
    sql = 'SELECT "n" + %s, %s FROM "prep_probe" WHERE "id" = %s OR %s LIKE \'a%%\''
    pg.execute_sql('INSERT INTO "prep_probe" ("n") VALUES (%s)', (40,))
    answers = [pg.execute_sql(sql, (2, "x", 1, "b")).fetchall() for _ in range(3)]
    assert answers == [[(42, "x")]] * 3
    assert any('"n" + $1' in text and "LIKE 'a%'" in text for text in prepared_here())
    # the same text with other Python types is another statement, and answers as text would (a float is sent
    # as a numeric literal, so the sum comes back a Decimal either way)
    answers = [pg.execute_sql(sql, (2.5, None, 1, "a")).fetchall() for _ in range(3)]
    assert answers == [[(Decimal("42.5"), None)]] * 3
    assert {type(rows[0][0]) for rows in answers} == {Decimal}


def test_a_statement_postgresql_cannot_prepare_is_sent_as_text_without_harming_the_transaction(pg):
    # psycopg2 writes 2 as an integer literal, which repeat() takes; a parameter prepared as bigint it refuses
    sql = 'UPDATE "prep_probe" SET "n" = "n" + length(repeat(\'ab\', %s)) RETURNING "n"'
    with write_transaction():
        pg.execute_sql('INSERT INTO "prep_probe" ("n") VALUES (%s)', (1,))
        assert [pg.execute_sql(sql, (2,)).fetchone()[0] for _ in range(3)] == [5, 9, 13]
        pg.execute_sql('INSERT INTO "prep_probe" ("n") VALUES (%s)', (100,))  # still in a live transaction
    assert pg.execute_sql('SELECT "n" FROM "prep_probe" ORDER BY "id"').fetchall() == [(13,), (100,)]
    assert not any("repeat" in text for text in prepared_here())


def test_a_rolled_back_transaction_of_prepared_statements_leaves_nothing(pg):
    insert = 'INSERT INTO "prep_probe" ("n", "at") VALUES (%s, %s) RETURNING "id"'
    import datetime as dt

    pg.execute_sql(insert, (1, dt.datetime(2026, 1, 1)))
    with pytest.raises(RuntimeError):
        with write_transaction():
            for n in range(2, 5):
                pg.execute_sql(insert, (n, dt.datetime(2026, 1, n)))
            raise RuntimeError("the register's sale failed half way")
    assert pg.execute_sql('SELECT "n", "at" FROM "prep_probe"').fetchall() == [(1, dt.datetime(2026, 1, 1))]
    assert any(' AS INSERT INTO "prep_probe"' in text for text in prepared_here())


def test_set_local_rides_with_begin_and_ends_with_the_transaction(pg):
    show = "SELECT current_setting('synchronous_commit')"
    with write_transaction():
        pg.execute_sql("SET LOCAL synchronous_commit = off")
        assert pg.execute_sql(show).fetchone()[0] == "off"
        assert pg.execute_sql("SELECT now() = statement_timestamp()").fetchone()[0] is False  # one transaction
    assert pg.execute_sql(show).fetchone()[0] == "on"
    with write_transaction():  # a transaction that sends nothing sends no BEGIN and no COMMIT
        pg.execute_sql("SET LOCAL synchronous_commit = off")
    assert pg.execute_sql(show).fetchone()[0] == "on"
    assert database.connection().get_transaction_status() == 0  # idle: nothing left open


def test_in_an_aborted_transaction_a_statement_fails_with_its_own_error(pg):
    from peewee import InternalError, ProgrammingError

    sql = 'SELECT "n" FROM "prep_probe" WHERE "id" = %s'
    pg.execute_sql(sql, (1,))  # seen once: the next sending would prepare it
    with pytest.raises(InternalError, match="current transaction is aborted"):  # not a word of a savepoint
        with write_transaction():
            with pytest.raises(ProgrammingError):
                pg.execute_sql('SELECT "no_such_column" FROM "prep_probe"')
            pg.execute_sql(sql, (1,))
    assert pg.execute_sql(sql, (1,)).fetchall() == []  # and it is prepared on a later sending
    assert any('"id" = $1' in text for text in prepared_here())
