"""Refunds reverse exactly what a sale earned; redemptions record the free item and its value cap."""
from builders import ACANA, TOTW_A, TOTW_B, card_of, line, program_body, sale
from loyalty.models import AuditLog, Punch, Redemption


def commit(api, body, reasons=None):
    return api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons or {}})


def refund(sale_id, original, lines, **kw):
    return sale(sale_id, lines=lines, return_for=original, **kw)


def test_refund_reverses_what_the_original_line_punched(api, program, linked):
    commit(api, sale("S-1", lines=[line(1, qty=3)]), {str(program["id"]): {"reason": "Multiple pets"}})
    r = commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["cards"][0]["punches_to_add"] == -2
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1
    assert Punch.select().where(Punch.kind == "refund").count() == 1


def test_a_second_refund_of_the_same_items_reverses_nothing_more(api, program, linked):
    commit(api, sale("S-1", lines=[line(1, qty=2)]), {str(program["id"]): {"reason": "Multiple pets"}})
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    r = commit(api, refund("R-2", "S-1", [line("r1", qty=-2)]))
    assert r.status_code == 200
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 0
    assert Punch.select().where(Punch.kind == "refund").count() == 1


def test_refund_never_takes_more_than_the_sale_earned(api, program, linked):
    commit(api, sale("S-0", lines=[line(1)]))  # another sale's punch must survive
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-5)]))
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_refund_replay_is_idempotent(api, program, linked):
    commit(api, sale("S-1", lines=[line(1, qty=2)]), {str(program["id"]): {"reason": "Multiple pets"}})
    for _ in range(3):
        assert commit(api, refund("R-1", "S-1", [line("r1", qty=-1)])).status_code == 200
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_refund_follows_the_original_account_even_on_a_walk_in_refund(api, program, linked):
    commit(api, sale("S-1", lines=[line(1)]))
    r = commit(api, refund("R-1", "S-1", [line("r1", qty=-1)], customer=None))
    assert r.status_code == 200 and r.get_json()["account"]["id"] == linked["id"]
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 0


def test_refund_of_a_sale_never_committed_is_recorded_with_nothing_to_reverse(api, program, linked):
    r = commit(api, refund("R-9", "S-never", [line("r1", qty=-1)]))
    assert r.status_code == 200
    assert [w["code"] for w in r.get_json()["warnings"]] == ["original_not_committed"]
    assert Punch.select().count() == 0
    from loyalty.models import Sale
    assert Sale.get(Sale.pos_sale_id == "R-9").kind == "refund"


def test_refund_reopens_a_completed_card(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=2, multi_purchase_threshold=5)).get_json()
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    assert [c["status"] for c in card_of(api, linked["id"], p["id"])] == ["complete", "open"]
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    cards = card_of(api, linked["id"], p["id"])
    assert [(c["status"], c["punches"]) for c in cards] == [("open", 1)]


def buy_two_program(manager_api, **program_kw):
    """A program whose card completes after two units bought in one visit (no reason asked)."""
    return manager_api.post("/api/v1/programs", program_body(buy_quantity=2, multi_purchase_threshold=5,
                                                             **program_kw)).get_json()


def redeemed_in_sale_s2(api, manager_api, account_id):
    """Sale S-1 completes a card; its reward (an ACANA bag) is redeemed in sale S-2. Returns (program, card)."""
    p = buy_two_program(manager_api)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    card = card_of(api, account_id, p["id"], status="complete")[0]
    api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                   "item": {"upc": ACANA, "unit_price": "94.99"}})
    return p, card


