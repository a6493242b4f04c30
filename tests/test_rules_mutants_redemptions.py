"""Reward rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: the value cap and
suggested item come from this card's purchases only (exceptions and moved sales included), "most frequent"
counts units, the offer on the register skips units already free and counts purchases by SKU, an item named by
its POS product id is looked up in the catalog, and the audit row of a redemption says what was given."""
from builders import ACANA, TOTW_A, card_of, commit, line, program_body, sale
from loyalty.domain.adjustments import adjust_punches, exception_punch
from loyalty.lightspeed.models import CatalogProduct, PosConnection
from loyalty.models import AuditLog, Card, Redemption

SALE_REF = {"system": "lightspeed-x", "sale_id": "S-9"}


def program(manager_api, **kw):
    r = manager_api.post("/api/v1/programs", program_body(**{"multi_purchase_threshold": 5, **kw}))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def complete_card(api, account, prog):
    cards = card_of(api, account["id"], prog["id"], status="complete")
    assert cards, "no complete card"
    return cards[0]


def reward(api, card):
    r = api.get(f"/api/v1/cards/{card['id']}/reward")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def offer(api, card, lines, sale_id="S-9"):
    r = api.post(f"/api/v1/cards/{card['id']}/reward", {"sale": sale(sale_id, lines=lines)})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def redeem(api, card, item, sale_ref=SALE_REF):
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": sale_ref, "item": item})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_cap_and_suggested_item_come_from_this_cards_purchases_only(api, manager_api, linked):
    """Two programs on one account: a $60 ACANA bag completes the ACANA card, a $20 TOTW bag the TOTW one. The
    ACANA reward is worth $60 (the TOTW bag, cheaper, is another card's purchase)."""
    acana = program(manager_api, buy_quantity=1)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A, price="20.00", sku="TOTW-28"),
                                   line(2, price="60.00", sku="ACA-25", name="ACANA Wild Prairie")]))
    info = reward(api, complete_card(api, linked, acana))
    assert info["max_value"] == "60.00"
    assert info["suggested_item"] == {"upc": ACANA, "sku": "ACA-25", "name": "ACANA Wild Prairie"}
    assert reward(api, complete_card(api, linked, totw))["max_value"] == "20.00"


def test_a_card_filled_without_prices_has_a_reward_capped_at_zero(api, manager_api, linked):
    """Punches given by hand (an adjustment) and a sale line without a price: nothing on the card says what the
    free item may cost, so the cap is 0 and no item is suggested."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, price=None)]))
    adjust_punches(linked["id"], p["id"], 1, "test manager", reason="lost receipt")
    info = reward(api, complete_card(api, linked, p))
    assert (info["max_value"], info["suggested_item"]) == ("0.00", None)


def test_an_exception_punch_with_a_price_sets_the_cap_and_counts_as_bought(api, manager_api, linked):
    """A bag whose UPC is not on the list yet, forced onto the card (an exception) at $35: the reward is worth
    $35 and that bag, and on the register the same bag counts as bought once on the card."""
    p = program(manager_api, buy_quantity=1)
    exception_punch(linked["id"], p["id"], "test manager", reason="new UPC", upc=ACANA, sku="ACA-NEW",
                    item_name="ACANA new bag", unit_price="35.00")
    card = complete_card(api, linked, p)
    info = reward(api, card)
    assert info["max_value"] == "35.00"
    assert info["suggested_item"] == {"upc": ACANA, "sku": "ACA-NEW", "name": "ACANA new bag"}
    assert [c["bought_on_card"] for c in offer(api, card, [line("a", price="40.00")])["lines"]] == [1]


def test_a_moved_sale_keeps_what_its_bags_cost_for_the_reward(api, manager_api, linked):
    """A sale rung on the wrong customer is moved to the right account, where it completes the card: the reward
    there is capped by what the moved bags cost ($45 and $50: the lesser, $45) and the bags count as bought on
    the card, as they would had the sale been rung on the right account."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, price="50.00", sku="ACA-25"), line(2, price="45.00", sku="ACA-25")]))
    right = api.post("/api/v1/accounts", {"first_name": "Danielle", "last_name": "Whitfield"}).get_json()
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Dana's sister", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    card = complete_card(api, right, p)
    info = reward(api, card)
    assert info["max_value"] == "45.00"
    assert info["suggested_item"] == {"upc": ACANA, "sku": "ACA-25", "name": f"item {ACANA}"}
    assert [c["bought_on_card"] for c in offer(api, card, [line("a", price="40.00")])["lines"]] == [2]


