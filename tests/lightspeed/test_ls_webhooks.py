"""Webhooks from X-Series: signatures, replays, sales punched, returns reversed, catalog and customer updates."""
from __future__ import annotations

import pytest

from fake_xseries import FakeXSeries
from lightspeed_support import ACANA, TOKEN, WEBHOOK_SECRET, WEBHOOK_URL as URL, deliver
from loyalty.lightspeed.models import CatalogProduct, PosCustomer, WebhookReceipt
from loyalty.models import AuditLog, Punch, Sale


@pytest.fixture
def hooked(app):
    """A connection that only receives webhooks (no API calls)."""
    from loyalty.lightspeed.connections import connect

    return connect("fakeshop", TOKEN, WEBHOOK_SECRET, "test", base_url="http://127.0.0.1:9/api/2.0")


@pytest.fixture
def store(client, hooked, fake, program, linked):
    """The fake store's catalog pushed through product.update webhooks; customer c-42 is linked (``linked``)."""
    acana = fake.add_product("ACANA Wild Prairie 25 lb", sku="ACA-WP-25", upc=ACANA)
    toy = fake.add_product("Rope toy", sku="TOY-ROPE", upc="012345678905")
    for product in (acana, toy):
        assert deliver(client, "product.update", product).status_code == 200
    dana = fake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344", id="c-42")
    return {"acana": acana, "toy": toy, "dana": dana, "account": linked["id"], "program": program["id"]}


def punches(store):
    """The account's punches in the program, from its cards."""
    from loyalty.models import Card

    return sum(c.punches for c in Card.select().where((Card.account == store["account"])
                                                      & (Card.program == store["program"])))


def sale_hook(fake, customer, items, **kw):
    return fake.sale_payload(fake.add_sale(customer, items, **kw))


# --- signatures ------------------------------------------------------------------------------------------------

def test_signed_body_and_signed_payload_are_accepted(client, hooked, fake):
    product = fake.add_product("Food", sku="F-1", upc="000000000011")
    r = deliver(client, "product.update", product)
    assert r.status_code == 200 and r.get_json()["outcome"] == "product_saved"
    fake.update("products", product["id"], sku="F-2")
    r = deliver(client, "product.update", fake.objects["products"][product["id"]], sign="payload")
    assert r.status_code == 200, r.get_json()
    assert CatalogProduct.get(CatalogProduct.product_id == product["id"]).sku == "F-2"


@pytest.mark.parametrize("how", ["wrong secret", "missing header", "tampered body", "other algorithm"])
def test_bad_signatures_are_refused_with_401_and_change_nothing(client, hooked, fake, how):
    product = fake.add_product("Food", sku="F-1", upc="000000000011")
    body, headers = FakeXSeries.webhook("product.update", product,
                                        "not-the-secret" if how == "wrong secret" else WEBHOOK_SECRET,
                                        sign="none" if how == "missing header" else "body")
    if how == "tampered body":
        body = body.replace(b"F-1", b"F-9")
    if how == "other algorithm":
        headers["X-Signature"] = headers["X-Signature"].replace("HMAC-SHA256", "HMAC-SHA1")
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "bad_signature"
    assert CatalogProduct.select().count() == 0 and WebhookReceipt.select().count() == 0


