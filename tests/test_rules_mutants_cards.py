"""Punch-card mechanics (domain/cards.py), written for its first mutation run (scripts/mutation, docs/testing.md):
completion and roll-over onto the next card, the completion window (set by the first punch, a card
expiring the moment its window ends), taking punches back (expired cards first, newest live card next, then a
debt), and the cards an account shows."""
import datetime as dt
from decimal import Decimal

from builders import ACANA, TOTW_A, card_of, commit, line, program_body, redeem_card, sale, statements
from loyalty import events
from loyalty.domain import cards
from loyalty.domain.adjustments import adjust_punches
from loyalty.models import AuditLog, Card, Program, Punch, Sale, SaleLine, utcnow


def program(manager_api, **kw):
    r = manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=50, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def refund(sale_id, original, lines):
    return sale(sale_id, lines=lines, return_for=original)


def rows_of(program_id):
    return [(r.card_id, r.kind, r.quantity) for r in Punch.select().where(Punch.program == program_id)
            .order_by(Punch.id)]


def cards_of(program_id):
    return [(c.seq, c.status, c.punches) for c in Card.select().where(Card.program == program_id).order_by(Card.seq)]


def assert_cards_hold_their_ledger(program_id):
    """A card's punches are the sum of its ledger rows (models.Card)."""
    for card in Card.select().where(Card.program == program_id):
        rows = Punch.select().where(Punch.card == card.id)
        assert card.punches == sum(r.quantity for r in rows), (card.seq, card.status)


def test_a_sale_of_more_than_a_card_holds_completes_cards_and_rolls_over(api, manager_api, linked):
    """Buy 3: seven bags in one sale fill two cards (each a reward, completed at the sale) and leave one punch on a
    third; each card's punches are a ledger row of the sale's line, with what the line said."""
    p = program(manager_api, buy_quantity=3, window_days=30)
    commit(api, sale("S-1", lines=[line(1, qty=7, price="94.99", sku="ACA-25", name="ACANA 25 lb")]))
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "complete", 3), (3, "open", 1)]
    shown = card_of(api, linked["id"], p["id"])
    assert [(c["seq"], c["status"], c["punches"], c["rewards_available"], c["buy_quantity"]) for c in shown] == [
        (1, "complete", 3, 1, 3), (2, "complete", 3, 1, 3), (3, "open", 1, 0, 3)]
    assert all(c["program"] == "ACANA 25 lb" and c["completed_at"] for c in shown[:2])
    assert shown[2]["completed_at"] is None and shown[2]["expires_at"] is not None
    ids = [c["id"] for c in shown]
    rows = list(Punch.select().where(Punch.program == p["id"]).order_by(Punch.id))
    assert [(r.card_id, r.quantity) for r in rows] == [(ids[0], 3), (ids[1], 3), (ids[2], 1)]
    for r in rows:
        assert (r.account_id, r.kind, r.actor, r.upc, r.sku, r.item_name) == (
            linked["id"], "purchase", "token:test cashier", ACANA, "ACA-25", "ACANA 25 lb")
        assert r.unit_price == Decimal("94.99") and r.line_id is not None and r.sale_id is not None
    done = {c.seq: c for c in Card.select().where(Card.program == p["id"])}
    for seq in (1, 2, 3):
        card = done[seq]
        assert card.expires_at - card.first_punch_at == dt.timedelta(days=30)
    assert done[1].completed_at == done[1].first_punch_at
    assert_cards_hold_their_ledger(p["id"])


def test_each_completed_card_is_announced_once_with_its_account_and_program(api, manager_api, linked, monkeypatch):
    """What tells the customer a reward is ready (the outbox's reward messages) hears of each card completed:
    two cards in one sale, two announcements."""
    heard = []
    monkeypatch.setitem(events._subscribers, "card.completed",
                        [lambda card, account_id, program, **_: heard.append((card.id, card.status, account_id,
                                                                              program.id))])
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=5)]))
    ids = [c["id"] for c in card_of(api, linked["id"], p["id"], status="complete")]
    assert heard == [(i, "complete", linked["id"], p["id"]) for i in ids] and len(ids) == 2