def test_most_frequent_gives_the_item_bought_in_most_units_at_its_last_price(api, manager_api, linked):
    """Most frequent, buy 3: a TOTW bag, then an ACANA bag at $60, then another at $55 (three sales). ACANA was
    bought most (two units in two rows; the TOTW bag, first bought, wins only a tie); the cap is what the last
    one cost. Under "lesser or equal" the same card would give the $20 TOTW bag."""
    p = program(manager_api, buy_quantity=3, upcs=[ACANA, TOTW_A], reward_rule="most_frequent")
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A, price="20.00")]))
    commit(api, sale("S-2", lines=[line(1, price="60.00")]))
    commit(api, sale("S-3", lines=[line(1, price="55.00")]))
    info = reward(api, complete_card(api, linked, p))
    assert info["max_value"] == "55.00"
    assert info["suggested_item"] == {"upc": ACANA, "sku": None, "name": f"item {ACANA}"}


def test_the_offer_leaves_out_units_already_free_and_lines_of_no_units(api, manager_api, linked):
    """Buy 1: two cards complete. The first is redeemed for the $30 bag of sale S-9; offering the second on S-9
    leaves that line out (its one unit is already free) and a line of quantity 0, and defaults to the $50 bag."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, qty=2, price="60.00")]))
    first, second = card_of(api, linked["id"], p["id"], status="complete")
    redeem(api, first, {"sku": "ACA-A", "unit_price": "30.00"})
    answer = offer(api, second, [line("a", price="30.00", sku="ACA-A"), line("b", price="50.00", sku="ACA-B"),
                                 line("z", qty=0, price="10.00", sku="ACA-Z")])
    assert [c["line_id"] for c in answer["lines"]] == ["b"]
    assert answer["default_line_id"] == "b"


def test_the_offer_counts_purchases_by_sku_and_defaults_to_the_first_most_bought(api, manager_api, linked):
    """A POS that sends SKUs only. Most frequent, buy 3: two ACA-A bags and one ACA-B bag on the card. On the
    register ACA-A counts 2, ACA-B 1; of the two ACA-A lines the first is the default."""
    p = program(manager_api, buy_quantity=3, upcs=[], skus=["ACA-A", "ACA-B"], reward_rule="most_frequent")
    commit(api, sale("S-1", lines=[line(1, upc=None, sku="ACA-A", qty=2), line(2, upc=None, sku="ACA-B")]))
    card = complete_card(api, linked, p)
    answer = offer(api, card, [line("a1", upc=None, sku="ACA-A"), line("b", upc=None, sku="ACA-B"),
                               line("a2", upc=None, sku="ACA-A")])
    assert [(c["line_id"], c["bought_on_card"]) for c in answer["lines"]] == [("a1", 2), ("b", 1), ("a2", 2)]
    assert answer["default_line_id"] == "a1"


def test_lesser_or_equal_defaults_to_a_line_rung_at_zero(api, manager_api, linked):
    """A bag rung at $0.00 is cheaper than one at $0.50: it is the default free item."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1)]))
    answer = offer(api, complete_card(api, linked, p), [line("half", price="0.50"), line("zero", price="0.00")])
    assert answer["default_line_id"] == "zero"


def catalog_product():
    conn = PosConnection.create(prefix="petstore", base_url="https://petstore.retail.lightspeed.app",
                                token_encrypted="-", webhook_secret_encrypted="-", created_by="test")
    CatalogProduct.create(connection=conn, product_id="prod-acana-25", sku="ACA-25", upc=ACANA,
                          name="ACANA Wild Prairie 25 lb", barcodes=[ACANA])


