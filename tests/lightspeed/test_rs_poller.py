"""R-Series completed sales and refunds, polled by timeStamp and committed as the register would: page by page
with the cursor, resuming after a crash without gaps or doubles, counted once when the register committed first."""
from __future__ import annotations

import pytest
from peewee import fn

from builders import ACANA
from loyalty.lightspeed.rseries import poller
from loyalty.lightspeed.rseries.models import PolledSale
from loyalty.lightspeed.rseries.sync import stamp_of
from loyalty.models import AuditLog, Punch, Sale

OTHER_UPC = "012345678905"


@pytest.fixture
def shop(rconnection, rfake, api, program):
    """Dana, an R-Series customer linked to an account; the Acana bag the program punches; a toy it does not."""
    dana = rfake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344")
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "link": {"system": "lightspeed-r", "customer_id": dana["customerID"]}})
    assert r.status_code == 201, r.get_json()
    return {"conn": rconnection, "dana": dana, "account": r.get_json(), "program": program,
            "acana": rfake.add_item("Acana Dog 25lb", upc=ACANA, custom_sku="ACA-25"),
            "toy": rfake.add_item("Rope toy", upc=OTHER_UPC)}


def punches(account_id=None) -> int:
    query = Punch.select(fn.COALESCE(fn.SUM(Punch.quantity), 0))
    if account_id:
        query = query.where(Punch.account == account_id)
    return int(query.scalar())


def poll(shop, make_rclient, **kw):
    return poller.poll_sales(shop["conn"], make_rclient(shop["conn"]), "test", **kw)


def test_a_sale_then_its_refund_through_polling_only(shop, rfake, make_rclient):
    sale = rfake.add_sale(shop["dana"], [(shop["acana"], 2, "94.99"), (shop["toy"], 1, "9.99")])
    totals = poll(shop, make_rclient)
    assert totals["committed"] == 1
    assert punches(shop["account"]["id"]) == 2
    committed = Sale.get(Sale.pos_sale_id == sale["saleID"])
    assert committed.pos_system == "lightspeed-r" and committed.source == "poller"
    # One bag comes back, rung up to no customer at all: its punch comes off Dana's card anyway.
    acana_line = rfake.lines_of(sale)[0]
    refund = rfake.add_sale(None, [(shop["acana"], -1, "94.99", acana_line)])
    totals = poll(shop, make_rclient)
    assert totals["refunded"] == 1
    assert punches(shop["account"]["id"]) == 1
    assert Sale.get(Sale.pos_sale_id == refund["saleID"]).return_for == sale["saleID"]
    # Nothing new: the next run changes nothing.
    assert poll(shop, make_rclient).get("already_polled") == 1
    assert punches(shop["account"]["id"]) == 1


