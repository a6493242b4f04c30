"""On SQLite every write of the app is sent while its thread holds the writer's lock (``db.write_transaction``):
writers of this process and of the others (``loyalty serve --workers N``, ``loyalty worker``) then queue on that
lock, and never in SQLite's busy handler, whose growing sleeps turned a burst of writes into seconds-long waits."""
import re

import pytest

from builders import commit, line, program_body, sale, write_empty_sqlite
from loyalty import background, db
from webtools import Web

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


@pytest.fixture
def db_url(tmp_path):
    """SQLite only: the writer's lock is SQLite's (PostgreSQL's writers wait on row locks)."""
    return "sqlite:///" + write_empty_sqlite(str(tmp_path / "test.sqlite3"))


@pytest.fixture
def writes(app, monkeypatch):
    """(statement, whether the writer's lock was held) for every write sent on any connection opened from now."""
    assert not db.is_postgres()
    seen = []

    def trace(sql):
        if WRITE.match(sql):
            seen.append((" ".join(sql.split()[:3]), getattr(db._writer_depth, "n", 0) > 0))

    hooks = db.database.obj._add_conn_hooks

    def traced(conn):
        hooks(conn)
        conn.set_trace_callback(trace)

    monkeypatch.setattr(db.database.obj, "_add_conn_hooks", traced)
    if not db.database.is_closed():
        db.database.close()
    return seen


def test_every_write_of_the_register_and_the_staff_app_holds_the_writers_lock(client, api, manager_api, writes,
                                                                                manager_user):
    assert api.get("/api/v1/me").status_code == 200  # a token's first use is recorded (last_used_at)
    assert manager_api.post("/api/v1/programs", program_body()).status_code == 201
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "email_consent": True, "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
    assert r.status_code == 201
    answer = commit(api, sale("S-1", [line(1)]))
    assert answer["cards"][0]["punches_after"] == 1
    web = Web(client)
    assert web.signin("boss", "not the password").status_code == 401  # a failed attempt is counted
    assert web.signin("boss").status_code == 302
    assert web.post("/language", {"language": "fr", "next": "/"}).status_code == 302
    assert web.post("/signout").status_code == 302
    background.run_once()  # the worker's pass: due jobs, then the outbox (the welcome email)

    tables = {w.split('"')[1] for w, _ in writes if '"' in w}
    assert {"api_token", "sale", "punch", "user", "outbox", "background_job"} <= tables, tables
    assert [w for w, locked in writes if not locked] == []