def test_a_line_known_only_by_its_product_id_is_offered_and_redeemed_as_its_catalog_item(api, manager_api, linked):
    """The register sends a product id without a barcode: the offer finds the bag in the POS catalog, and the
    redemption records its UPC, SKU and name; the audit row names the register's line and what was given."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, price="60.00")]))
    catalog_product()
    card = complete_card(api, linked, p)
    answer = offer(api, card, [line("a", upc=None, name=None, price="40.00", product_id="prod-acana-25")])
    assert [(c["line_id"], c["product_id"], c["upc"], c["sku"]) for c in answer["lines"]] == [
        ("a", "prod-acana-25", ACANA, "ACA-25")]
    red = redeem(api, card, {"product_id": "prod-acana-25", "line_id": "a", "unit_price": "40.00"})
    row = Redemption.get_by_id(red["id"])
    assert (row.item_upc, row.item_sku, row.item_name) == (ACANA, "ACA-25", "ACANA Wild Prairie 25 lb")
    audit = AuditLog.get(AuditLog.action == "redemption.create")
    assert (audit.entity, audit.entity_id, audit.account_id, audit.actor) == (
        "redemption", str(row.id), linked["id"], "token:test cashier")
    assert audit.details == {
        "card_id": card["id"], "program_id": p["id"], "max_value": "60.00", "sale": SALE_REF,
        "item": {"product_id": "prod-acana-25", "line_id": "a", "unit_price": "40.00", "upc": ACANA, "sku": "ACA-25",
                 "name": "ACANA Wild Prairie 25 lb"}}


def test_the_audit_row_of_a_redemption_without_a_sale_keeps_the_item_as_given(api, manager_api, linked):
    """Redeemed at the counter without a sale: the audit row's item is what the cashier gave (no look-up), its
    price as text, and no sale."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, price="60.00")]))
    card = complete_card(api, linked, p)
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA, "unit_price": "59.5"}})
    assert r.status_code == 201, r.get_json()
    details = AuditLog.get(AuditLog.action == "redemption.create").details
    assert details["sale"] is None
    assert details["item"] == {"product_id": None, "sku": None, "upc": ACANA, "name": None, "unit_price": "59.5",
                               "line_id": None}


def test_redeeming_a_card_twice_says_it_is_already_redeemed(api, manager_api, linked):
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, price="60.00")]))
    card = complete_card(api, linked, p)
    redeem(api, card, {"upc": ACANA})
    assert Card.get_by_id(card["id"]).redeemed_at is not None
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": SALE_REF, "item": {"upc": ACANA}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_reward_available"
    assert "redeemed" in r.get_json()["error"]["message"]


def test_an_item_known_only_by_its_product_id_without_a_sale_is_recorded_as_given(api, manager_api, linked):
    """Without a sale there is no POS to look the product up in: the redemption is recorded without codes."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, price="60.00")]))
    catalog_product()
    red = redeem(api, complete_card(api, linked, p), {"product_id": "prod-acana-25", "unit_price": "40.00"},
                 sale_ref=None)
    row = Redemption.get_by_id(red["id"])
    assert (row.item_upc, row.item_sku, row.pos_sale_id) == (None, None, None)


def test_the_refusals_of_a_redemption_say_why(api, manager_api, linked):
    """An unknown card; a program that requires an address the account does not have."""
    r = api.post("/api/v1/cards/99999/redeem", {"item": {"upc": ACANA}})
    assert r.status_code == 404 and r.get_json()["error"]["message"]
    p = program(manager_api, buy_quantity=1, requires=["address"])
    commit(api, sale("S-1", lines=[line(1, price="60.00")]))
    r = api.post(f"/api/v1/cards/{complete_card(api, linked, p)['id']}/redeem", {"item": {"upc": ACANA}})
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "missing_account_fields" and error["message"] and list(error["fields"]) == ["address"]
