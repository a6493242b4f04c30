"""The POS connection page: a manager connects the store's X-Series account (the token tried on the fake API on
a real loopback port first), syncs products and customers, links customers; the secrets never show."""
from __future__ import annotations

import functools
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lightspeed"))

from fake_xseries import FakeXSeries, demo_store  # noqa: E402
from lightspeed_support import TOKEN, WEBHOOK_SECRET  # noqa: E402
from loyalty.lightspeed.models import CatalogProduct, PosConnection, PosCustomer  # noqa: E402
from loyalty.models import AuditLog, PosLink  # noqa: E402
from webtools import new_account, text  # noqa: E402

WRONG = "lsxs_pt_TheWrongOne"


@pytest.fixture
def fake():
    return demo_store(FakeXSeries(token=TOKEN))


@pytest.fixture
def base(fake):
    from livesupport import LiveServer

    with LiveServer(fake.app, threads=2) as server:
        yield server.url + "/api/2.0"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    from loyalty.lightspeed.client import RetryPolicy

    monkeypatch.setattr("loyalty.web.views_pos.WEB_POLICY", RetryPolicy(attempts=2, base_delay=0.01, timeout=5))


def connect(web, base, token=TOKEN, csrf=True, **fields):
    return web.post("/pos/connect", {"prefix": "FakeShop", "token": token, "webhook_secret": WEBHOOK_SECRET,
                                     "base_url": base, **fields}, csrf=csrf)


def actions():
    return [a.action for a in AuditLog.select().where(AuditLog.action.startswith("pos.")).order_by(AuditLog.id)]


def assert_no_secrets(*responses):
    for r in responses:
        page = text(r)
        assert TOKEN not in page and WEBHOOK_SECRET not in page and WRONG not in page


def test_manager_connects_syncs_and_links(manager, api, fake, base):
    pages = [manager.get("/pos")]
    assert "No X-Series account is connected yet" in text(pages[0]) and "POS connection</a>" in text(pages[0])
    pages.append(connect(manager, base))
    assert pages[-1].status_code == 200, text(pages[-1])
    assert "the token was accepted by Lightspeed" in text(pages[-1])
    conn = PosConnection.get()
    assert (conn.prefix, conn.base_url, conn.created_by) == ("fakeshop", base, "user:manager1")
    page = text(pages[-1])
    assert "http://localhost/webhooks/lightspeed/fakeshop" in page and "set (stored encrypted, not shown)" in page
    assert any(args.get("page_size") == "1" for _, args in fake.requests_seen)  # the token was tried first

    pages.append(manager.post(f"/pos/{conn.id}/sync/products"))
    assert pages[-1].status_code == 200
    assert "Products: 1 pages, 12 received, 12 stored" in text(pages[-1])
    assert CatalogProduct.select().where(CatalogProduct.connection == conn.id).count() == 12
    assert CatalogProduct.get(CatalogProduct.upc == "064992523251").sku
    assert '<td class="num">12</td>' in text(pages[-1])
    pages.append(manager.post(f"/pos/{conn.id}/sync/products"))  # incremental: nothing new
    assert "Products: 0 pages, 0 received, 0 stored" in text(pages[-1])

    account = new_account(api, "Dana", "Whitfield", email="dana@example.com")
    pages.append(manager.post(f"/pos/{conn.id}/sync/customers"))
    assert "Customers: 1 pages, 2 received, 2 stored" in text(pages[-1])
    assert "Accounts: linked already 0, linked now 0, email match 1" in text(pages[-1])
    assert PosCustomer.select().count() == 2 and not PosLink.select().exists()
    pages.append(manager.post(f"/pos/{conn.id}/link"))
    assert "linked now 1" in text(pages[-1]) and "walk in 1" in text(pages[-1])
    link = PosLink.get()
    assert (link.account_id, link.linked_by) == (account["id"], "user:manager1")

    pages.append(connect(manager, base))  # the same prefix replaces the connection
    assert PosConnection.select().count() == 1
    pages.append(manager.get("/pos"))
    assert "Replaced" in text(pages[-1]) and "by user:manager1" in text(pages[-1])
    assert actions() == ["pos.connect", "pos.sync.products", "pos.sync_run", "pos.sync_run", "pos.sync.customers",
                         "pos.sync_run", "pos.match_customers", "pos.match_customers", "pos.reconnect"]
    assert AuditLog.get(AuditLog.action == "link.create").actor == "user:manager1"
    assert_no_secrets(*pages)
    stored = " ".join(str(a.details) for a in AuditLog.select())
    assert TOKEN not in stored and WEBHOOK_SECRET not in stored


