"""Catalog and customer sync against the fake X-Series API on a real port: paging, resuming, retries."""
from __future__ import annotations

import datetime as dt
import email.utils
import logging

import pytest

from lightspeed_support import TOKEN
from loyalty.lightspeed.client import BadToken, Unavailable, parse_retry_after
from loyalty.lightspeed.connections import client_for, connect
from loyalty.lightspeed.models import CatalogProduct, PosConnection, PosCustomer
from loyalty.lightspeed.sync import cursor_of, sync, sync_all
from loyalty.models import Account, AuditLog, PosLink


def _products(n, fake):
    return [fake.add_product(f"Food {i}", sku=f"SKU-{i}", upc=f"0000000000{i:02d}") for i in range(n)]


def test_several_pages_with_a_failure_in_the_middle_resume_without_duplicates(connection, fake, make_client):
    _products(7, fake)  # 4 pages of 2
    client = make_client(connection)
    walk = sync(connection, client, "products", "test", page_size=2)
    first, second = next(walk), next(walk)
    assert (first.received, second.received) == (2, 2)
    # The third page fails every time: the walk stops after its retries, keeping the two pages it stored.
    failure = fake.fail(500, times=99, resource="products", after=second.cursor)
    with pytest.raises(Unavailable) as err:
        next(walk)
    assert "resumes" in str(err.value)
    assert CatalogProduct.select().count() == 4
    assert cursor_of(connection, "products") == second.cursor

    failure.times = 0
    fake.requests_seen.clear()
    totals = sync_all(connection, make_client(connection), "products", "test", page_size=2)
    assert fake.requests_seen[0][1]["after"] == str(second.cursor)  # resumed, pages 1-2 not fetched again
    assert totals["received"] == 3
    ids = [p.product_id for p in CatalogProduct.select()]
    assert sorted(ids) == sorted(fake.objects["products"]) and len(ids) == len(set(ids)) == 7
    # One audit row per stored page.
    assert AuditLog.select().where(AuditLog.action == "pos.sync.products").count() == 4


def test_incremental_sync_fetches_only_what_changed(connection, fake, make_client):
    products = _products(3, fake)
    assert sync_all(connection, make_client(connection), "products", "test")["received"] == 3
    cursor = cursor_of(connection, "products")

    fake.update("products", products[0]["id"], sku="SKU-NEW", name="Food renamed")
    fake.delete("products", products[1]["id"])
    added = fake.add_product("Brand new", sku="SKU-9", upc="064992523251", ean="4006381333931")
    fake.requests_seen.clear()
    totals = sync_all(connection, make_client(connection), "products", "test")
    assert totals["received"] == 3
    assert fake.requests_seen[0][1]["after"] == str(cursor)
    assert fake.requests_seen[0][1]["deleted"] == "true"
    changed = CatalogProduct.get(CatalogProduct.product_id == products[0]["id"])
    assert (changed.sku, changed.name) == ("SKU-NEW", "Food renamed")
    assert CatalogProduct.get(CatalogProduct.product_id == products[1]["id"]).deleted is True
    new = CatalogProduct.get(CatalogProduct.product_id == added["id"])
    # The UPC is the primary barcode even when the EAN is listed first; all codes are kept.
    assert new.upc == "064992523251" and set(new.barcodes) == {"064992523251", "4006381333931"}
    assert (new.brand, new.supplier) == ("Champion", "PFX")
    assert CatalogProduct.select().count() == 4


def test_429_waits_as_long_as_retry_after_says(connection, fake, make_client, sleeps):
    _products(1, fake)
    fake.fail(429, times=1, resource="products", retry_after="7")
    assert sync_all(connection, make_client(connection), "products", "test")["received"] == 1
    assert sleeps == [7.0]


def test_a_retry_after_too_long_gives_up_instead_of_blocking(connection, fake, make_client, sleeps):
    fake.fail(429, times=1, resource="products", retry_after="3600")
    with pytest.raises(Unavailable) as err:
        sync_all(connection, make_client(connection), "products", "test")
    assert "asked to wait 3600 s" in str(err.value) and sleeps == []