def test_punches_that_exactly_fill_the_open_card_complete_it(api, manager_api, linked):
    """Buy 3: two bags, then one more: the third punch completes the card (no empty next card is made)."""
    p = program(manager_api, buy_quantity=3)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    commit(api, sale("S-2", lines=[line(1, qty=1)]))
    assert cards_of(p["id"]) == [(1, "complete", 3)]
    commit(api, sale("S-3", lines=[line(1, qty=1)]))
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "open", 1)]
    assert [q for _c, _k, q in rows_of(p["id"])] == [2, 1, 1]


def test_the_window_starts_at_the_first_punch_and_later_punches_keep_it(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10, window_days=30)
    commit(api, sale("S-1", lines=[line(1)]))
    first = Card.get(Card.program == p["id"])
    assert first.expires_at - first.first_punch_at == dt.timedelta(days=30)
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    again = Card.get(Card.program == p["id"])
    assert (again.punches, again.first_punch_at, again.expires_at) == (3, first.first_punch_at, first.expires_at)


def test_a_program_without_a_window_never_expires_its_cards(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, sale("S-2", lines=[line(1)]))
    card = Card.get(Card.program == p["id"])
    assert (card.punches, card.expires_at) == (2, None) and card.first_punch_at is not None


def test_one_sale_punching_two_programs_puts_each_programs_count_and_window_on_its_own_card(api, manager_api,
                                                                                            linked):
    """Two programs whose open cards have room: one sale adds 2 to one and 3 to the other. Their cards were
    emptied by a refund (no first punch any more), so the sale starts each one's own window again."""
    a = program(manager_api, name="A", buy_quantity=10, window_days=30)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=12, window_days=90)
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1), line("r2", upc=TOTW_A, qty=-1)]))
    emptied = {c.program_id: c for c in Card.select()}
    assert [(emptied[p["id"]].punches, emptied[p["id"]].first_punch_at, emptied[p["id"]].expires_at)
            for p in (a, b)] == [(0, None, None), (0, None, None)]
    commit(api, sale("S-2", lines=[line(1, qty=2), line(2, upc=TOTW_A, qty=3)]))
    now = {c.program_id: c for c in Card.select()}
    assert (now[a["id"]].punches, now[b["id"]].punches) == (2, 3)
    assert now[a["id"]].expires_at - now[a["id"]].first_punch_at == dt.timedelta(days=30)
    assert now[b["id"]].expires_at - now[b["id"]].first_punch_at == dt.timedelta(days=90)
    commit(api, sale("S-3", lines=[line(1, qty=1), line(2, upc=TOTW_A, qty=4)]))
    later = {c.program_id: c for c in Card.select()}
    assert (later[a["id"]].punches, later[b["id"]].punches) == (3, 7)
    assert (later[a["id"]].expires_at, later[b["id"]].expires_at) == (now[a["id"]].expires_at,
                                                                       now[b["id"]].expires_at)
    assert Card.select().count() == 2
    sale_rows = [(r.program_id, r.quantity) for r in Punch.select().where(Punch.kind == "purchase").order_by(Punch.id)]
    assert sale_rows[-2:] == [(a["id"], 1), (b["id"], 4)]
    assert_cards_hold_their_ledger(a["id"])
    assert_cards_hold_their_ledger(b["id"])


def test_one_sale_completing_one_programs_card_still_punches_the_others(api, manager_api, linked):
    """Of two programs, one card has room and the other completes: each gets its punches, and the sale's ledger
    rows go in together, in one statement."""
    a = program(manager_api, name="A", buy_quantity=10)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A)]))
    before = Punch.select().count()
    with statements() as seen:
        commit(api, sale("S-2", lines=[line(1, qty=2), line(2, upc=TOTW_A, qty=2)]))
    assert cards_of(a["id"]) == [(1, "open", 3)]
    assert cards_of(b["id"]) == [(1, "complete", 2), (2, "open", 1)]
    assert sorted((r.program_id, r.quantity) for r in Punch.select().order_by(Punch.id)[before:]) == [
        (a["id"], 2), (b["id"], 1), (b["id"], 1)]
    assert len([sql for sql in seen if 'INSERT INTO "punch"' in sql]) == 1


