"""Several app processes: `loyalty serve --workers 2` as a real subprocess, the same sale committed at once through
both processes, the supervisor restarting and stopping its children; the SQLite writers' file lock; a bounded
statement cache."""
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from builders import ACANA, line, make_app, program_body, sale
from loyalty import db as loyalty_db
from loyalty.auth import create_token
from loyalty.db import database
from loyalty.migrations import SchemaVersion, upgrade
from loyalty.models import AuditLog, Card, Punch, Sale, drop_tables
from loyalty.programs.points_models import PointsBalance, PointsEntry

SERVER_DIR = os.path.join(os.path.dirname(__file__), "..", "server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`loyalty serve --workers N` on ``db_url`` in a subprocess (its own process group, stopped by SIGTERM)."""

    def __init__(self, db_url, tmp_path, workers=2):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, LOYALTY_DATABASE_URL=db_url, LOYALTY_INSTANCE=str(tmp_path / "instance"),
                   PYTHONPATH=os.path.abspath(SERVER_DIR))
        self.proc = subprocess.Popen([sys.executable, "-m", "loyalty.cli", "serve", "--port", str(self.port),
                                      "--workers", str(workers), "--threads", "4"], env=env, cwd=str(tmp_path),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url + "/api/v1/health", timeout=2).raise_for_status()
                break
            except requests.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {self.proc.stdout.read()}") from None
                time.sleep(0.1)

    def children(self) -> list[int]:
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return [int(pid) for pid in f.read().split()]

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.stdout.read()


def _fresh_database(db_url) -> dict:
    """Empty tables made as `loyalty serve` makes them (migrations), and a manager token's headers."""
    app = make_app(db_url)
    with app.app_context():
        drop_tables()
        upgrade()
        headers = {"Authorization": f"Bearer {create_token('r1', 'manager')[1]}"}
    database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    return headers


@pytest.fixture
def served(db_url, tmp_path):
    headers = _fresh_database(db_url)
    server = Served(db_url, tmp_path)
    server.headers = headers
    yield server
    server.stop()
    # The PostgreSQL schema outlives this test: leave no migration records behind (test_cli_and_schema counts them).
    database.connect(reuse_if_open=True)
    SchemaVersion.drop_table(safe=True)
    database.close()


def _setup_programs(server):
    s = requests.Session()
    s.headers.update(server.headers)
    punch = s.post(server.url + "/api/v1/programs", json=program_body(buy_quantity=5, multi_purchase_threshold=10)).json()
    r = s.post(server.url + "/api/v1/programs", json={
        "kind": "points", "name": "Paws Points", "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1.00"}],
        "rewards": [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5.00"}]})
    assert r.status_code == 201, r.text
    r = s.post(server.url + "/api/v1/accounts", json={
        "first_name": "Dana", "last_name": "W", "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
    assert r.status_code == 201, r.text
    return punch, r.json()


def _fire(server, bodies, clients=16) -> list:
    def commit(body):
        r = requests.post(server.url + "/api/v1/sales/commit", json={"sale": body}, headers=server.headers,
                          timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(commit, bodies))


def _counted():
    database.connect(reuse_if_open=True)
    try:
        return {"sales": Sale.select().count(), "punches": sum(p.quantity for p in Punch.select()),
                "points_rows": PointsEntry.select().count(),
                "points": sum(e.points for e in PointsEntry.select()),
                "balance": sum(b.balance for b in PointsBalance.select()),
                "cards": sorted((c.status, c.punches) for c in Card.select()),
                "audits": AuditLog.select().where(AuditLog.action == "sale.commit").count()}
    finally:
        database.close()


def test_one_sale_committed_at_once_through_two_processes_counts_once(served):
    _setup_programs(served)
    body = sale("S-RACE", lines=[line(1, qty=3, price="20.00"), line(2, qty=1, price="15.50")])
    results = _fire(served, [body] * 32)
    assert [code for code, _ in results] == [200] * 32, results[:3]
    assert all(answer == results[0][1] for _, answer in results)
    assert len(set(served.children())) == 2
    counted = _counted()
    assert counted["sales"] == 1 and counted["audits"] == 1
    assert counted["punches"] == 4 and counted["cards"] == [("open", 4)]
    assert counted["points_rows"] == 1 and counted["points"] == 75 == counted["balance"]  # $75.50, 1 a dollar


def test_different_sales_of_one_account_through_two_processes_all_add_up(served):
    _setup_programs(served)
    results = _fire(served, [sale(f"S-{i}", lines=[line(1, price="10.00")]) for i in range(24)])
    assert [code for code, _ in results] == [200] * 24, [r for r in results if r[0] != 200][:3]
    counted = _counted()
    assert counted["sales"] == 24 and counted["audits"] == 24
    assert counted["punches"] == 24
    # 24 punches on cards of 5: four complete cards and one open with 4, never two open cards
    assert counted["cards"] == [("complete", 5)] * 4 + [("open", 4)]
    assert counted["points_rows"] == 24 and counted["points"] == 240 == counted["balance"]


def test_the_supervisor_restarts_a_dead_process_and_stops_them_all(tmp_path):
    db_url = "sqlite:///" + str(tmp_path / "test.sqlite3")  # the supervisor does not depend on the database
    _fresh_database(db_url)
    server = Served(db_url, tmp_path)
    try:
        first = server.children()
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = server.children()
            if len(now) == 2 and first[0] not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and first[0] not in now and first[1] in now
        assert requests.get(server.url + "/api/v1/health", timeout=5).status_code == 200
    finally:
        output = server.stop()
    assert server.proc.returncode == 0, output
    assert "starting another" in output
    for pid in now:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()


def test_a_writer_of_another_process_holding_the_sqlite_lock_gives_a_503_not_a_hang(monkeypatch, tmp_path):
    from builders import Api

    app = make_app("sqlite:///" + str(tmp_path / "test.sqlite3"))
    with app.app_context():
        api = Api(app.test_client(), create_token("r1", "manager")[1])
        assert api.post("/api/v1/programs", program_body()).status_code == 201
        assert api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "W", "link": {
            "system": "lightspeed-x", "customer_id": "c-42"}}).status_code == 201
        monkeypatch.setattr(loyalty_db, "WRITE_LOCK_TIMEOUT", 0.2)
        # Another open file on the lock file is another process's lock, as far as flock is concerned.
        other = os.open(database.obj.database + "-writer.lock", os.O_RDWR)
        fcntl.flock(other, fcntl.LOCK_EX)
        try:
            r = api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, upc=ACANA)])})
            assert r.status_code == 503, r.get_json()
            assert r.headers["Retry-After"] == "1"
        finally:
            fcntl.flock(other, fcntl.LOCK_UN)
            os.close(other)
        r = api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, upc=ACANA)])})
        assert r.status_code == 200, r.get_json()
        database.close()


def test_the_statement_cache_stays_bounded_whatever_the_lengths_of_in_lists(app):
    from loyalty import fastsql

    for n in range(1, 3 * fastsql.MAX_STATEMENTS):
        ids = list(range(n))
        assert len(fastsql.rows(f'SELECT "id" FROM "account" WHERE "id" IN {fastsql.in_list(n)}', ids)) == 0
    assert len(fastsql._sql_cache) <= fastsql.MAX_STATEMENTS
    # the statements of the latest shapes are still cached
    assert ((("raw", f'SELECT "id" FROM "account" WHERE "id" IN {fastsql.in_list(n)}'), database.param)
            in fastsql._sql_cache)