def test_5xx_backs_off_exponentially_then_gives_up(connection, fake, make_client, sleeps):
    fake.fail(503, times=5, resource="products")
    with pytest.raises(Unavailable) as err:
        sync_all(connection, make_client(connection, attempts=3), "products", "test")
    assert sleeps == [0.01, 0.02]
    assert "HTTP 503" in str(err.value)
    assert cursor_of(connection, "products") == 0


def test_a_slow_answer_times_out_and_is_retried(connection, fake, make_client, sleeps):
    _products(2, fake)
    # The retried request must answer within the timeout even on a loaded machine: a wide margin both ways.
    late = fake.fail(None, times=1, resource="products", delay=2.0)
    totals = sync_all(connection, make_client(connection, timeout=0.5), "products", "test")
    assert totals["received"] == 2
    assert len(sleeps) == 1
    late.answered.wait(5)  # let the fake finish its late answer, so that it can stop at once


def test_retry_after_as_an_http_date():
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    seconds = parse_retry_after(email.utils.format_datetime(when, usegmt=True))
    assert 25 <= seconds <= 31
    assert parse_retry_after("nonsense") is None
    assert parse_retry_after("-3") == 0.0


def test_a_bad_token_is_a_clear_error_that_does_not_show_it(app, fake_server, caplog):
    wrong = "lsxs_pt_WrongTokenValue"
    conn = connect("fakeshop", wrong, "secret", "test", base_url=fake_server.url + "/api/2.0")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BadToken) as err, client_for(conn) as client:
        sync_all(conn, client, "products", "test")
    assert "refused the API token (HTTP 401)" in str(err.value) and "loyalty pos connect" in str(err.value)
    assert wrong not in str(err.value) and wrong not in caplog.text


def test_the_token_is_encrypted_at_rest_and_never_logged(connection, fake, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    _products(3, fake)
    fake.fail(429, times=1, retry_after="1")
    fake.fail(500, times=1)
    sync_all(connection, make_client(connection), "products", "test", page_size=2)
    assert "Lightspeed products: rate limited" in caplog.text  # the retries were logged...
    assert TOKEN not in caplog.text  # ...without the token
    row = PosConnection.get_by_id(connection.id)
    assert TOKEN not in row.token_encrypted and "whsec" not in row.webhook_secret_encrypted
    stored = " ".join(str(a.details) for a in AuditLog.select())
    assert TOKEN not in stored


def test_connect_validates_its_input(app):
    from loyalty.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        connect("Not a prefix!", "", "s", "test", api_version="3")
    assert set(err.value.fields) == {"prefix", "token", "api_version"}
    conn = connect("shop", "t", "s", "test", api_version="2026-01")
    assert conn.base_url == "https://shop.retail.lightspeed.app/api/2026-01"


def test_customer_import_keeps_the_address_and_matches_accounts(connection, fake, make_client, api):
    from loyalty.lightspeed.customers import match_customers

    api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com"})
    api.post("/api/v1/accounts", {"first_name": "Sam", "last_name": "Roe", "phone": "555-777-1212"})
    dana = fake.add_customer("Dana", "W", "Dana@Example.com", "555-201-3344", address_1="12 Elm St",
                             city="Springfield", postcode="01101")
    fake.add_customer("Samantha", "Roe", None, "(555) 777-1212")
    fake.add_customer("Nobody", "Known", "nobody@example.com")
    fake.add_customer("Walk", "In", code="WALKIN")
    assert sync_all(connection, make_client(connection), "customers", "test")["received"] == 4

    row = PosCustomer.get(PosCustomer.customer_id == dana["id"])
    assert (row.email, row.phone) == ("dana@example.com", "+15552013344")
    assert (row.address["address_1"], row.address["postcode"]) == ("12 Elm St", "01101")
    counts = match_customers(connection, "test", link=True)
    assert counts == {"linked_already": 0, "linked_now": 1, "email_match": 0, "phone_match": 1, "no_match": 1,
                      "walk_in": 1}
    link = PosLink.get(PosLink.pos_customer_id == dana["id"])
    assert link.account_id == Account.get(Account.email == "dana@example.com").id
    assert match_customers(connection, "test")["linked_already"] == 1