def test_redeem_caps_the_value_at_the_lowest_price_punched(api, manager_api, linked):
    p = buy_two_program(manager_api, upcs=[TOTW_A, TOTW_B])
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A, price="64.99"), line(2, upc=TOTW_B, price="59.49")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    info = api.get(f"/api/v1/cards/{card['id']}/reward").get_json()
    assert info["max_value"] == "59.49" and info["missing_fields"] == []
    r = api.post(f"/api/v1/cards/{card['id']}/redeem",
                 {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                  "item": {"upc": TOTW_A, "name": "High Prairie", "unit_price": "64.99"}})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["max_value"] == "59.49" and r.get_json()["discount"] == "59.49"
    assert card_of(api, linked["id"], p["id"], status="complete") == []
    assert AuditLog.select().where(AuditLog.action == "redemption.create").count() == 1
    # a card cannot be redeemed twice
    again = api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": TOTW_A}})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "no_reward_available"


def test_most_frequent_rule_gives_the_item_bought_most(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=3, upcs=[TOTW_A, TOTW_B],
                                                          reward_rule="most_frequent",
                                                          multi_purchase_threshold=5)).get_json()
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A, price="64.99"), line(2, upc=TOTW_B, qty=2, price="62.99")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    info = api.get(f"/api/v1/cards/{card['id']}/reward").get_json()
    assert info["suggested_item"]["upc"] == TOTW_B and info["max_value"] == "62.99"



def test_most_frequent_rule_breaks_a_tie_for_the_item_bought_first(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=2, upcs=[TOTW_A, TOTW_B],
                                                          reward_rule="most_frequent")).get_json()
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_B, price="62.99")]))
    commit(api, sale("S-2", lines=[line(1, upc=TOTW_A, price="64.99")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    info = api.get(f"/api/v1/cards/{card['id']}/reward").get_json()
    assert info["suggested_item"]["upc"] == TOTW_B and info["max_value"] == "62.99"

def test_incomplete_card_has_no_reward(api, program, linked):
    commit(api, sale("S-1", lines=[line(1)]))
    card = card_of(api, linked["id"], program["id"])[0]
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_reward_available"
    assert "1 of 12" in r.get_json()["error"]["message"]


def test_redeem_refuses_until_required_fields_are_on_the_account(api, manager_api, linked):
    p = buy_two_program(manager_api, requires=["address", "email"])
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    manager_api.patch(f"/api/v1/accounts/{linked['id']}", {"email": None})  # a register cannot remove one
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA}})
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["code"] == "missing_account_fields" and set(err["fields"]) == {"address", "email"}
    assert Redemption.select().count() == 0
    api.patch(f"/api/v1/accounts/{linked['id']}", {"email": "dana@example.com", "address": {
        "line1": "1 Main St", "city": "Portland", "region": "OR", "postal_code": "97205", "country": "us"}})
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA, "unit_price": "94.99"}})
    assert r.status_code == 201


def test_free_item_in_the_redemption_sale_does_not_punch(api, manager_api, linked):
    p, _ = redeemed_in_sale_s2(api, manager_api, linked["id"])
    # the free bag plus one paid bag on the next sale: only the paid one punches
    r = commit(api, sale("S-2", lines=[line(1, qty=2)]))
    assert r.status_code == 200, r.get_json()
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 1


def test_returning_the_free_item_reopens_its_reward(api, manager_api, linked):
    p, card = redeemed_in_sale_s2(api, manager_api, linked["id"])
    commit(api, sale("S-2", lines=[line(1, qty=1, price="0")]))
    assert card_of(api, linked["id"], p["id"], status="complete") == []
    r = commit(api, refund("R-2", "S-2", [line("r1", qty=-1, price="0")]))
    assert r.status_code == 200, r.get_json()
    assert [c["id"] for c in card_of(api, linked["id"], p["id"], status="complete")] == [card["id"]]
    assert Redemption.get().reversed_at is not None
    # replaying the refund does not reopen anything more, and no punch was taken back
    commit(api, refund("R-2", "S-2", [line("r1", qty=-1, price="0")]))
    assert Redemption.select().where(Redemption.reversed_at.is_null(False)).count() == 1
    assert Punch.select().where(Punch.kind == "refund").count() == 0


