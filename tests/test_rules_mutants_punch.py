"""Punch-card rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: which reward
a returned free item gives back, a refund edited down taking that reward again, and the preview's projection of
the card (punches after the sale, rewards available)."""
from builders import ACANA, TOTW_A, account, card_of, commit, line, preview, program_body, redeem_card, sale
from loyalty.models import AuditLog, Card, Program, Punch, Redemption, Sale, SaleLine


def refund(sale_id, original, lines):
    return sale(sale_id, lines=lines, return_for=original)


def program(manager_api, **kw):
    r = manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=5, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def redeem(api, card, upc, sale_id="S-2"):
    return redeem_card(api, card, sale_id, upc=upc, unit_price="50.00")


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


def test_the_reward_offer_lists_each_line_that_can_be_free_with_its_discount(api, manager_api, linked):
    """Buy 2 (lesser or equal): the card holds a $60 and a $40 bag. On the sale being rung: a $30 bag (the
    default, the cheapest), a $50 bag of which one unit is already free (still one paid unit: offered, discount
    capped at $40), a line without a price (discount: the cap), and a TOTW bag, which is not in the program."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, price="60.00"), line(2, price="40.00")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-9"},
                                                        "item": {"sku": "ACA-B", "unit_price": "50.00"}})
    assert r.status_code == 201, r.get_json()  # one bag of line b is already this sale's free item
    commit(api, sale("S-3", lines=[line(1, price="60.00"), line(2, price="40.00")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    lines = [line("a", price="30.00", sku="ACA-S"), line("b", qty=2, price="50.00", sku="ACA-B"), line("c", price=None),
             line("d", upc=TOTW_A, price="20.00")]
    r = api.post(f"/api/v1/cards/{card['id']}/reward", {"sale": sale("S-9", lines=lines)})
    assert r.status_code == 200, r.get_json()
    offer = r.get_json()
    assert offer["default_line_id"] == "a" and offer["max_value"] == "40.00"
    assert offer["lines"] == [
        {"line_id": "a", "product_id": None, "upc": ACANA, "sku": "ACA-S", "name": f"item {ACANA}",
         "unit_price": "30.00", "discount": "30.00", "bought_on_card": 2},
        {"line_id": "b", "product_id": None, "upc": ACANA, "sku": "ACA-B", "name": f"item {ACANA}",
         "unit_price": "50.00", "discount": "40.00", "bought_on_card": 2},
        {"line_id": "c", "product_id": None, "upc": ACANA, "sku": None, "name": f"item {ACANA}",
         "unit_price": None, "discount": "40.00", "bought_on_card": 2}]


def test_the_preview_of_a_refund_after_the_reward_was_used_shows_the_debt_the_commit_leaves(api, manager_api,
                                                                                           linked):
    """Buy 2: three bags complete a card (redeemed since) and leave one punch. Returning the three bags takes
    the punch and leaves a debt of two on the open card, no reward: the preview says what the commit then does."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    redeem(api, card_of(api, linked["id"], p["id"], status="complete")[0], ACANA)
    body = refund("R-1", "S-1", [line("r1", qty=-3)])
    shown = next(c for c in preview(api, body)["cards"] if c["program_id"] == p["id"])
    assert (shown["punches_before"], shown["punches_to_add"]) == (1, -3)
    assert (shown["punches_after"], shown["rewards_available"]) == (-2, 0)
    done = next(c for c in commit(api, body)["cards"] if c["program_id"] == p["id"])
    assert (done["punches_after"], done["rewards_available"]) == (-2, 0)
    assert [(c["status"], c["punches"]) for c in card_of(api, linked["id"], p["id"])] == [("open", -2)]


def test_moving_a_sale_at_the_register_counts_every_program_of_a_line_and_skips_lines_with_nothing_left(
        api, manager_api, linked):
    """The incorrect customer map, fixed at the register: S-1 was committed to Dana, then its customer is
    changed to Ola. Line 1's punch was taken back by an edit (nothing left to move); line 2's two bags count on
    two cards. The preview says four punches move, flags line 2 alone as moving, and the commit moves them."""
    acana = program(manager_api, buy_quantity=5)
    both = program(manager_api, buy_quantity=5, name="Any bag", upcs=[TOTW_A, ACANA])
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A), line(2, qty=2)]))
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A, qty=0), line(2, qty=2)]))  # line 1 taken back
    moved = sale("S-1", lines=[line(1, upc=TOTW_A, qty=0), line(2, qty=2)], customer="c-77")
    shown = preview(api, moved)
    assert shown["sale"]["moves_from"]["punches"] == 4  # 2 bags x 2 programs
    assert [(u["line_id"], u["moving"]) for u in shown["uncommitted_lines"]] == [("2", True)]
    answer = commit(api, moved)
    assert {c["program_id"]: c["punches_to_add"] for c in answer["cards"]} == {acana["id"]: 2, both["id"]: 2}
    assert open_punches(api, ola, acana, both) == [2, 2]
    assert open_punches(api, linked["id"], acana, both) == [0, 0]
    moves = Punch.select().where(Punch.kind == "move").order_by(Punch.id)
    assert sorted((m.account_id, m.program_id, m.quantity) for m in moves) == sorted(
        [(linked["id"], acana["id"], -2), (ola, acana["id"], 2), (linked["id"], both["id"], -2), (ola, both["id"], 2)])
    assert Card.select().where(Card.account == ola).count() == 2