def test_bad_requests_get_clear_4xx_errors(client, hooked):
    assert client.post("/webhooks/lightspeed/nobody", data=b"payload=%7B%7D",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 404
    r = client.post(URL, json={"payload": {}})
    assert r.status_code == 415 and r.get_json()["error"]["code"] == "unsupported_media_type"
    body, headers = FakeXSeries.webhook("sale.update", {"id": "x"}, WEBHOOK_SECRET)
    body = body.replace(b"payload=%7B", b"payload=%5B%7B")  # no longer JSON; signed again below
    from loyalty.lightspeed.signature import sign
    headers["X-Signature"] = f"signature={sign(WEBHOOK_SECRET, body)},algorithm=HMAC-SHA256"
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"


# --- sales -----------------------------------------------------------------------------------------------------

def test_a_closed_sale_of_a_linked_customer_punches_once_when_replayed_three_times(client, store, fake):
    payload = sale_hook(fake, store["dana"], [(store["acana"], 1, 94.99), (store["toy"], 1, 9.99)])
    answers = [deliver(client, "sale.update", payload).get_json() for _ in range(3)]
    assert answers[0]["outcome"] == "committed" and answers[0]["account_id"] == store["account"]
    assert [a.get("replay", False) for a in answers] == [False, True, True]
    assert punches(store) == 1
    assert Punch.select().count() == 1
    # The same sale delivered again with a change that does not matter (a later sale.update) still punches once.
    payload["sale_date"] = "2026-01-15 10:05:00"
    assert deliver(client, "sale.update", payload).get_json()["outcome"] == "committed"
    assert Punch.select().count() == 1
    assert Sale.get().source == "webhook"


def test_a_multi_purchase_is_punched_and_flagged_for_review(client, store, fake):
    payload = sale_hook(fake, store["dana"], [(store["acana"], 3, 94.99)])
    assert deliver(client, "sale.update", payload).status_code == 200
    rows = list(Punch.select())
    assert sum(p.quantity for p in rows) == 3
    assert all(p.needs_review and p.reason == "needs reason" for p in rows)


def test_a_return_webhook_reverses_the_punches(client, store, fake):
    sale = fake.add_sale(store["dana"], [(store["acana"], 2, 94.99)])
    deliver(client, "sale.update", fake.sale_payload(sale))
    assert punches(store) == 2
    # Rung up to a walk-in: the original sale says whose punches these were.
    refund = fake.add_sale(None, [(store["acana"], -2, 94.99)], return_for=sale["id"])
    r = deliver(client, "sale.update", fake.sale_payload(refund))
    assert r.get_json()["outcome"] == "refunded", r.get_json()
    assert punches(store) == 0
    assert Sale.get(Sale.pos_sale_id == refund["id"]).kind == "refund"


def test_an_unknown_product_punches_nothing_and_is_reported(client, store, fake, caplog):
    stranger = {"id": "p-unknown", "name": "Not synced"}
    payload = sale_hook(fake, store["dana"], [(stranger, 1, 50.0)])
    r = deliver(client, "sale.update", payload)
    body = r.get_json()
    assert r.status_code == 200 and body["outcome"] == "committed"
    assert [w["code"] for w in body["warnings"]] == ["unknown_product"]
    assert Punch.select().count() == 0
    assert "p-unknown" in caplog.text
    audit = AuditLog.select().where(AuditLog.action == "pos.webhook").order_by(AuditLog.id.desc()).get()
    assert audit.details["warnings"] == ["unknown_product"]


@pytest.mark.parametrize("case", ["walk-in", "not linked", "parked"])
def test_sales_that_must_not_punch_are_ignored(client, store, fake, case):
    customer = {"walk-in": None, "not linked": fake.add_customer("Pat", "Other", "pat@example.com"),
                "parked": store["dana"]}[case]
    payload = sale_hook(fake, customer, [(store["acana"], 1, 94.99)],
                        status="SAVED" if case == "parked" else "CLOSED")
    r = deliver(client, "sale.update", payload)
    expected = {"walk-in": "ignored_walk_in", "not linked": "ignored_not_linked", "parked": "ignored_not_closed"}
    assert r.status_code == 200 and r.get_json()["outcome"] == expected[case]
    assert Punch.select().count() == 0


def test_a_voided_sale_takes_its_punches_back(client, store, fake):
    sale = fake.add_sale(store["dana"], [(store["acana"], 1, 94.99)])
    deliver(client, "sale.update", fake.sale_payload(sale))
    assert punches(store) == 1
    voided = fake.update("sales", sale["id"], status="VOIDED")
    assert deliver(client, "sale.update", fake.sale_payload(voided)).get_json()["outcome"] == "voided"
    assert punches(store) == 0


def test_a_sale_payload_we_cannot_read_is_a_422(client, store, fake):
    payload = sale_hook(fake, store["dana"], [(store["acana"], 1, 94.99)])
    payload["register_sale_products"][0]["quantity"] = "lots"
    r = deliver(client, "sale.update", payload)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"
    assert Punch.select().count() == 0


# --- catalog on the commit path, customers ---------------------------------------------------------------------

def test_the_catalog_maps_product_ids_on_the_register_commit_path(api, store):
    """The X-Series Client API messages carry only product ids: the extension can commit them as they are."""
    body = {"pos": {"system": "lightspeed-x", "sale_id": "S-ids", "store": "Main", "register": "R1"},
            "customer": {"pos_id": "c-42"},
            "lines": [{"line_id": "1", "product_id": store["acana"]["id"], "quantity": "1", "unit_price": "94.99"},
                      {"line_id": "2", "product_id": "p-nowhere", "quantity": "1", "unit_price": "5"}]}
    r = api.post("/api/v1/sales/commit", {"sale": body})
    assert r.status_code == 200, r.get_json()
    assert [c["punches_to_add"] for c in r.get_json()["cards"]] == [1]
    assert [w["code"] for w in r.get_json()["warnings"]] == ["unknown_product"]
    punch = Punch.get()
    assert (punch.upc, punch.sku, punch.item_name) == (ACANA, "ACA-WP-25", "ACANA Wild Prairie 25 lb")


def test_the_barcode_a_program_lists_wins_over_the_first_one(api, client, store, fake):
    both = fake.add_product("ACANA, EAN first", sku="ACA-2", ean="4006381333931", upc=ACANA)
    deliver(client, "product.update", {**both, "product_codes": list(reversed(both["product_codes"]))})
    payload = sale_hook(fake, store["dana"], [(both, 1, 94.99)])
    deliver(client, "sale.update", payload)
    assert Punch.get().upc == ACANA


def test_customer_update_upserts_and_an_older_version_does_not_overwrite(client, hooked, fake):
    customer = fake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344")
    newer = fake.update("customers", customer["id"], email="dana.new@example.com")
    assert deliver(client, "customer.update", newer).get_json()["outcome"] == "customer_saved"
    assert deliver(client, "customer.update", customer).get_json()["outcome"] == "customer_stale"
    row = PosCustomer.get(PosCustomer.customer_id == customer["id"])
    assert (row.email, row.phone, row.version) == ("dana.new@example.com", "+15552013344", newer["version"])


def test_a_sale_committed_at_the_register_is_not_punched_again_by_its_webhook(api, client, store, fake):
    sale = fake.add_sale(store["dana"], [(store["acana"], 2, 94.99)])
    line = sale["line_items"][0]
    body = {"pos": {"system": "lightspeed-x", "sale_id": sale["id"], "store": "Main", "register": "R1"},
            "customer": {"pos_id": "c-42"},
            "lines": [{"line_id": line["id"], "product_id": store["acana"]["id"], "quantity": "2",
                       "unit_price": "94.99"}]}
    reasons = {str(store["program"]): {"reason": "Multiple pets"}}
    assert api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons}).status_code == 200
    r = deliver(client, "sale.update", fake.sale_payload(sale))
    assert r.get_json()["outcome"] == "committed"
    assert [c["punches"] for c in r.get_json()["cards"]] == [0]
    rows = list(Punch.select())
    assert sum(p.quantity for p in rows) == 2 and {p.reason for p in rows} == {"Multiple pets"}