def test_a_card_expires_the_moment_its_window_ends(app, manager_api, linked):
    """At the end of its window an open card is expired (not a second later) and the next punch starts card 2;
    a second before, it is still the open card."""
    p = Program.get_by_id(program(manager_api, buy_quantity=10, window_days=30)["id"])
    start = utcnow().replace(microsecond=0)
    cards.add_punches(linked["id"], p, 1, cards.PunchContext(actor="test"), start)
    end = start + dt.timedelta(days=30)
    assert cards.open_card(linked["id"], p, end - dt.timedelta(seconds=1)).seq == 1
    fresh = cards.open_card(linked["id"], p, end)
    assert (fresh.seq, fresh.status, fresh.punches) == (2, "open", 0)
    assert cards_of(p.id) == [(1, "expired", 1), (2, "open", 0)]


def test_a_punch_at_the_end_of_the_window_goes_on_a_new_card(app, manager_api, linked):
    p = Program.get_by_id(program(manager_api, buy_quantity=10, window_days=30)["id"])
    start = utcnow().replace(microsecond=0)
    cards.add_punches(linked["id"], p, 2, cards.PunchContext(actor="test"), start)
    cards.add_punches(linked["id"], p, 1, cards.PunchContext(actor="test"), start + dt.timedelta(days=30))
    assert cards_of(p.id) == [(1, "expired", 2), (2, "open", 1)]
    second = Card.get(Card.seq == 2)
    assert second.first_punch_at == start + dt.timedelta(days=30)


def test_only_an_open_card_with_a_window_expires(app, manager_api, linked):
    p = Program.get_by_id(program(manager_api, buy_quantity=2, window_days=30)["id"])
    start = utcnow().replace(microsecond=0)
    cards.add_punches(linked["id"], p, 2, cards.PunchContext(actor="test"), start)
    complete = Card.get(Card.seq == 1)
    assert cards.expire_if_due(complete, p, start + dt.timedelta(days=400)) is False
    assert complete.status == "complete"
    endless = Card(status="open", expires_at=None, punches=1)
    assert cards.expire_if_due(endless, p, start + dt.timedelta(days=400)) is False


def test_the_account_page_marks_an_open_card_past_its_window_expired_and_sorts_by_program(api, manager_api, linked):
    """The account's cards, by program name then card number; an open card whose window has ended shows as
    expired before anything writes it."""
    zeta = program(manager_api, name="Zeta", buy_quantity=2, window_days=30)
    alpha = program(manager_api, name="Alpha", upcs=[TOTW_A], buy_quantity=5)
    commit(api, sale("S-1", lines=[line(1, qty=3), line(2, upc=TOTW_A)]))
    Card.update(expires_at=utcnow() - dt.timedelta(seconds=5)).where(
        (Card.program == zeta["id"]) & (Card.status == "open")).execute()
    shown = api.get(f"/api/v1/accounts/{linked['id']}").get_json()["cards"]
    assert [(c["program"], c["seq"], c["status"]) for c in shown] == [
        ("Alpha", 1, "open"), ("Zeta", 1, "complete"), ("Zeta", 2, "expired")]
    assert Card.get((Card.program == zeta["id"]) & (Card.seq == 2)).status == "open"


def test_the_history_lists_every_card_with_its_program(api, manager_api, linked):
    """The account's history: every card of every program, redeemed ones too, by program name then number, each
    with its own program's name and goal."""
    p = program(manager_api, name="Bags", buy_quantity=1)
    other = program(manager_api, name="Alpha treats", upcs=[TOTW_A], buy_quantity=4)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)]))
    first = card_of(api, linked["id"], p["id"], status="complete")[0]
    r = api.post(f"/api/v1/cards/{first['id']}/redeem", {"item": {"upc": ACANA}})
    assert r.status_code == 201, r.get_json()
    listed = api.get(f"/api/v1/accounts/{linked['id']}?history=1").get_json()["all_cards"]
    assert [(c["program"], c["program_id"], c["seq"], c["status"], c["buy_quantity"], c["rewards_available"])
            for c in listed] == [("Alpha treats", other["id"], 1, "open", 4, 0), ("Bags", p["id"], 1, "redeemed", 1, 0),
                                 ("Bags", p["id"], 2, "complete", 1, 1)]
    assert listed[1]["redeemed_at"] is not None and listed[2]["redeemed_at"] is None
    assert listed[0]["first_punch_at"] is not None and listed[0]["expires_at"] is None
    assert [c["seq"] for c in card_of(api, linked["id"], p["id"])] == [2]


