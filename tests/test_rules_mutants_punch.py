"""Punch-card rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: which reward
a returned free item gives back, a refund edited down taking that reward again, and the preview's projection of
the card (punches after the sale, rewards available)."""
from builders import ACANA, TOTW_A, card_of, line, program_body, sale
from loyalty.models import AuditLog, Card, Punch, Redemption, Sale, SaleLine


def commit(api, body, reasons=None):
    r = api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons or {}})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def preview(api, body):
    r = api.post("/api/v1/sales/preview", {"sale": body})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def refund(sale_id, original, lines):
    return sale(sale_id, lines=lines, return_for=original)


def program(manager_api, **kw):
    r = manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=5, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def redeem(api, card, upc, sale_id="S-2"):
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": sale_id},
                                                        "item": {"upc": upc, "unit_price": "50.00"}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_returned_free_item_reopens_its_own_reward_not_another_items(api, manager_api, linked):
    """S-2 gave two free items, an ACANA bag (its card redeemed first) and a TOTW bag, from two programs. Only the
    TOTW bag comes back: the TOTW card is a reward again; the ACANA reward stays used."""
    acana = program(manager_api, buy_quantity=1)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A)]))
    acana_card = card_of(api, linked["id"], acana["id"], status="complete")[0]
    totw_card = card_of(api, linked["id"], totw["id"], status="complete")[0]
    redeem(api, acana_card, ACANA)
    redeem(api, totw_card, TOTW_A)
    commit(api, sale("S-2", lines=[line(1, price="0"), line(2, upc=TOTW_A, price="0")]))
    commit(api, refund("R-2", "S-2", [line("r2", upc=TOTW_A, qty=-1, price="0")]))
    assert [c["id"] for c in card_of(api, linked["id"], totw["id"], status="complete")] == [totw_card["id"]]
    assert card_of(api, linked["id"], acana["id"], status="complete") == []
    assert Redemption.get(Redemption.card == acana_card["id"]).reversed_at is None


def test_a_returned_free_item_known_by_its_sku_reopens_its_reward(api, manager_api, linked):
    """A POS that sends SKUs without barcodes: the free item is found by its SKU, and only that one."""
    p = program(manager_api, buy_quantity=1, upcs=[], skus=["ACA-25"])
    other = program(manager_api, name="Other", buy_quantity=1, upcs=[], skus=["TOTW-28"])
    commit(api, sale("S-1", lines=[line(1, upc=None, sku="ACA-25"), line(2, upc=None, sku="TOTW-28")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    other_card = card_of(api, linked["id"], other["id"], status="complete")[0]
    for c, sku in ((other_card, "TOTW-28"), (card, "ACA-25")):
        r = api.post(f"/api/v1/cards/{c['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                        "item": {"sku": sku, "unit_price": "50.00"}})
        assert r.status_code == 201, r.get_json()
    commit(api, sale("S-2", lines=[line(1, upc=None, sku="ACA-25", price="0"),
                                   line(2, upc=None, sku="TOTW-28", price="0")]))
    commit(api, refund("R-2", "S-2", [line("r1", upc=None, sku="ACA-25", qty=-1, price="0")]))
    assert [c["id"] for c in card_of(api, linked["id"], p["id"], status="complete")] == [card["id"]]
    assert card_of(api, linked["id"], other["id"], status="complete") == []


def test_a_refund_edited_down_takes_back_the_reward_it_reopened(api, manager_api, linked):
    """S-2 rang two bags, one of them the free reward. Refund R-2 first returns both (the free one reopens the
    reward: the card is complete again, with an audit row), then is edited to one bag (the paid one): the reward
    is used again, redeemed when R-2 was edited, with its own audit row."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    red = redeem(api, card, ACANA)
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    commit(api, refund("R-2", "S-2", [line("r1", qty=-2)]))
    reopened = Card.get_by_id(card["id"])
    assert (reopened.status, reopened.redeemed_at) == ("complete", None)
    row = Redemption.get()
    assert row.reversed_at is not None and row.reversed_by is not None
    reverse = AuditLog.get(AuditLog.action == "redemption.reverse")
    assert (reverse.entity, reverse.entity_id, reverse.account_id) == ("redemption", str(row.id), linked["id"])
    assert reverse.actor == "token:test cashier" and reverse.details == {"reason": "free item returned",
                                                                         "refund_line": "r1"}

    commit(api, refund("R-2", "S-2", [line("r1", qty=-1)]))
    again = Card.get_by_id(card["id"])
    assert again.status == "redeemed" and again.redeemed_at is not None
    row = Redemption.get()
    assert row.reversed_at is None and row.reversed_by is None
    restore = AuditLog.get(AuditLog.action == "redemption.restore")
    assert (restore.entity, restore.entity_id, restore.account_id) == ("redemption", str(row.id), linked["id"])
    assert restore.actor == "token:test cashier"
    assert [c["id"] for c in card_of(api, linked["id"], p["id"], status="complete")] == []
    assert red["id"] == row.id


def test_the_preview_projects_completed_cards_and_what_is_left_on_the_open_one(api, manager_api, linked):
    """Buy 2, get 1: five bags in one visit complete two cards and leave one punch on a new one."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-0", lines=[line(1)]))  # one punch already on the open card
    card = next(c for c in preview(api, sale("S-1", lines=[line(1, qty=5)]))["cards"] if c["program_id"] == p["id"])
    assert (card["punches_before"], card["punches_to_add"]) == (1, 5)
    assert (card["punches_after"], card["rewards_available"]) == (0, 3)
    card = next(c for c in preview(api, sale("S-1", lines=[line(1, qty=4)]))["cards"] if c["program_id"] == p["id"])
    assert (card["punches_after"], card["rewards_available"]) == (1, 2)


def test_the_preview_of_a_refund_takes_a_completed_card_back_only_when_the_open_one_cannot_pay(api, manager_api,
                                                                                              linked):
    """Buy 2: three bags make one complete card and one punch. Returning one bag takes the open punch (the reward
    stays); returning two opens the completed card again."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    card = next(c for c in preview(api, refund("R-1", "S-1", [line("r1", qty=-1)]))["cards"]
                if c["program_id"] == p["id"])
    assert (card["punches_before"], card["rewards_available"], card["punches_to_add"]) == (1, 1, -1)
    assert card["punches_after"] == 0
    card = next(c for c in preview(api, refund("R-1", "S-1", [line("r1", qty=-2)]))["cards"]
                if c["program_id"] == p["id"])
    assert (card["punches_after"], card["rewards_available"]) == (1, 0)


def open_punches(api, account_id, *programs):
    return [sum(c["punches"] for c in card_of(api, account_id, p["id"], status="open")) for p in programs]


def test_a_return_of_a_fractional_quantity_reverses_no_punch_and_names_the_line(api, manager_api, linked):
    """A refund whose first line is not on the original sale and whose last returns half a bag: the whole bag
    in between is reversed, the half bag reverses nothing and is named in a warning."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, qty=1)]))
    answer = commit(api, refund("R-1", "S-1", [line("r0", upc=TOTW_A, qty=-1), line("r1", qty=-1),
                                               line("r2", qty="-0.5")]))
    assert open_punches(api, linked["id"], p) == [2]
    fractional = [w for w in answer["warnings"] if w["code"] == "fractional_quantity"]
    assert [w["line_id"] for w in fractional] == ["r2"] and fractional[0]["message"]


def test_refunds_of_one_line_edited_and_repeated_reverse_each_programs_punches_once(api, manager_api, linked):
    """Two programs count the same bag. Refund R-1 is edited (fewer bags, then more than are left), and a second
    refund R-2 returns the same line: each program's card follows what is returned in all, never more than the
    line holds."""
    a = program(manager_api, buy_quantity=10)
    b = program(manager_api, name="Second", buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=4)]))
    assert open_punches(api, linked["id"], a, b) == [4, 4]
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert open_punches(api, linked["id"], a, b) == [2, 2]
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))  # R-1 edited: one bag fewer comes back
    assert open_punches(api, linked["id"], a, b) == [3, 3]
    commit(api, refund("R-2", "S-1", [line("r1", qty=-2)]))  # another refund of the same line
    assert open_punches(api, linked["id"], a, b) == [1, 1]
    commit(api, refund("R-1", "S-1", [line("r1", qty=-3)]))  # R-1 edited up: only one more bag is left
    assert open_punches(api, linked["id"], a, b) == [0, 0]
    assert sum(row.quantity for row in Punch.select()) == 0


