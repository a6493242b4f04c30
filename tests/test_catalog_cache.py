"""The program catalog kept per process between sales (programs/catalog.py): used again while nothing changed it,
and an edit made by another connection (another process, a tool, raw SQL) is seen by the very next preview or
commit, because database triggers change the catalog's version. On SQLite and PostgreSQL."""
from __future__ import annotations

import contextlib

from builders import ACANA, line, sale, statements
from test_points import points_program, pts


def commit(api, sale_id, lines):
    r = api.post("/api/v1/sales/commit", {"sale": sale(sale_id, lines=lines)})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@contextlib.contextmanager
def other_connection(db_url):
    """A connection of its own, as another process would have; autocommit."""
    if db_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(db_url[len("sqlite:///"):], isolation_level=None)
        param = "?"
    else:
        import psycopg2

        conn = psycopg2.connect(db_url)
        conn.autocommit = True
        param = "%s"

    def run(sql, params=()):
        cur = conn.cursor()
        cur.execute(sql.replace("?", param), params)

    try:
        yield run
    finally:
        conn.close()


def test_program_edits_by_another_connection_are_seen_by_the_next_commit(api, program, linked, db_url):
    first = commit(api, "S-1", [line(1)])
    assert [c["program"] for c in first["cards"]] == ["ACANA 25 lb"]
    with statements() as seen:
        again = commit(api, "S-2", [line(1)])
    assert again["cards"][0]["punches_after"] == 2
    # nothing changed the catalog: the codes and programs came from this process's copy
    assert not [sql for sql in seen if '"program_code"' in sql]

    with other_connection(db_url) as other:
        other("UPDATE program SET name = ? WHERE id = ?", ("ACANA 25 lb (new bag)", program["id"]))
    renamed = commit(api, "S-3", [line(1)])
    assert [c["program"] for c in renamed["cards"]] == ["ACANA 25 lb (new bag)"]

    with other_connection(db_url) as other:
        other("DELETE FROM program_code WHERE program_id = ?", (program["id"],))
    assert commit(api, "S-4", [line(1)])["cards"] == []

    with other_connection(db_url) as other:
        other("INSERT INTO program_code (program_id, kind, code) VALUES (?, 'upc', ?)", (program["id"], ACANA))
    back = commit(api, "S-5", [line(1)])
    assert back["cards"][0]["punches_after"] == 4

    with other_connection(db_url) as other:
        other("UPDATE program SET status = 'archived' WHERE id = ?", (program["id"],))
    r = api.post("/api/v1/sales/preview", {"sale": sale("S-6", lines=[line(1)])}).get_json()
    assert r["cards"] == [] and r["uncommitted_lines"][0]["cards"] == []


def test_points_programs_and_rewards_edited_by_another_connection_are_seen(api, manager_api, linked, db_url):
    points = points_program(manager_api)
    preview = api.post("/api/v1/sales/preview", {"sale": sale("S-1", lines=[line(1)])}).get_json()
    assert [r["name"] for r in pts(preview, points)["rewards"]] == ["$5 off"]

    with other_connection(db_url) as other:
        other("INSERT INTO points_reward (program_id, name, cost, kind, value, upcs, skus, active, created_at) "
              "VALUES (?, 'Free treat', 50, 'amount_off', 2, '[]', '[]', ?, '2026-01-01 00:00:00')",
              (points["id"], True))
    preview = api.post("/api/v1/sales/preview", {"sale": sale("S-1", lines=[line(1)])}).get_json()
    assert [r["name"] for r in pts(preview, points)["rewards"]] == ["Free treat", "$5 off"]

    assert pts(commit(api, "S-2", [line(1)]), points)["earned"] == 104
    with other_connection(db_url) as other:
        other("UPDATE program SET status = 'archived' WHERE id = ?", (points["id"],))
    answer = commit(api, "S-3", [line(1)])
    assert not [p for p in answer["points"] if p["program_id"] == points["id"]]