def test_a_crash_in_the_middle_of_a_page_loses_nothing_and_counts_nothing_twice(shop, rfake, make_rclient,
                                                                               monkeypatch):
    sales = [rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99")]) for _ in range(5)]
    real = poller.handle_sale

    def crash_on_the_fourth(conn, sale):
        if sale["saleID"] == sales[3]["saleID"]:
            raise RuntimeError("the worker was killed")
        return real(conn, sale)

    monkeypatch.setattr(poller, "handle_sale", crash_on_the_fourth)
    with pytest.raises(RuntimeError):
        poll(shop, make_rclient, limit=2)
    # Page 1 (sales 1-2) is stored with its cursor; page 2 (sale 3 done, sale 4 crashed) was rolled back whole.
    assert punches() == 2
    assert stamp_of(shop["conn"], "sales") == sales[1]["timeStamp"]
    assert not Sale.select().where(Sale.pos_sale_id == sales[2]["saleID"]).exists()

    monkeypatch.setattr(poller, "handle_sale", real)
    totals = poll(shop, make_rclient, limit=2)
    assert totals["committed"] == 3 and totals["already_polled"] == 1  # sale 2, at the cursor, skipped
    assert punches(shop["account"]["id"]) == 5
    for sale in sales:
        assert punches_of_sale(sale["saleID"]) == 1
    assert PolledSale.select().count() == 5
    assert stamp_of(shop["conn"], "sales") == sales[4]["timeStamp"]


def punches_of_sale(sale_id):
    return int(Punch.select(fn.SUM(Punch.quantity)).join(Sale).where(Sale.pos_sale_id == sale_id).scalar() or 0)


def test_a_sale_committed_at_the_register_first_is_counted_once(shop, rfake, make_rclient, api):
    sale = rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99")], completed=False)
    line = rfake.lines_of(sale)[0]
    body = {"sale": {"pos": {"system": "lightspeed-r", "sale_id": sale["saleID"], "store": "r81234",
                             "register": "1", "return_for": None},
                     "customer": {"pos_id": shop["dana"]["customerID"]}, "account_id": None,
                     "lines": [{"line_id": line["saleLineID"], "upc": ACANA, "quantity": "1",
                                "unit_price": "94.99"}]}}
    r = api.post("/api/v1/sales/commit", body)
    assert r.status_code == 200, r.get_json()
    assert punches() == 1
    rfake.complete(sale)
    totals = poll(shop, make_rclient)
    assert totals["committed"] == 1
    assert punches() == 1
    assert Punch.select().count() == 1


def test_customers_not_linked_are_linked_by_a_unique_email_and_walk_ins_are_left_alone(shop, rfake, make_rclient,
                                                                                      api):
    r = api.post("/api/v1/accounts", {"first_name": "Sam", "last_name": "Lee", "email": "sam@example.com"})
    sam = rfake.add_customer("Sam", "Lee", "SAM@example.com", None)
    stranger = rfake.add_customer("Kim", "Nobody", "kim@example.com", None)
    rfake.add_sale(sam, [(shop["acana"], 1, "94.99")])
    rfake.add_sale(stranger, [(shop["acana"], 1, "94.99")])
    rfake.add_sale(None, [(shop["acana"], 1, "94.99")])
    totals = poll(shop, make_rclient)
    assert (totals["committed"], totals["ignored_not_linked"], totals["ignored_walk_in"]) == (1, 1, 1)
    assert punches(r.get_json()["id"]) == 1
    assert AuditLog.select().where(AuditLog.action == "pos.poll.sales").count() == 1


def test_a_voided_sale_gives_back_what_it_earned(shop, rfake, make_rclient):
    sale = rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99")])
    poll(shop, make_rclient)
    assert punches() == 1
    rfake.update("Sale", sale["saleID"], voided="true")
    assert poll(shop, make_rclient)["voided"] == 1
    assert punches() == 0


def test_lines_without_the_item_relation_are_matched_through_the_synced_catalog(shop, rfake, make_rclient):
    from loyalty.lightspeed.rseries.sync import sync_all

    sync_all(shop["conn"], make_rclient(shop["conn"]), "products", "test")
    sale = rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99")])
    monkey = dict(sale)
    monkey["SaleLines"] = {"SaleLine": {k: v for k, v in rfake.lines_of(sale)[0].items()}}  # no Item
    monkey["Customer"] = {"customerID": shop["dana"]["customerID"], "firstName": "Dana", "lastName": "Whitfield"}
    assert poller.commit_page(shop["conn"], [monkey], "test") == {"committed": 1}
    assert punches() == 1


def test_one_refund_returning_lines_of_two_sales_reverses_each(shop, rfake, make_rclient):
    first = rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99")])
    second = rfake.add_sale(shop["dana"], [(shop["acana"], 1, "94.99"), (shop["toy"], 1, "9.99")])
    poll(shop, make_rclient)
    assert punches() == 2
    rfake.add_sale(shop["dana"], [(shop["acana"], -1, "94.99", rfake.lines_of(first)[0]),
                                  (shop["acana"], -1, "94.99", rfake.lines_of(second)[0])])
    assert poll(shop, make_rclient)["refunded"] == 1
    assert punches() == 0
