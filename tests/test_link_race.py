"""Two registers linking the same POS customer at the same moment on PostgreSQL: both look and find no link, both
insert; the unique index makes the second wait for the first and then refuses it. The loser is told why
(409, already_linked), and nothing of its link is kept. On SQLite the writer's lock serialises the two, so the
second finds the first's link before inserting (test_accounts_links)."""
import os
import threading
from urllib.parse import parse_qs, urlparse

import psycopg2
import pytest

from builders import Api, make_app
from loyalty.auth import create_token
from loyalty.db import database
from loyalty.models import AuditLog, PosLink


@pytest.mark.skipif(not os.environ.get("LOYALTY_TEST_POSTGRES_URL"),
                    reason="a race of two transactions: PostgreSQL's (LOYALTY_TEST_POSTGRES_URL)")
def test_the_second_of_two_simultaneous_links_is_refused_with_a_reason(pg_schema_url):
    url = pg_schema_url + "&application_name=loyalty-link-race"
    app = make_app(url)
    with app.app_context():
        api = Api(app.test_client(), create_token("r1", "cashier")[1])
        first = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "W"}).get_json()["id"]
        second = api.post("/api/v1/accounts", {"first_name": "Dan", "last_name": "W"}).get_json()["id"]
        database.close()
    search_path = parse_qs(urlparse(pg_schema_url).query)["options"][0]  # the test's own schema
    other = psycopg2.connect(urlparse(url)._replace(query="").geturl(), options=search_path)
    watcher = psycopg2.connect(urlparse(url)._replace(query="").geturl())
    watcher.autocommit = True
    try:
        # Another register's transaction has inserted the link and not committed yet.
        other.cursor().execute(
            'INSERT INTO "pos_link" ("pos_system", "pos_customer_id", "account_id", "linked_by", "linked_at") '
            "VALUES ('lightspeed-x', 'c-7', %s, 'token:r2', now())", (first,))
        answer = {}

        def link():
            with app.app_context():
                r = api.put("/api/v1/links/lightspeed-x/c-7", {"account_id": second})
                answer.update(status=r.status_code, body=r.get_json())
                database.close()

        racer = threading.Thread(target=link)
        racer.start()
        waiting = watcher.cursor()
        for _ in range(3000):  # until this register's insert waits on the other's row (a lock wait), or 30 s
            waiting.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loyalty-link-race' "
                            "AND wait_event_type = 'Lock'")
            if waiting.fetchone()[0]:
                break
            racer.join(0.01)
        else:
            pytest.fail("the second link never waited on the first")
        other.commit()
        racer.join(30)
        assert answer["status"] == 409, answer
        assert answer["body"]["error"]["code"] == "already_linked"
        assert answer["body"]["error"]["message"] == "this POS customer was just linked by someone else"
    finally:
        other.close()
        watcher.close()
    with app.app_context():
        assert [(link.account_id, link.linked_by) for link in PosLink.select()] == [(first, "token:r2")]
        assert not AuditLog.select().where(AuditLog.action == "link.create").exists()
        database.close()