def test_an_open_card_shows_expired_from_the_end_of_its_window(app, manager_api, linked):
    p = Program.get_by_id(program(manager_api, buy_quantity=10, window_days=30)["id"])
    start = utcnow().replace(microsecond=0)
    cards.add_punches(linked["id"], p, 1, cards.PunchContext(actor="test"), start)
    end = start + dt.timedelta(days=30)
    before = cards.account_cards(linked["id"], now=end - dt.timedelta(seconds=1))
    at = cards.account_cards(linked["id"], now=end)
    assert [(c["seq"], c["status"]) for c in before] == [(1, "open")]
    assert [(c["seq"], c["status"]) for c in at] == [(1, "expired")]
    assert [c["status"] for c in cards.account_cards(linked["id"], include_history=True, now=end)] == ["expired"]
    assert [c["status"] for c in cards.account_cards(linked["id"])] == ["open"]


def test_an_adjustment_down_takes_the_newest_card_first_and_reopens_a_completed_one(app, manager_api, linked):
    """Buy 3, five punches (a complete card and two on the open one). Taking three back empties the open card
    (void: the completed card is open again, with two punches) and writes a ledger row per card."""
    p = program(manager_api, buy_quantity=3, window_days=30)
    adjust_punches(linked["id"], p["id"], 5, "test manager", reason="paper card")
    ids = {c.seq: c.id for c in Card.select()}
    added = AuditLog.select().where(AuditLog.action == "card.adjust").get()
    assert added.details["cards"] == [ids[1], ids[2]]
    adjust_punches(linked["id"], p["id"], -3, "test manager", reason="typo")
    assert cards_of(p["id"]) == [(1, "open", 2), (2, "void", 0)]
    reopened = Card.get(Card.seq == 1)
    assert reopened.completed_at is None and reopened.first_punch_at is not None
    assert rows_of(p["id"])[-2:] == [(ids[2], "adjustment", -2), (ids[1], "adjustment", -1)]
    adjust_punches(linked["id"], p["id"], 1, "test manager", reason="paper card")
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "void", 0)]
    assert_cards_hold_their_ledger(p["id"])


def test_emptying_the_open_card_restarts_its_window(app, manager_api, linked):
    p = program(manager_api, buy_quantity=5, window_days=30)
    adjust_punches(linked["id"], p["id"], 2, "test manager", reason="paper card")
    adjust_punches(linked["id"], p["id"], -1, "test manager", reason="typo")
    kept = Card.get()
    assert kept.punches == 1 and kept.first_punch_at is not None and kept.expires_at is not None
    adjust_punches(linked["id"], p["id"], -1, "test manager", reason="typo")
    empty = Card.get()
    assert (empty.status, empty.punches, empty.first_punch_at, empty.expires_at) == ("open", 0, None, None)