def test_imported_customers_fill_in_what_the_sell_screen_does_not_know(api, client, hooked, fake):
    """The X-Series sell screen gives only a customer id: the imported copy finds the account by email."""
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com"})
    account_id = r.get_json()["id"]
    customer = fake.add_customer("Dana", "Whitfield", "Dana@example.com", "555-201-3344")
    deliver(client, "customer.update", customer)
    r = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"},
                                                "customer": {"pos_id": customer["id"]}})
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "candidates"
    assert [(c["account"]["id"], c["match"]) for c in body["candidates"]] == [(account_id, "email")]
    assert (body["prefill"]["first_name"], body["prefill"]["phone"]) == ("Dana", "+15552013344")
    # An unknown id still resolves to nothing, without error.
    r = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"}, "customer": {"pos_id": "nope"}})
    assert r.get_json()["status"] == "none"


def test_a_new_account_is_prefilled_with_the_address_the_pos_has(api, client, hooked, fake):
    """The customer's address in X-Series (its physical address; the suburb where there is no city) fills the new
    account's mailing address, which manufacturers' claims may ask for; a customer without one prefills none."""
    customer = fake.add_customer("Ola", "Nordmann", "ola@example.com", "555-201-7777", address_1="12 Harbour Rd",
                                 address_2="Unit 4", suburb="Westside", state="OR", postcode="97205", country_id="us")
    bare = fake.add_customer("Kim", "Lee", "kim@example.com", None)
    deliver(client, "customer.update", customer)
    deliver(client, "customer.update", bare)

    def prefill(pos_id):
        return api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"},
                                                      "customer": {"pos_id": pos_id}}).get_json()["prefill"]

    assert prefill(customer["id"])["address"] == {"line1": "12 Harbour Rd", "line2": "Unit 4", "city": "Westside",
                                                  "region": "OR", "postal_code": "97205", "country": "US"}
    assert prefill(bare["id"])["address"] is None
    # What the prefill gives, the account takes as it is.
    r = api.post("/api/v1/accounts", {**{k: v for k, v in prefill(customer["id"]).items() if k != "phone"}})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["address"]["line1"] == "12 Harbour Rd"