def test_a_bad_token_is_a_clear_error_and_stores_nothing(manager, base):
    r = connect(manager, base, token=WRONG)
    assert r.status_code == 400
    assert "Lightspeed refused the API token (HTTP 401)" in text(r)
    assert 'value="fakeshop"' not in text(r) and 'value="FakeShop"' in text(r)  # the form refilled, as typed
    assert not PosConnection.select().exists()
    assert actions() == ["pos.connect_refused"]
    assert_no_secrets(r)


def test_a_wrong_token_leaves_the_existing_connection(manager, base):
    connect(manager, base)
    before = PosConnection.get().token_encrypted
    r = connect(manager, base, token=WRONG)
    assert r.status_code == 400 and PosConnection.get().token_encrypted == before


def test_invalid_fields_are_named(manager, base):
    r = connect(manager, base, prefix="not a prefix!", webhook_secret="", base_url="ftp://x")
    assert r.status_code == 422
    page = text(r)
    assert "the connection is not valid" in page and "<b>domain prefix</b>" in page and "<b>webhook secret</b>" in page
    assert not PosConnection.select().exists()


def test_an_unreachable_api_is_an_error_page_not_a_500(manager):
    r = connect(manager, "http://127.0.0.1:9/api/2.0")  # the discard port: nothing listens
    assert r.status_code == 400 and "connection failed" in text(r)
    assert not PosConnection.select().exists()


def test_a_sync_failure_shows_what_was_done_and_why(manager, fake, base, monkeypatch):
    from loyalty.lightspeed.sync import run_sync

    monkeypatch.setattr("loyalty.web.views_pos.run_sync", functools.partial(run_sync, page_size=5))
    connect(manager, base)
    conn = PosConnection.get()
    fifth = sorted(p["version"] for p in fake.objects["products"].values())[4]
    fake.fail(500, times=5, resource="products", after=fifth)  # the second page fails every try
    r = manager.post(f"/pos/{conn.id}/sync/products")
    assert r.status_code == 502
    page = text(r)
    assert "The products sync stopped: Lightspeed products: HTTP 500, 2 tries" in page
    assert "Products: 1 pages, 5 received, 5 stored" in page
    assert CatalogProduct.select().count() == 5
    assert_no_secrets(r)
    run = AuditLog.select().where(AuditLog.action == "pos.sync_run").get()
    assert run.details["written"] == 5 and "HTTP 500" in run.details["error"]


def test_a_sync_before_any_connection_is_a_404(manager):
    assert manager.post("/pos/1/sync/products").status_code == 404


def test_an_unknown_resource_is_refused(manager, base):
    connect(manager, base)
    r = manager.post(f"/pos/{PosConnection.get().id}/sync/sales")
    assert r.status_code == 422 and not actions()[1:]


def test_cashier_and_staff_are_refused(cashier, staff, manager, base):
    connect(manager, base)
    conn = PosConnection.get()
    for web in (cashier, staff):
        assert web.get("/pos").status_code == 403
        home = web.get("/", follow_redirects=True)
        assert home.status_code == 200 and "POS connection</a>" not in text(home)
        assert connect(web, base, prefix="other").status_code == 403
        assert web.post(f"/pos/{conn.id}/sync/products").status_code == 403
        assert web.post(f"/pos/{conn.id}/link").status_code == 403
    assert PosConnection.select().count() == 1 and not CatalogProduct.select().exists()
    assert actions() == ["pos.connect"]


def test_signed_out_is_sent_to_sign_in(client):
    r = client.get("/pos")
    assert r.status_code == 302 and "/signin" in r.headers["Location"]


def test_every_form_needs_the_csrf_token(manager, base):
    assert connect(manager, base, csrf=False).status_code == 400
    assert not PosConnection.select().exists()
    connect(manager, base)
    conn = PosConnection.get()
    for path in (f"/pos/{conn.id}/sync/products", f"/pos/{conn.id}/sync/customers", f"/pos/{conn.id}/link",
                 f"/pos/{conn.id}/settings", "/pos/rseries/connect"):
        r = manager.post(path, csrf=False)
        assert r.status_code == 400 and "CSRF check failed" in text(r)
    assert not CatalogProduct.select().exists() and actions() == ["pos.connect"]
    # connect, 2 syncs, link, language, sign out; R-Series connect; the "new accounts in the POS" setting
    assert text(manager.get("/pos")).count('name="csrf_token"') == 8
