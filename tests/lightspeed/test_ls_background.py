"""Lightspeed work in the background worker: R-Series polling as a registered job, and POS customers created
from the outbox after an account is made in loyalty (retried when the POS fails, never blocking the account)."""
from __future__ import annotations

import datetime as dt

import pytest

from loyalty.background import JOBS, OutboxItem, run_once
from loyalty.domain.accounts import live_link
from loyalty.lightspeed.background_work import POLL_JOB
from loyalty.lightspeed.models import PosConnection
from loyalty.lightspeed.pos_customers import OUTBOX_KIND
from loyalty.models import Sale, utcnow


def _create_customers(conn):
    PosConnection.update(create_pos_customers=True).where(PosConnection.id == conn.id).execute()


def _new_account(api, **extra):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "phone": "555-201-3344", **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_an_account_made_in_loyalty_becomes_a_pos_customer_through_the_outbox(connection, fake, api):
    _create_customers(connection)
    account = _new_account(api)
    (item,) = OutboxItem.select().where(OutboxItem.kind == OUTBOX_KIND)
    assert item.payload == {"connection_id": connection.id, "account_id": account["id"]}
    run_once()
    (made,) = [c for c in fake.objects["customers"].values() if c["email"] == "dana@example.com"]
    assert live_link("lightspeed-x", made["id"]).account_id == account["id"]
    assert OutboxItem.get_by_id(item.id).state == "sent"


def test_a_pos_that_is_down_is_retried_later_and_the_account_is_kept(connection, fake, api):
    _create_customers(connection)
    fake.fail(500, times=2, resource="create customers")
    account = _new_account(api)
    run_once()
    item = OutboxItem.get(OutboxItem.kind == OUTBOX_KIND)
    assert item.state == "pending" and "HTTP 500" in item.last_error
    assert api.get(f"/api/v1/accounts/{account['id']}").status_code == 200
    run_once(now=utcnow() + dt.timedelta(hours=1))
    assert OutboxItem.get_by_id(item.id).state == "sent"
    assert len([c for c in fake.objects["customers"].values() if c["email"] == "dana@example.com"]) == 1


def test_nothing_is_queued_when_the_setting_is_off_or_the_account_came_from_the_register(connection, api):
    _new_account(api)
    assert OutboxItem.select().count() == 0
    _create_customers(connection)
    _new_account(api, email="sam@example.com", phone=None,
                 link={"system": "lightspeed-x", "customer_id": "c-1"})
    assert OutboxItem.select().count() == 0


@pytest.mark.usefixtures("rconnection")
def test_the_worker_polls_rseries_sales(rfake, api, program):
    dana = rfake.add_customer("Dana", "Whitfield", "dana@example.com", None)
    _new_account(api, phone=None, link={"system": "lightspeed-r", "customer_id": dana["customerID"]})
    item = rfake.add_item("Acana Dog 25lb", upc="064992523251")
    sale = rfake.add_sale(dana, [(item, 1, "94.99")])
    assert POLL_JOB in JOBS
    assert POLL_JOB in run_once()["jobs"]
    assert Sale.get(Sale.pos_sale_id == sale["saleID"]).source == "poller"


def test_staff_see_a_pos_customer_the_pos_refused_for_now_on_the_pos_page(connection, fake, api, app):
    """The POS is down: the account exists, and the managers' POS page shows who waits and why."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "web"))
    from loyalty.auth import create_user
    from webtools import PASSWORD, Web, text

    _create_customers(connection)
    fake.fail(500, times=2, resource="create customers")
    _new_account(api)
    run_once()
    create_user("boss", "manager", PASSWORD)
    web = Web(app.test_client())
    web.signin("boss")
    page = text(web.get("/pos"))
    assert "Customers still to create in the POS" in page
    row = page[page.index("Customers still to create in the POS"):]
    assert "Dana Whitfield" in row and "waiting" in row and "HTTP 500" in row

    run_once(now=utcnow() + dt.timedelta(hours=1))
    assert "Customers still to create in the POS" not in text(web.get("/pos")), "sent: nothing waits any more"