def test_moving_a_sale_moves_each_lines_punches_with_a_ledger_row_per_line(api, manager_api, linked):
    """The incorrect customer map, sales moved: each line's punches leave the first account and reach the
    right one, in rows of kind "move" that name the sale, the line and both accounts. A line whose punches were
    taken back before (net 0) moves nothing."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, qty=1), line(3, qty=1)]))
    commit(api, refund("R-1", "S-1", [line("3", qty=-1)]))  # line 3 comes back: it holds nothing now
    right = api.post("/api/v1/accounts", {"first_name": "Danielle", "last_name": "Whitfield"}).get_json()
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Dana's sister", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    assert open_punches(api, linked["id"], p) == [0] and open_punches(api, right["id"], p) == [3]
    sale_row = Sale.get(Sale.pos_sale_id == "S-1")
    lines = {row.id: row.line_id for row in SaleLine.select().where(SaleLine.sale == sale_row.id)}
    moves = sorted((lines[row.line_id], row.account_id, row.quantity, row.cause_id == row.line_id, row.sale_id,
                    row.note) for row in Punch.select().where(Punch.kind == "move"))
    note = f"moved from account {linked['id']} to {right['id']}"
    assert moves == sorted([("1", linked["id"], -2, True, sale_row.id, note), ("1", right["id"], 2, True, sale_row.id,
                                                                                note),
                            ("2", linked["id"], -1, True, sale_row.id, note), ("2", right["id"], 1, True, sale_row.id,
                                                                                note)])


def test_relinking_and_committing_again_moves_each_line_once(api, manager_api, linked):
    """The customer relinked to the right account, then the sale committed again: every line's punches move
    (a line that holds none moves nothing), and the answer counts them."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, qty=1)]))
    right = api.post("/api/v1/accounts", {"first_name": "Priya", "last_name": "Shah"}).get_json()
    manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Incorrect customer map"})
    api.put("/api/v1/links/lightspeed-x/c-42", {"account_id": right["id"]})
    body = sale("S-1", lines=[line(1, qty=2), line(2, qty=1), line(3, upc=TOTW_A)])
    before = preview(api, body)
    assert before["sale"]["moves_from"]["punches"] == 3
    assert sorted((u["line_id"], u["moving"]) for u in before["uncommitted_lines"]) == [("1", True), ("2", True),
                                                                                       ("3", False)]
    answer = commit(api, body)
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == 3
    assert open_punches(api, right["id"], p) == [3] and open_punches(api, linked["id"], p) == [0]
