"""scripts/bench.py seeds by dropping every loyalty table first: it must refuse a store's database."""
import importlib.util
import os
import subprocess
import sys

import peewee
import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "scripts", "bench.py")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _db(tmp_path, *tables):
    db = peewee.SqliteDatabase(str(tmp_path / "x.sqlite3"))
    for t in tables:
        db.execute_sql(f"CREATE TABLE {t} (id INTEGER PRIMARY KEY)")
    return db


def test_a_database_with_a_stores_accounts_is_refused(bench, tmp_path):
    db = _db(tmp_path, "account", "sale")
    with pytest.raises(SystemExit) as refused:
        bench.refuse_a_store_database(db)
    assert "did not create" in str(refused.value) and "--db" in str(refused.value)
    assert set(db.get_tables()) == {"account", "sale"}  # nothing dropped


def test_an_empty_database_or_one_the_bench_seeded_is_seeded(bench, tmp_path):
    bench.refuse_a_store_database(_db(tmp_path))
    bench.refuse_a_store_database(_db(tmp_path, "account", bench.MARKER))


def test_the_seeded_database_has_every_table_of_the_app(bench, tmp_path):
    """Every feature's tables (the outbox's bounces, member cards...), not only those imported by the seeding code:
    a commit that queues an email read a table the seed had not made (500 in profile_commit.py's runs)."""
    import sqlite3

    from loyalty.models import ALL_MODELS

    path = tmp_path / "bench.sqlite3"
    seeding = (f"import sys; sys.path[:0] = [{os.path.dirname(BENCH)!r}]; import bench; "
               f"bench.seed('sqlite:///{path}', 3, 1)")  # a fresh interpreter, as the scripts run
    done = subprocess.run([sys.executable, "-c", seeding], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"email_bounce", "member_card", "account", "punch"} <= tables
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
