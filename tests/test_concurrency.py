"""Twenty registers (or one impatient cashier) committing the same sale at once, over real HTTP."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from builders import line, make_app, program_body, sale
from livesupport import LiveServer
from loyalty.auth import create_token
from loyalty.db import database
from loyalty.models import AuditLog, Card, Punch, Sale


def _setup(db_url):
    app = make_app(db_url)
    with app.app_context():
        token = create_token("r1", "manager")[1]
    return app, {"Authorization": f"Bearer {token}"}


def _commit_twenty_times(server, headers, sale_body) -> list:
    """The same sale committed by twenty clients at once: every one answered 200 with the same answer."""
    def commit(_):
        r = requests.post(server.url + "/api/v1/sales/commit", json={"sale": sale_body}, headers=headers, timeout=30)
        return r.status_code, r.json()

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(commit, range(20)))
    assert [code for code, _ in results] == [200] * 20, results[:3]
    assert all(res == results[0][1] for _, res in results)
    return results


def test_twenty_concurrent_commits_of_one_sale_punch_once(db_url):
    app, headers = _setup(db_url)
    with LiveServer(app, threads=8) as server:
        s = requests.Session()
        p = s.post(server.url + "/api/v1/programs", json=program_body(multi_purchase_threshold=10),
                   headers=headers).json()
        s.post(server.url + "/api/v1/accounts", headers=headers, json={
            "first_name": "Dana", "last_name": "W", "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
        results = _commit_twenty_times(server, headers, sale("S-RACE", lines=[line(1, qty=3), line(2, qty=2)]))
    database.connect(reuse_if_open=True)
    assert Sale.select().count() == 1
    assert sum(r.quantity for r in Punch.select()) == 5
    assert Card.get(Card.program == p["id"]).punches == 5
    assert AuditLog.select().where(AuditLog.action == "sale.commit").count() == 1
    database.close()


def test_concurrent_commits_of_different_sales_all_land(db_url):
    app, headers = _setup(db_url)
    with LiveServer(app, threads=8) as server:
        p = requests.post(server.url + "/api/v1/programs", json=program_body(buy_quantity=5), headers=headers).json()
        requests.post(server.url + "/api/v1/accounts", headers=headers, json={
            "first_name": "Dana", "last_name": "W", "link": {"system": "lightspeed-x", "customer_id": "c-42"}})

        def commit(i):
            r = requests.post(server.url + "/api/v1/sales/commit", headers=headers, timeout=30,
                              json={"sale": sale(f"S-{i}", lines=[line(1)])})
            return r.status_code

        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(commit, range(12)))
    assert codes == [200] * 12
    database.connect(reuse_if_open=True)
    cards = [(c.status, c.punches) for c in Card.select().where(Card.program == p["id"]).order_by(Card.seq)]
    # 12 punches on cards of 5: two complete cards and one open with 2, and never two open cards
    assert cards == [("complete", 5), ("complete", 5), ("open", 2)]
    database.close()


@pytest.mark.skipif(not os.environ.get("LOYALTY_TEST_POSTGRES_URL"),
                    reason="PostgreSQL only (set LOYALTY_TEST_POSTGRES_URL): SQLite has no connection to lose")
def test_a_cut_postgres_connection_gives_a_retryable_503_then_recovers(pg_schema_url):
    import psycopg2
    from urllib.parse import urlparse

    db_url = pg_schema_url + "&application_name=loyalty-cut-test"  # so that only this app's connections are cut
    app, headers = _setup(db_url)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # what a database restart does to the pool: its connections are terminated
    admin = psycopg2.connect(urlparse(db_url)._replace(query="").geturl())
    admin.autocommit = True
    admin.cursor().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = 'loyalty-cut-test'")
    admin.close()
    codes = [client.get("/api/v1/me", headers=headers).status_code for _ in range(3)]
    assert codes == [503, 200, 200], codes
    database.close()


def test_twenty_concurrent_commits_of_one_sale_earn_one_set_of_points(db_url):
    from loyalty.programs.points_ledger import ledger_sum
    from loyalty.programs.points_models import PointsBalance, PointsEntry

    app, headers = _setup(db_url)
    with LiveServer(app, threads=8) as server:
        s = requests.Session()
        p = s.post(server.url + "/api/v1/programs", headers=headers, json={
            "kind": "points", "name": "Paws Points", "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1"}]
        }).json()
        account = s.post(server.url + "/api/v1/accounts", headers=headers, json={
            "first_name": "Dana", "last_name": "W", "link": {"system": "lightspeed-x", "customer_id": "c-42"}}).json()
        results = _commit_twenty_times(server, headers,
                                       sale("S-RACE", lines=[line(1, upc="0000TREAT", qty=3, price="10.50")]))
    assert results[0][1]["points"] == [{"program_id": p["id"], "program": "Paws Points", "earned": 31,
                                        "balance": 31}]
    database.connect(reuse_if_open=True)
    assert PointsEntry.select().count() == 1
    assert ledger_sum(account["id"], p["id"]) == PointsBalance.get().balance == 31
    database.close()