def test_refund_after_redemption_takes_the_punches_back_as_a_debt(api, manager_api, linked):
    """Buy, earn, redeem, refund: the reward was not paid for, so the next card starts in debt."""
    p = buy_two_program(manager_api)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA}})
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    open_card = card_of(api, linked["id"], p["id"], status="open")[0]
    assert open_card["punches"] == -2


def test_refund_of_punches_on_an_expired_card_spares_the_new_card(api, manager_api, linked):
    import datetime as dt
    from loyalty.models import Card

    p = manager_api.post("/api/v1/programs", program_body(window_days=365)).get_json()
    commit(api, sale("S-old", lines=[line(1)]))
    old = Card.get(Card.program == p["id"])
    Card.update(expires_at=old.expires_at - dt.timedelta(days=400)).where(Card.id == old.id).execute()
    commit(api, sale("S-new", lines=[line(1)]))  # expires the old card, punches a new one
    commit(api, refund("R-old", "S-old", [line("r1", qty=-1)]))
    cards = {c.seq: (c.status, c.punches) for c in Card.select().where(Card.program == p["id"])}
    assert cards == {1: ("expired", 0), 2: ("open", 1)}


def test_refund_after_redemption_takes_from_the_live_cards_first(api, manager_api, linked):
    """Punches of a program are fungible: a refund of a redeemed card's purchase takes back punches the customer
    still holds before it runs up a debt."""
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=2, multi_purchase_threshold=9)).get_json()
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    first = card_of(api, linked["id"], p["id"], status="complete")[0]
    api.post(f"/api/v1/cards/{first['id']}/redeem", {"item": {"upc": ACANA}})
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))  # card 1 was redeemed: card 2 gives one back
    assert [(c["status"], c["punches"]) for c in card_of(api, linked["id"], p["id"])] == [("open", 1)]
    commit(api, refund("R-2", "S-2", [line("r1", qty=-1)]))
    live = card_of(api, linked["id"], p["id"])
    assert [(c["status"], c["punches"]) for c in live] == [("open", 0)]
    assert sum(x.quantity for x in Punch.select().where(Punch.program == p["id"])) == 4 - 2


def test_partial_refunds_give_back_paid_units_first_then_the_free_one(api, manager_api, linked):
    """S-2 rang two bags, one of them the free reward. The first bag returned is a paid one (its punch comes
    back); the second return of the same line, counted after the first, is the free bag: the reward reopens."""
    p, card = redeemed_in_sale_s2(api, manager_api, linked["id"])
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 1
    commit(api, refund("R-2", "S-2", [line(1, qty=-1)]))
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 0
    assert card_of(api, linked["id"], p["id"], status="complete") == []
    commit(api, refund("R-3", "S-2", [line(1, qty=-1)]))
    assert [c["id"] for c in card_of(api, linked["id"], p["id"], status="complete")] == [card["id"]]
    assert Redemption.get().reversed_by is not None


def test_a_refund_reopens_no_more_rewards_than_the_line_has_units_left(api, manager_api, linked):
    """Three rewards redeemed in S-2: two free bags on line 1, one on line 2. Line 1 comes back one bag, then
    'two' more (only one is left on it): two rewards reopen, and line 2's free bag, never returned, stays
    redeemed."""
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=1, multi_purchase_threshold=5)).get_json()
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    cards = card_of(api, linked["id"], p["id"], status="complete")
    assert len(cards) == 3
    for c in cards:
        r = api.post(f"/api/v1/cards/{c['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                        "item": {"upc": ACANA, "unit_price": "94.99"}})
        assert r.status_code == 201, r.get_json()
    commit(api, sale("S-2", lines=[line(1, qty=2, price="0"), line(2, qty=1, price="0")]))
    commit(api, refund("R-2", "S-2", [line(1, qty=-1, price="0")]))
    assert len(card_of(api, linked["id"], p["id"], status="complete")) == 1
    commit(api, refund("R-3", "S-2", [line(1, qty=-2, price="0")]))
    assert len(card_of(api, linked["id"], p["id"], status="complete")) == 2
    assert Redemption.select().where(Redemption.reversed_at.is_null()).count() == 1