def test_a_sale_moved_at_the_register_with_a_bag_added_shows_both_on_the_card(api, manager_api, linked):
    """The cashier fixes the customer and adds a third bag in the same commit: the card shows the two bags that
    move and the new one, and the right account gets all three."""
    acana = program(manager_api, buy_quantity=5)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    moved = sale("S-1", lines=[line(1, qty=3)], customer="c-77")
    card = next(c for c in preview(api, moved)["cards"] if c["program_id"] == acana["id"])
    assert (card["punches_before"], card["punches_to_add"], card["punches_after"]) == (0, 3, 3)
    card = next(c for c in commit(api, moved)["cards"] if c["program_id"] == acana["id"])
    assert (card["punches_to_add"], card["punches_after"]) == (3, 3)
    assert open_punches(api, ola, acana) == [3] and open_punches(api, linked["id"], acana) == [0]


def test_returning_free_bags_reopens_as_many_rewards_as_bags_and_an_edit_down_takes_back_only_its_own(
        api, manager_api, linked):
    """Buy 1, get 1. An older reward (card 1, used on S-0) and an unused one (card 4) are not this refund's. S-2 gave
    two free bags (cards 2 and 3; the items known by UPC and SKU). R-2 returns one free bag: one reward is back;
    edited to two: both; edited down to one again: one is used again (the oldest), and nothing else changes."""
    p = program(manager_api, buy_quantity=1)

    def use(card, sale_id):
        r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": sale_id},
                                                           "item": {"upc": ACANA, "sku": "ACA-25",
                                                                    "unit_price": "50.00"}})
        assert r.status_code == 201, r.get_json()

    commit(api, sale("S-1", lines=[line(1, qty=4)]))
    first, second, third, fourth = card_of(api, linked["id"], p["id"], status="complete")
    use(first, "S-0")
    use(second, "S-2")
    use(third, "S-2")
    commit(api, sale("S-2", lines=[line(1, qty=2, price="0", sku="ACA-25")]))

    def complete():
        return sorted(c["id"] for c in card_of(api, linked["id"], p["id"], status="complete"))

    def returning(n):
        commit(api, refund("R-2", "S-2", [line("r1", qty=-n, price="0", sku="ACA-25")]))

    assert complete() == [fourth["id"]]
    returning(1)
    assert complete() == [second["id"], fourth["id"]]  # the first of the two rewards S-2 used
    returning(2)
    assert complete() == [second["id"], third["id"], fourth["id"]]
    returning(1)
    assert complete() == [third["id"], fourth["id"]]  # the oldest reopened reward is the one used again
    assert Card.get_by_id(first["id"]).status == "redeemed"
    assert Redemption.select().where(Redemption.reversed_at.is_null(False)).count() == 1


def test_a_return_of_one_and_a_half_bags_reverses_no_punch(api, manager_api, linked):
    """A quantity that is not whole reverses nothing (the cashier is told), however many whole units it holds."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    answer = commit(api, refund("R-1", "S-1", [line("r1", qty="-1.5")]))
    assert open_punches(api, linked["id"], p) == [3]
    assert [w["line_id"] for w in answer["warnings"] if w["code"] == "fractional_quantity"] == ["r1"]


def test_returning_an_item_no_program_counts_takes_no_punch_from_another_programs_card(api, manager_api, linked):
    """A TOTW bag (no TOTW program) is returned: the ACANA card, punched by another sale, keeps its punch."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-0", lines=[line(1)]))
    commit(api, sale("S-1", lines=[line(1, upc=TOTW_A)]))
    answer = commit(api, refund("R-1", "S-1", [line("r1", upc=TOTW_A, qty=-1)]))
    assert open_punches(api, linked["id"], p) == [1]
    assert [(c["program_id"], c["punches_to_add"]) for c in answer["cards"] if c["punches_to_add"]] == []


def test_an_archived_programs_punches_stay_when_the_sale_is_edited_or_moved(api, manager_api, linked):
    """A manufacturer's program ended and was archived. Editing an old sale (a bag added) gives no new punch on it
    and takes none of the two it gave, while an active program's line taken off the sale loses its punch; fixing
    the sale's customer moves the two, and the register shows them."""
    p = program(manager_api, buy_quantity=5)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=5)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)]))
    Program.update(status="archived").where(Program.id == p["id"]).execute()
    edited = sale("S-1", lines=[line(1, qty=3)])  # a bag more, and the TOTW line gone
    card = next(c for c in preview(api, edited)["cards"] if c["program_id"] == p["id"])
    assert (card["punches_before"], card["punches_to_add"], card["punches_after"]) == (2, 0, 2)
    commit(api, edited)
    assert open_punches(api, linked["id"], p, totw) == [2, 0]
    moved = sale("S-1", lines=[line(1, qty=3)], customer="c-77")
    shown = preview(api, moved)
    assert shown["sale"]["moves_from"]["punches"] == 2
    assert {c["program_id"]: c["punches_to_add"] for c in shown["cards"]} == {p["id"]: 2, totw["id"]: 0}
    commit(api, moved)
    assert open_punches(api, ola, p) == [2] and open_punches(api, linked["id"], p) == [0]
