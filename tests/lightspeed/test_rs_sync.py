"""R-Series Item and Customer sync into the shared catalog and customers, by timeStamp, page by page."""
from __future__ import annotations

import pytest

from loyalty.lightspeed.client import Unavailable
from loyalty.lightspeed.customers import enrich_customer, match_customers
from loyalty.lightspeed.models import CatalogProduct, PosCustomer
from loyalty.lightspeed.rseries.sync import stamp_of, sync_all
from loyalty.models import AuditLog


def test_items_land_in_the_catalog_with_every_code_a_program_may_list(rconnection, rfake, make_rclient):
    rfake.add_item("Acana Dog 2kg", upc="064992523251", ean="0064992523251", custom_sku="ACA-2",
                   manufacturer_sku="ACA-DOG-2")
    rfake.add_item("Orijen Cat 1kg", ean="4006381333931", manufacturer_sku="ORI-CAT-1")
    rfake.add_item("Old toy", upc="012345678905", archived=True)
    totals = sync_all(rconnection, make_rclient(rconnection), "products", "test")
    assert totals["received"] == 3
    acana, orijen, toy = CatalogProduct.select().order_by(CatalogProduct.product_id)
    assert (acana.product_id, acana.upc, acana.sku, acana.name) == ("1", "064992523251", "ACA-2", "Acana Dog 2kg")
    assert acana.barcodes == ["064992523251", "0064992523251", "ACA-2", "ACA-DOG-2"]
    assert (orijen.upc, orijen.sku, orijen.barcodes) == ("4006381333931", "ORI-CAT-1",
                                                         ["4006381333931", "ORI-CAT-1"])
    assert toy.deleted


def test_the_next_sync_asks_only_what_changed_since_the_last_stamp(rconnection, rfake, make_rclient):
    first = rfake.add_item("Acana Dog 2kg", upc="064992523251")
    sync_all(rconnection, make_rclient(rconnection), "products", "test")
    stamp = stamp_of(rconnection, "products")
    assert stamp == first["timeStamp"]
    rfake.update("Item", first["itemID"], description="Acana Dog 2kg (new bag)")
    rfake.add_item("Orijen Cat 1kg", upc="4006381333931")
    rfake.requests_seen.clear()
    totals = sync_all(rconnection, make_rclient(rconnection), "products", "test")
    assert rfake.requests_seen[0][2]["timeStamp"] == f">=,{stamp}"
    assert totals["received"] == 2
    assert CatalogProduct.get(CatalogProduct.product_id == first["itemID"]).name == "Acana Dog 2kg (new bag)"
    assert CatalogProduct.select().count() == 2


def test_a_walk_that_fails_half_way_keeps_its_pages_and_resumes_after_them(rconnection, rfake, make_rclient):
    for i in range(5):
        rfake.add_item(f"Food {i}", upc=f"0000000000{i:02d}")
    rfake.fail(500, times=99, resource="Item", match={"after": "NA=="})  # the third page (cursor 4)
    totals = {}
    with pytest.raises(Unavailable):
        sync_all(rconnection, make_rclient(rconnection), "products", "test", limit=2, totals=totals)
    assert totals["pages"] == 2 and CatalogProduct.select().count() == 4
    rfake.failures.clear()
    totals = sync_all(rconnection, make_rclient(rconnection), "products", "test", limit=2)
    assert totals["received"] == 2  # the boundary item again (>= its stamp) and the one not stored yet
    assert CatalogProduct.select().count() == 5
    assert AuditLog.select().where(AuditLog.action == "pos.sync.products").count() == 3


def test_customers_with_their_contact_emails_and_phones_match_accounts(rconnection, rfake, make_rclient, api):
    dana = rfake.add_customer("Dana", "Whitfield", "Dana@Example.com", "(555) 201-3344",
                              address={"address1": "12 Elm St", "city": "Springfield", "zip": "01101",
                                       "state": "MA", "countryCode": "US"})
    rfake.add_customer("Sam", "Lee", None, "555-999-0000", phone_type="Home")
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com"})
    assert r.status_code == 201
    sync_all(rconnection, make_rclient(rconnection), "customers", "test")
    row = PosCustomer.get(PosCustomer.customer_id == dana["customerID"])
    assert (row.email, row.phone, row.address["city"]) == ("dana@example.com", "+15552013344", "Springfield")
    assert PosCustomer.get(PosCustomer.customer_id == "2").phone == "+15559990000"
    counts = match_customers(rconnection, "test", link=True)
    assert counts["linked_now"] == 1 and counts["no_match"] == 1
    r = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-r"},
                                                "customer": {"pos_id": dana["customerID"]}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["account"]["email"] == "dana@example.com"
    # The register knows only the customer's id: the synced copy fills the rest.
    customer = {"pos_id": "2"}
    enrich_customer("lightspeed-r", customer)
    assert customer["last_name"] == "Lee" and customer["phone"] == "+15559990000"
