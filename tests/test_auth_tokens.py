"""A token is checked against the database on every request: a revocation or a role change made by another process
or connection (`loyalty token revoke`, the staff app of a second server, an edit in the database) applies to the
very next request of a process that has just accepted the token. Nothing of a token is kept between requests."""
from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlparse

from builders import program_body
from loyalty.auth import create_token

SERVER_DIR = os.path.join(os.path.dirname(__file__), "..", "server")


def _other_connection(db_url):
    """A connection of its own to the test database, as another process would open one (autocommit)."""
    if db_url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(urlparse(db_url).path, isolation_level=None), "?"
    import psycopg2

    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    return conn, "%s"


def _write(db_url, sql, params):
    conn, param = _other_connection(db_url)
    try:
        conn.cursor().execute(sql.replace("?", param), params)
    finally:
        conn.close()


def _me(client, secret):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def test_a_token_revoked_by_another_process_is_refused_on_the_next_request(client, app, db_url):
    row, secret = create_token("register 2", "cashier")
    for _ in range(3):  # accepted a few times first: nothing learnt from these may outlive its request
        assert _me(client, secret).status_code == 200
    # Another process revokes it the way the staff app does (loyalty.auth.revoke_token, its own connection).
    code = ("import sys; from loyalty.db import database, init_database; init_database(sys.argv[1]); "
            "from loyalty.auth import revoke_token; assert revoke_token(int(sys.argv[2]), 'test') is not None; "
            "database.close()")
    done = subprocess.run([sys.executable, "-c", code, db_url, str(row.id)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=os.path.abspath(SERVER_DIR)))
    assert done.returncode == 0, done.stderr
    r = _me(client, secret)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "token_invalid"


def test_a_revocation_through_another_connection_applies_at_once(client, app, db_url):
    _, secret = create_token("register 3", "cashier")
    assert _me(client, secret).status_code == 200
    _write(db_url, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "name" = ?', ("2026-01-01 00:00:00", "register 3"))
    r = client.post("/api/v1/sales/preview", json={}, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "token_invalid"


def test_a_role_changed_through_another_connection_applies_at_once(client, app, db_url):
    _, secret = create_token("back office", "manager")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/v1/programs", json=program_body(name="First"), headers=headers).status_code == 201
    _write(db_url, 'UPDATE "api_token" SET "role" = ? WHERE "name" = ?', ("cashier", "back office"))
    r = client.post("/api/v1/programs", json=program_body(name="Second"), headers=headers)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert _me(client, secret).get_json()["role"] == "cashier"