def test_a_debt_on_a_newer_card_follows_the_punches_to_the_reopened_card(api, manager_api, linked):
    """Buy 2: card 1's reward is redeemed (the free bag on S-2), then S-1 is refunded: card 2 starts at -2. The
    free bag comes back, so card 1 is a reward again; S-3 brings card 2 to -1. Returning S-3's bag takes it from
    card 1, which is open again: card 2 is void and its debt moves onto card 1, in a pair of "move" rows."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    first = card_of(api, linked["id"], p["id"], status="complete")[0]
    redeem_card(api, first, "S-2", upc=ACANA, unit_price="50.00")
    commit(api, sale("S-2", lines=[line(1, price="0")]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert cards_of(p["id"]) == [(1, "redeemed", 2), (2, "open", -2)]
    debt = Punch.select().order_by(Punch.id.desc()).get()
    assert (debt.quantity, debt.note) == (-2, "reward already redeemed: debt")
    commit(api, refund("R-2", "S-2", [line("r2", qty=-1, price="0")]))
    commit(api, sale("S-3", lines=[line(1)]))
    assert cards_of(p["id"]) == [(1, "complete", 2), (2, "open", -1)]
    ids = {c.seq: c.id for c in Card.select()}
    commit(api, refund("R-3", "S-3", [line("r1", qty=-1)]))
    assert cards_of(p["id"]) == [(1, "open", 0), (2, "void", 0)]
    assert Card.get(Card.seq == 1).completed_at is None
    r3 = Sale.get(Sale.pos_sale_id == "R-3").id
    moves = [(r.card_id, r.quantity, r.note, r.actor, r.sale_id) for r in Punch.select().where(Punch.kind == "move")
             .order_by(Punch.id)]
    assert moves == [(ids[2], 1, "debt carried over", "token:test cashier", r3),
                     (ids[1], -1, "debt carried over", "token:test cashier", r3)]
    assert sum(r.quantity for r in Punch.select()) == 0
    assert_cards_hold_their_ledger(p["id"])


def test_a_card_over_its_goal_after_the_goal_was_lowered_completes_and_the_punch_goes_on_a_new_card(api, manager_api,
                                                                                                   linked):
    """Buy 10 lowered to buy 3 while a card holds 5: the next bag completes that card as it is (a reward now)
    and punches a new card."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=5)]))
    r = manager_api.patch(f"/api/v1/programs/{p['id']}", {"buy_quantity": 3})
    assert r.status_code == 200, r.get_json()
    commit(api, sale("S-2", lines=[line(1)]))
    assert cards_of(p["id"]) == [(1, "complete", 5), (2, "open", 1)]
    assert Card.get(Card.seq == 1).completed_at is not None
    assert [c["status"] for c in card_of(api, linked["id"], p["id"])] == ["complete", "open"]
    assert_cards_hold_their_ledger(p["id"])


def test_a_refund_writes_off_the_lines_punches_on_its_expired_card_then_takes_the_rest_from_the_newest_card(
        api, manager_api, linked):
    """Buy 3: five bags complete card 1 and leave 2 on card 2, which expires; S-2 punches card 3. Returning three
    of the five: the two on the expired card are written off there, the third comes off card 3 (the newest);
    card 1's reward stays."""
    p = program(manager_api, buy_quantity=3, window_days=30)
    commit(api, sale("S-1", lines=[line(1, qty=5)]))
    Card.update(expires_at=utcnow() - dt.timedelta(days=1)).where(Card.seq == 2).execute()
    commit(api, sale("S-2", lines=[line(1)]))
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "expired", 2), (3, "open", 1)]
    ids = {c.seq: c.id for c in Card.select()}
    commit(api, refund("R-1", "S-1", [line("r1", qty=-3)]))
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "expired", 0), (3, "open", 0)]
    assert rows_of(p["id"])[-2:] == [(ids[2], "refund", -2), (ids[3], "refund", -1)]
    assert_cards_hold_their_ledger(p["id"])


def test_a_refund_of_part_of_a_line_on_an_expired_card_writes_off_only_that_part(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10, window_days=30)
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    Card.update(expires_at=utcnow() - dt.timedelta(days=1)).where(Card.seq == 1).execute()
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))
    assert cards_of(p["id"]) == [(1, "expired", 2), (2, "open", 2)]
    assert_cards_hold_their_ledger(p["id"])