def test_the_pos_own_first_and_last_name_win_over_splitting_the_display_name(api, client, hooked, fake):
    """The sell screen shows "Mary Ann Smith"; the synced customer record says first "Mary Ann", last "Smith"."""
    customer = fake.add_customer("Mary Ann", "Smith", "mary@example.com", "555-201-0000")
    deliver(client, "customer.update", customer)
    screen = {"pos_id": customer["id"], "name": "Mary Ann Smith", "email": "mary@example.com"}
    body = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"}, "customer": screen}).get_json()
    assert (body["prefill"]["first_name"], body["prefill"]["last_name"]) == ("Mary Ann", "Smith")
    # Not synced: the display name's last word is the last name (the form stays editable).
    unsynced = {"pos_id": "c-unsynced", "name": "Jean Paul Tremblay"}
    body = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"}, "customer": unsynced}).get_json()
    assert (body["prefill"]["first_name"], body["prefill"]["last_name"]) == ("Jean Paul", "Tremblay")


@pytest.mark.parametrize("event_type,payload", [
    ("sale.update", {"id": 5, "status": 3, "customer": "x", "register_sale_products": "y"}),
    ("sale.update", {"id": "s-1", "status": "CLOSED", "customer_id": "c-42", "customer": {"customer_code": 7},
                     "register_sale_products": [{"id": 1, "product_id": 2, "quantity": None}, "junk"]}),
    ("sale.update", {"id": "s-2", "status": "CLOSED", "customer_id": ["c-42"], "register_id": {"a": 1},
                     "return_for": 12, "register_sale_products": [{"quantity": "1e400"}]}),
    ("product.update", {"id": {"a": 1}, "product_codes": {"x": 1}, "brand": 5, "version": "later"}),
    ("product.update", {"name": "no id"}),
    ("customer.update", {"id": "c-x", "email": 5, "phone": ["555"], "first_name": {"a": 1}, "version": None}),
    ("inventory.update", {"id": "i-1"}),
])
def test_odd_payloads_get_an_answer_never_a_500(client, store, event_type, payload):
    r = deliver(client, event_type, payload)
    assert r.status_code in (200, 400, 422), r.get_json()
    assert "error" in r.get_json() or "outcome" in r.get_json()