def test_an_expired_card_of_another_program_is_not_written_off_for_this_one(api, manager_api, linked):
    """Two programs count the same bag; only the first one's card expired. A refund of the bag writes off the
    first program's expired card and takes the second's from its open card."""
    a = program(manager_api, name="A", buy_quantity=10, window_days=30)
    b = program(manager_api, name="B", buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    Card.update(expires_at=utcnow() - dt.timedelta(days=1)).where(Card.program == a["id"]).execute()
    commit(api, sale("S-2", lines=[line(1)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert cards_of(a["id"]) == [(1, "expired", 0), (2, "open", 1)]
    assert cards_of(b["id"]) == [(1, "open", 1)]


def test_an_emptied_open_card_gets_no_row_when_punches_come_off_an_older_card(app, manager_api, linked):
    """Buy 3, four punches: card 1 complete, one on card 2. Two adjustments of -1: the first empties card 2, the
    second comes off card 1 (open again; card 2 void) and names only card 1 in its ledger and audit rows."""
    p = program(manager_api, buy_quantity=3)
    adjust_punches(linked["id"], p["id"], 4, "test manager", reason="paper card", note="from the old card")
    ids = {c.seq: c.id for c in Card.select()}
    adjust_punches(linked["id"], p["id"], -1, "test manager", reason="typo")
    assert cards_of(p["id"]) == [(1, "complete", 3), (2, "open", 0)]
    adjust_punches(linked["id"], p["id"], -1, "test manager", reason="typo again")
    assert cards_of(p["id"]) == [(1, "open", 2), (2, "void", 0)]
    last = list(Punch.select().order_by(Punch.id))
    assert [(r.card_id, r.quantity, r.reason) for r in last[-2:]] == [(ids[2], -1, "typo"), (ids[1], -1, "typo again")]
    audit = AuditLog.select().where(AuditLog.action == "card.adjust").order_by(AuditLog.id.desc()).get()
    assert audit.details["cards"] == [ids[1]]
    first = last[0]
    assert (first.kind, first.reason, first.note, first.needs_review, first.actor) == (
        "adjustment", "paper card", "from the old card", False, "test manager")
    assert first.created_at is not None and first.sale_id is None and first.line_id is None


def test_a_sales_punch_rows_name_their_line_as_line_and_cause(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2)]))
    rows = list(Punch.select().where(Punch.program == p["id"]).order_by(Punch.id))
    lines = {r.id: r.line_id for r in SaleLine.select()}
    assert sorted((lines[r.line_id], lines[r.cause_id], r.quantity, r.needs_review, r.reason) for r in rows) == [
        ("1", "1", 2, False, None), ("2", "2", 1, False, None)]


def test_a_refund_edited_back_up_takes_nothing_more_from_an_expired_card_already_written_off(api, manager_api,
                                                                                              linked):
    """S-1's two bags sit on card 1, which expires; R-1 returns both (written off card 1). R-1 is edited to one bag
    (one punch comes back, on the open card), then to two again: that punch leaves the open card; card 1, which
    holds nothing of the line any more, gets no row."""
    p = program(manager_api, buy_quantity=10, window_days=30)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    Card.update(expires_at=utcnow() - dt.timedelta(days=1)).where(Card.seq == 1).execute()
    commit(api, sale("S-2", lines=[line(1)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert cards_of(p["id"]) == [(1, "expired", 0), (2, "open", 1)]
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))
    assert cards_of(p["id"]) == [(1, "expired", 0), (2, "open", 2)]
    before = Punch.select().count()
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert cards_of(p["id"]) == [(1, "expired", 0), (2, "open", 1)]
    card2 = Card.get(Card.seq == 2).id
    assert [(r.card_id, r.quantity) for r in Punch.select().order_by(Punch.id)][before:] == [(card2, -1)]
    assert_cards_hold_their_ledger(p["id"])


def test_the_preview_counts_each_programs_open_punches_and_rewards_from_the_cards_it_shows(api, manager_api,
                                                                                           linked):
    """The preview reads the account's cards once for the answer and counts from them: buy 2, five bags earlier
    (two rewards, one punch on the open card) in one program, two rewards and no open card in the other, nothing
    yet in a third."""
    a = program(manager_api, name="A", buy_quantity=2)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=2)
    c = program(manager_api, name="C", upcs=["0000TREAT"], buy_quantity=3)
    commit(api, sale("S-1", lines=[line(1, qty=5), line(2, upc=TOTW_A, qty=4)]))
    r = api.post("/api/v1/sales/preview", {"sale": sale("S-2", lines=[line(1), line(2, upc=TOTW_A),
                                                                      line(3, upc="0000TREAT")])})
    assert r.status_code == 200, r.get_json()
    shown = {x["program_id"]: (x["punches_before"], x["punches_after"], x["rewards_available"])
             for x in r.get_json()["cards"]}
    assert shown == {a["id"]: (1, 0, 3), b["id"]: (0, 1, 2), c["id"]: (0, 1, 0)}


def card_writes(seen):
    return [sql for sql in seen if 'UPDATE "card"' in sql or 'INSERT INTO "card"' in sql]


def test_punches_onto_open_cards_with_room_change_them_in_one_statement(api, manager_api, linked):
    """The usual sale (docs/performance.md): the open cards of every program it punches have room, and one UPDATE
    adds each program's punches to its card; a sale that completes a card takes the longer way."""
    a = program(manager_api, name="A", buy_quantity=10, window_days=30)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=12)
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A)]))
    with statements() as seen:
        commit(api, sale("S-2", lines=[line(1, qty=2), line(2, upc=TOTW_A, qty=3)]))
    assert len(card_writes(seen)) == 1
    assert cards_of(a["id"]) == [(1, "open", 3)] and cards_of(b["id"]) == [(1, "open", 4)]
    with statements() as seen:
        commit(api, sale("S-3", lines=[line(1, qty=4)]))
    assert len(card_writes(seen)) == 1 and cards_of(a["id"]) == [(1, "open", 7)]
    with statements() as seen:
        commit(api, sale("S-4", lines=[line(1, qty=3)]))
    # the one statement tried (no room: nothing changed), then the completed card saved
    assert len(card_writes(seen)) == 2 and cards_of(a["id"]) == [(1, "complete", 10)]
    assert_cards_hold_their_ledger(a["id"])
    assert_cards_hold_their_ledger(b["id"])


def test_a_sale_on_an_emptied_card_starts_its_window_again(api, manager_api, linked):
    """S-1's bag is returned: the open card is empty, with no first punch and no end. S-2's two bags go on the same
    card, which starts a new window from S-2."""
    p = program(manager_api, buy_quantity=10, window_days=45)
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))
    empty = Card.get()
    assert (empty.punches, empty.first_punch_at, empty.expires_at) == (0, None, None)
    with statements() as seen:
        commit(api, sale("S-2", lines=[line(1, qty=2)]))
    card = Card.get()
    assert (card.seq, card.status, card.punches) == (1, "open", 2)
    assert card.first_punch_at is not None and card.expires_at - card.first_punch_at == dt.timedelta(days=45)
    assert len(card_writes(seen)) == 1
    assert_cards_hold_their_ledger(p["id"])


def test_one_bag_returned_after_its_reward_was_used_is_a_debt_of_one_punch(api, manager_api, linked):
    """Buy 2: the card is complete and redeemed, then one of its two bags comes back: the new card starts at -1,
    with a debt row."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    assert api.post(f"/api/v1/cards/{card['id']}/redeem", {"item": {"upc": ACANA}}).status_code == 201
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1)]))
    assert cards_of(p["id"]) == [(1, "redeemed", 2), (2, "open", -1)]
    debt = Punch.select().order_by(Punch.id.desc()).get()
    assert (debt.kind, debt.quantity, debt.note) == ("refund", -1, "reward already redeemed: debt")
    assert [(c["status"], c["punches"]) for c in card_of(api, linked["id"], p["id"])] == [("open", -1)]


def test_an_adjustment_onto_an_open_card_with_room_reads_no_card(app, manager_api, linked):
    """add_punches' one statement serves the manager's corrections too: the open card is updated without being
    read first."""
    p = program(manager_api, buy_quantity=10)
    adjust_punches(linked["id"], p["id"], 2, "test manager", reason="paper card")
    for n, after in ((3, 5), (1, 6)):
        with statements() as seen:
            adjust_punches(linked["id"], p["id"], n, "test manager", reason="paper card")
        assert cards_of(p["id"]) == [(1, "open", after)]
        assert [sql for sql in seen if 'FROM "card"' in sql] == [] and len(card_writes(seen)) == 1
        audit = AuditLog.select().where(AuditLog.action == "card.adjust").order_by(AuditLog.id.desc()).get()
        assert audit.details["cards"] == [Card.get().id]
    assert_cards_hold_their_ledger(p["id"])


def test_a_card_exactly_at_a_lowered_goal_completes_with_no_empty_ledger_row(api, manager_api, linked):
    """Buy 10 lowered to buy 4 while a card holds 4: the next bag completes that card as it is and goes on a new
    card; the sale's only ledger row is that bag's."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=4)]))
    r = manager_api.patch(f"/api/v1/programs/{p['id']}", {"buy_quantity": 4})
    assert r.status_code == 200, r.get_json()
    before = Punch.select().count()
    commit(api, sale("S-2", lines=[line(1)]))
    assert cards_of(p["id"]) == [(1, "complete", 4), (2, "open", 1)]
    second = Card.get(Card.seq == 2).id
    assert [(r.card_id, r.quantity) for r in Punch.select().order_by(Punch.id)][before:] == [(second, 1)]


def test_the_preview_reads_the_accounts_cards_once(api, manager_api, linked):
    """The preview's per-program counts come from the cards its answer has just read (cards._keep_live): one
    statement on the cards, with a complete card and an open one in each of two programs."""
    a = program(manager_api, name="A", buy_quantity=2)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=3), line(2, upc=TOTW_A, qty=3)]))
    with statements() as seen:
        r = api.post("/api/v1/sales/preview", {"sale": sale("S-2", lines=[line(1), line(2, upc=TOTW_A)])})
    assert r.status_code == 200, r.get_json()
    assert {x["program_id"]: (x["punches_before"], x["rewards_available"]) for x in r.get_json()["cards"]} == {
        a["id"]: (1, 2), b["id"]: (1, 2)}
    assert len([sql for sql in seen if 'FROM "card"' in sql]) == 1


def test_a_complete_card_stays_a_reward_after_its_window(app, manager_api, linked):
    """Only an open card expires: a reward earned inside the window waits to be redeemed however long it takes."""
    p = Program.get_by_id(program(manager_api, buy_quantity=2, window_days=30)["id"])
    start = utcnow().replace(microsecond=0)
    cards.add_punches(linked["id"], p, 3, cards.PunchContext(actor="test"), start)
    later = start + dt.timedelta(days=400)
    assert [(c["seq"], c["status"], c["rewards_available"]) for c in cards.account_cards(linked["id"], now=later)] \
        == [(1, "complete", 1), (2, "expired", 0)]
    assert [(c.seq, c.status) for c in Card.select().order_by(Card.seq)] == [(1, "complete"), (2, "open")]


def test_the_preview_of_an_account_with_many_rewards_still_reads_its_cards_once(api, manager_api, linked):
    """Thirteen rewards waiting (half the register's limit of complete cards, REGISTER_COMPLETE_CARDS): the answer
    has read them all, so the counts still come from that one statement."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, qty=13)]))
    with statements() as seen:
        r = api.post("/api/v1/sales/preview", {"sale": sale("S-2", lines=[line(1)])})
    assert r.status_code == 200, r.get_json()
    assert [(x["program_id"], x["rewards_available"]) for x in r.get_json()["cards"]] == [(p["id"], 14)]
    assert len([sql for sql in seen if 'FROM "card"' in sql]) == 1


def test_the_account_page_shows_every_reward_however_many(api, manager_api, linked):
    """The register's answers stop at REGISTER_COMPLETE_CARDS complete cards; the account's page has no limit:
    sixty-five rewards, sixty-five cards shown."""
    p = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1, qty=33)]))
    commit(api, sale("S-2", lines=[line(1, qty=32)]))
    page = card_of(api, linked["id"], p["id"], status="complete")
    assert [c["seq"] for c in page] == list(range(1, 66))
