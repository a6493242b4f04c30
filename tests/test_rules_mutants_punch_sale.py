"""Punch-card rules of a sale (not a refund) that mutation testing (scripts/mutation, docs/testing.md) showed no
test checked: which line a free item is, what an edit of a sale counts as already punched, the multi-purchase
reasons, the card counts the register is answered with, and the ledger rows a commit writes."""
from builders import ACANA, TOTW_A, D, card_of, line, program_body, sale
from test_rules_mutants_punch import commit, open_punches, preview, program, redeem, refund


def effects(answer):
    """{line_id: the cards entry of the panel's uncommitted line}."""
    return {u["line_id"]: u["cards"] for u in answer["uncommitted_lines"]}


def test_a_free_item_is_a_line_of_its_own_product_not_the_first_line_of_the_sale(api, manager_api, linked):
    """The ACANA reward was redeemed on S-2, which rings a TOTW bag first, then the free ACANA bag: the TOTW bag
    punches its own card, the ACANA bag is the free one and punches nothing."""
    acana = program(manager_api, buy_quantity=1)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1)]))
    redeem(api, card_of(api, linked["id"], acana["id"], status="complete")[0], ACANA, sale_id="S-2")
    body = sale("S-2", lines=[line(1, upc=TOTW_A), line(2, price="0")])
    shown = effects(preview(api, body))
    assert shown["1"] == [{"program_id": totw["id"], "program": "TOTW", "punches": 1}]
    assert shown["2"] == [{"program_id": acana["id"], "program": "ACANA 25 lb", "punches": 0, "free": 1}]
    commit(api, body)
    assert open_punches(api, linked["id"], acana, totw) == [0, 1]


def test_a_free_item_is_not_a_line_taken_off_the_sale(api, manager_api, linked):
    """S-2 rings a bag, taken off (quantity 0), then the free bag: the free unit is the second line's, neither
    punches, and a line taken off is no returned item (no warning)."""
    acana = program(manager_api, buy_quantity=1)
    commit(api, sale("S-1", lines=[line(1)]))
    redeem(api, card_of(api, linked["id"], acana["id"], status="complete")[0], ACANA, sale_id="S-2")
    body = sale("S-2", lines=[line(1, qty=0), line(2, price="0")])
    shown = effects(preview(api, body))
    assert shown["2"] == [{"program_id": acana["id"], "program": "ACANA 25 lb", "punches": 0, "free": 1}]
    assert commit(api, body)["warnings"] == []
    assert open_punches(api, linked["id"], acana) == [0]


def test_editing_a_sale_after_a_refund_gives_back_no_punch_the_refund_took(api, manager_api, linked):
    """S-1 sold four bags; R-1 returned two. S-1 is then edited (a TOTW bag added): line 1 still holds four units
    on the sale, but the card keeps the two the refund left, and the edit adds nothing on it."""
    acana = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=4)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-2)]))
    assert open_punches(api, linked["id"], acana) == [2]
    edited = sale("S-1", lines=[line(1, qty=4), line(2, upc=TOTW_A)])
    card = next(c for c in preview(api, edited)["cards"] if c["program_id"] == acana["id"])
    assert (card["punches_before"], card["punches_to_add"], card["punches_after"]) == (2, 0, 2)
    commit(api, edited)
    assert open_punches(api, linked["id"], acana) == [2]


def test_lines_that_punch_nothing_do_not_stop_the_lines_after_them(api, manager_api, linked):
    """A sale rings a product the catalog does not know (no UPC, no SKU), a bag no program counts, half a bag, a
    bag returned on a sale (not a refund), then two ACANA bags: the two bags punch; the register is told about
    the unknown product, the half bag and the returned bag, each warning naming its line."""
    acana = program(manager_api, buy_quantity=10)
    body = sale("S-1", lines=[line(1, upc=None, product_id="P-9"), line(2, upc=TOTW_A),
                              line(3, qty="0.5", name="Half bag"), line(4, qty=-1), line(5, qty=2)])
    answer = commit(api, body)
    assert open_punches(api, linked["id"], acana) == [2]
    assert next(c for c in answer["cards"] if c["program_id"] == acana["id"])["punches_to_add"] == 2
    warned = {w["code"]: w for w in answer["warnings"]}
    assert [(w["code"], w["line_id"]) for w in answer["warnings"]] == [
        ("unknown_product", "1"), ("fractional_quantity", "3"), ("negative_quantity", "4")]
    assert "P-9" in warned["unknown_product"]["message"]
    assert "Half bag" in warned["fractional_quantity"]["message"] and "0.5" in warned["fractional_quantity"]["message"]
    assert warned["negative_quantity"]["message"]


def threshold_program(manager_api, threshold, **kw):
    r = manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=threshold, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def post_commit(api, body, reasons=None):
    return api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons or {}})


def test_the_register_is_asked_a_reason_only_above_the_threshold_and_told_which_cards(api, manager_api, linked):
    """Threshold 2: two bags go through; three bags are refused with the card's name, the punches it would get
    and the reasons to choose from, and nothing is written. The preview marks that card, not the other."""
    acana = threshold_program(manager_api, 2)
    totw = threshold_program(manager_api, 2, name="TOTW", upcs=[TOTW_A])
    assert post_commit(api, sale("S-1", lines=[line(1, qty=2)])).status_code == 200
    body = sale("S-2", lines=[line(1, qty=3), line(2, upc=TOTW_A)])
    cards = {c["program_id"]: c for c in preview(api, body)["cards"]}
    assert (cards[acana["id"]]["reason_required"], cards[totw["id"]]["reason_required"]) == (True, False)
    assert cards[acana["id"]]["multi_purchase_threshold"] == 2
    r = post_commit(api, body)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "reason_required" and err["message"]
    assert err["fields"] == {str(acana["id"]): [err["fields"][str(acana["id"])][0]]}
    assert err["cards"] == [{"program_id": acana["id"], "program": "ACANA 25 lb", "punches_to_add": 3}]
    assert err["reasons"] == api.get("/api/v1/me").get_json()["reasons"] and "Other" in err["reasons"]
    assert open_punches(api, linked["id"], acana, totw) == [2, 0]
    done = commit(api, body, {str(acana["id"]): {"reason": "Multiple pets"}})
    assert all(not c["reason_required"] for c in done["cards"])
    assert open_punches(api, linked["id"], acana, totw) == [5, 1]


def test_an_edit_counts_only_the_bags_it_adds_against_the_threshold(api, manager_api, linked):
    """Threshold 2. S-1 sold three bags (with a reason). The edit takes two off line 1 and rings three on a new
    line: three bags are added in this visit, so a reason is asked, though the card gains only one punch."""
    acana = threshold_program(manager_api, 2)
    commit(api, sale("S-1", lines=[line(1, qty=3)]), {str(acana["id"]): {"reason": "Multiple pets"}})
    edited = sale("S-1", lines=[line(1, qty=1), line(2, qty=3)])
    r = post_commit(api, edited)
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["error"]["cards"] == [{"program_id": acana["id"], "program": "ACANA 25 lb",
                                               "punches_to_add": 3}]
    card = next(c for c in preview(api, edited)["cards"] if c["program_id"] == acana["id"])
    assert (card["punches_to_add"], card["reason_required"]) == (1, True)


def test_a_multi_purchase_reason_is_checked_and_its_note_kept_trimmed(api, manager_api, linked):
    """"Other" needs a note (blanks are no note), and a reason keyed by something that is not a program is refused,
    each by name with its own message; a note is stored without its blanks, and a reason without a note has none."""
    acana = threshold_program(manager_api, 1)
    totw = threshold_program(manager_api, 1, name="TOTW", upcs=[TOTW_A])
    body = sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A, qty=2)])
    key = str(acana["id"])
    messages = []
    for reasons, field in (({key: {"reason": "Other", "note": "   "}}, key), ({"cats": {"reason": "Multiple pets"}},
                                                                             "cats"),
                           ({key: {"reason": "Because"}}, key)):
        r = post_commit(api, body, reasons)
        assert r.status_code == 422, (reasons, r.get_json())
        assert r.get_json()["error"]["code"] == "invalid" and r.get_json()["error"]["message"]
        errors = r.get_json()["error"]["fields"]["reasons"]
        assert list(errors) == [field] and len(errors[field]) == 1 and errors[field][0], reasons
        messages.append(errors[field][0])
    assert len(set(messages)) == 3
    assert open_punches(api, linked["id"], acana, totw) == [0, 0]
    commit(api, body, {key: {"reason": "Other", "note": "  dog sitter "}, str(totw["id"]): {"reason": "Multiple pets"}})
    from loyalty.models import Punch
    assert sorted((p.program_id, p.reason, p.note, p.needs_review) for p in Punch.select()) == [
        (acana["id"], "Other", "dog sitter", False), (totw["id"], "Multiple pets", None, False)]


def ledger(sale_rows):
    """The punch rows, oldest first, as the manufacturer's claim and the card's history read them."""
    from loyalty.models import Punch
    return [(p.kind, p.quantity, sale_rows.get(p.sale_id), sale_rows.get(("line", p.line_id)),
             sale_rows.get(("line", p.cause_id)), D(p.unit_price), p.upc, p.sku, p.item_name, p.reason, p.note,
             p.needs_review, p.actor) for p in Punch.select().order_by(Punch.id)]


def names():
    """{sale row id: POS sale id, ("line", line row id): "sale id/line id"}."""
    from loyalty.models import Sale, SaleLine
    out = {}
    for s in Sale.select():
        out[s.id] = s.pos_sale_id
        for row in SaleLine.select().where(SaleLine.sale == s.id):
            out[("line", row.id)] = f"{s.pos_sale_id}/{row.line_id}"
    return out


def test_each_punch_row_records_what_was_bought_why_and_which_line(api, manager_api, linked):
    """Threshold 1, so the cashier gives a reason. S-1: two bags with a reason and note, and a small bag. The edit
    takes one bag off and drops the small bag's line from the sale (the reason sent again): two reversals, with no
    reason, each with its own line's price and names. R-1 returns the other bag: a refund row of the original
    line, caused by the refund's line. Each row keeps the bag's price, UPC, SKU and name, and who rang it."""
    acana = threshold_program(manager_api, 1)
    why = {str(acana["id"]): {"reason": "Multiple pets", "note": "twins"}}
    bag = dict(price="45.00", sku="ACA-25", name="ACANA bag")
    small = dict(price="19.50", sku="ACA-4", name="ACANA small bag")
    commit(api, sale("S-1", lines=[line(1, qty=2, **bag), line(2, upc=ACANA, **small)]), why)
    commit(api, sale("S-1", lines=[line(1, qty=1, **bag)]), why)
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1, **bag)]))
    cashier = "token:test cashier"
    rows = ledger(names())
    assert sorted(rows[:2]) == [
        ("purchase", 1, "S-1", "S-1/2", "S-1/2", D("19.50"), ACANA, "ACA-4", "ACANA small bag", "Multiple pets",
         "twins", False, cashier),
        ("purchase", 2, "S-1", "S-1/1", "S-1/1", D("45.00"), ACANA, "ACA-25", "ACANA bag", "Multiple pets", "twins",
         False, cashier)]
    assert sorted(rows[2:4]) == [
        ("reversal", -1, "S-1", "S-1/1", "S-1/1", D("45.00"), ACANA, "ACA-25", "ACANA bag", None, None, False, cashier),
        ("reversal", -1, "S-1", "S-1/2", "S-1/2", D("19.50"), ACANA, "ACA-4", "ACANA small bag", None, None, False,
         cashier)]
    assert rows[4:] == [
        ("refund", -1, "R-1", "S-1/1", "R-1/r1", D("45.00"), ACANA, "ACA-25", "ACANA bag", None, None, False, cashier)]
    assert open_punches(api, linked["id"], acana) == [0]


def test_an_archived_programs_lines_do_not_stop_the_edit_of_the_others(api, manager_api, linked):
    """S-1 sold five ACANA bags and five TOTW bags, each on its own line; the ACANA program is archived since. The
    edit doubles each TOTW line: every TOTW line gains its punch, whatever order the lines are looked at in, and
    the archived card keeps its five."""
    acana = program(manager_api, buy_quantity=20)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=20)
    from loyalty.models import Program
    acana_lines = [line(i) for i in range(1, 6)]
    commit(api, sale("S-1", lines=acana_lines + [line(i, upc=TOTW_A) for i in range(6, 11)]))
    Program.update(status="archived").where(Program.id == acana["id"]).execute()
    commit(api, sale("S-1", lines=acana_lines + [line(i, upc=TOTW_A, qty=2) for i in range(6, 11)]))
    assert open_punches(api, linked["id"], acana, totw) == [5, 10]


def test_an_edit_takes_back_before_it_adds_so_a_card_emptied_by_it_starts_a_new_window(api, manager_api, linked):
    """A 30-day card holds one bag, bought 20 days ago (10 days left). The sale is edited: that bag taken off,
    another one rung on a new line. The card's only bag is now today's: its 30 days start today, as for any first
    punch; the bag taken off does not leave its 10 days on the card."""
    import datetime as dt

    from loyalty.models import Card, utcnow
    acana = program(manager_api, buy_quantity=5, window_days=30)
    commit(api, sale("S-1", lines=[line(1)]))
    now = utcnow()
    Card.update(first_punch_at=now - dt.timedelta(days=20), expires_at=now + dt.timedelta(days=10)).execute()
    commit(api, sale("S-1", lines=[line(1, qty=0), line(0)]))
    (card,) = card_of(api, linked["id"], acana["id"])
    assert card["punches"] == 1
    expires = dt.datetime.fromisoformat(card["expires_at"].replace("Z", "")).replace(tzinfo=None)
    assert dt.timedelta(days=29) < expires - now < dt.timedelta(days=31)


def test_the_cards_counted_for_the_register_are_this_accounts_open_and_complete_ones_per_program(api, manager_api,
                                                                                                linked):
    """More rewards waiting than the register's answer lists (30 complete ACANA cards), so the report counts them
    from the tables: per program, the punches on this account's open card and its complete cards; not its redeemed
    or expired cards, not another account's."""
    from loyalty.domain.cards import REGISTER_COMPLETE_CARDS
    from loyalty.models import Card, utcnow
    acana = program(manager_api, buy_quantity=10)
    totw = program(manager_api, name="TOTW", upcs=[TOTW_A], buy_quantity=10)
    other = api.post("/api/v1/accounts", {"first_name": "Ola", "last_name": "Test"}).get_json()["id"]
    now = utcnow()

    def cards(account_id, program_id, *statuses):
        for seq, (status, punches) in enumerate(statuses, 1):
            Card.create(account=account_id, program=program_id, seq=seq, status=status, punches=punches,
                        created_at=now, first_punch_at=now, completed_at=None if status == "open" else now,
                        redeemed_at=now if status == "redeemed" else None)

    waiting = REGISTER_COMPLETE_CARDS + 5
    cards(linked["id"], acana["id"], ("redeemed", 10), ("expired", 6), *[("complete", 10)] * waiting, ("open", 4))
    cards(linked["id"], totw["id"], ("complete", 10), ("redeemed", 10), ("complete", 10), ("open", 3))
    cards(other, acana["id"], ("complete", 10), ("open", 7))
    cards(other, totw["id"], ("complete", 10), ("open", 8))
    body = sale("S-1", lines=[line(1), line(2, upc=TOTW_A)])
    for answer in (preview(api, body), commit(api, body)):
        shown = {c["program_id"]: (c["punches_before"], c["punches_to_add"], c["punches_after"],
                                   c["rewards_available"]) for c in answer["cards"]}
        assert shown == {acana["id"]: (4, 1, 5, waiting), totw["id"]: (3, 1, 4, 2)}
    assert [(c["program"], c["buy_quantity"], c["multi_purchase_threshold"], c["reason_required"])
            for c in answer["cards"]] == [("ACANA 25 lb", 10, 5, False), ("TOTW", 10, 5, False)]


def test_a_customers_first_bag_shows_one_punch_and_no_reward_yet(api, manager_api, linked):
    """The customer has no card yet: the preview shows the first punch of a card of 5, no reward."""
    acana = program(manager_api, buy_quantity=5)
    card = next(c for c in preview(api, sale("S-1", lines=[line(1)]))["cards"] if c["program_id"] == acana["id"])
    assert (card["punches_before"], card["punches_to_add"], card["punches_after"], card["rewards_available"],
            card["buy_quantity"]) == (0, 1, 1, 0, 5)


def test_a_multi_purchase_committed_without_asking_is_no_longer_waiting_for_a_reason(app, manager_api, linked):
    """A webhook or the poller commits three bags (threshold 2: two on one line, one on another) without asking:
    every line's punches are flagged for review, and the answer it stores (what a replay returns) does not say a
    reason is still required, while a preview of the same sale does."""
    from loyalty.domain.sales import Options, commit_sale, preview_sale
    from loyalty.models import Punch
    acana = threshold_program(manager_api, 2)
    body = sale("S-1", lines=[dict(line(i), quantity=D(n), unit_price=D("94.99")) for i, n in ((1, 2), (2, 1))])
    shown = preview_sale(body, Options(actor="webhook:ls", ask_reasons=False))
    assert [(c["program_id"], c["reason_required"]) for c in shown["cards"]] == [(acana["id"], True)]
    answer = commit_sale(body, None, Options(actor="webhook:ls", ask_reasons=False, source="webhook"))
    assert [(c["program_id"], c["punches_to_add"], c["reason_required"]) for c in answer["cards"]] == [
        (acana["id"], 3, False)]
    assert sorted((p.quantity, p.needs_review, p.reason) for p in Punch.select()) == [(1, True, "needs reason"),
                                                                                      (2, True, "needs reason")]


def test_the_refunds_audit_row_names_the_rewards_a_returned_free_bag_reopened(api, manager_api, linked):
    """Buy 2, get 1: S-2 rang two bags, one the free reward. R-2 returns both: its audit row lists the paid bag's
    punch taken back and the reward reopened by line r1; edited down to the paid bag, the reward is taken again
    (-1)."""
    from loyalty.models import AuditLog
    acana = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    redeem(api, card_of(api, linked["id"], acana["id"], status="complete")[0], ACANA)
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    commit(api, refund("R-2", "S-2", [line("r1", qty=-2)]))
    commit(api, refund("R-2", "S-2", [line("r1", qty=-1)]))
    rows = AuditLog.select().where(AuditLog.action == "sale.refund").order_by(AuditLog.id)
    assert [row.details["changes"] for row in rows] == [
        [{"line_id": "r1", "program_id": acana["id"], "punches": -1}, {"line_id": "r1", "rewards_reopened": 1}],
        [{"line_id": "r1", "rewards_reopened": -1}]]


def test_a_refund_takes_nothing_from_a_program_the_line_no_longer_counts_for(api, manager_api, linked):
    """S-1's two bags punched program A; the manufacturer's list moved that bag to program B and S-1 was edited
    (a line added), so A's punches went back and B got them. Returning one bag then takes one punch from B only:
    A, which holds nothing of that line any more, is not touched."""
    a = program(manager_api, name="A", buy_quantity=10)
    b = program(manager_api, name="B", upcs=[TOTW_A], buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    assert open_punches(api, linked["id"], a, b) == [2, 0]
    assert manager_api.patch(f"/api/v1/programs/{a['id']}", {"upcs": [TOTW_A]}).status_code == 200
    assert manager_api.patch(f"/api/v1/programs/{b['id']}", {"upcs": [ACANA]}).status_code == 200
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc="000000000000")]))
    assert open_punches(api, linked["id"], a, b) == [0, 2]
    commit(api, refund("R-1", "S-1", [line("r", qty=-1)]))
    assert open_punches(api, linked["id"], a, b) == [0, 1]


def test_a_refund_edited_to_nothing_then_back_to_one_bag_takes_one_punch(api, manager_api, linked):
    """R-1 returns one of S-1's two bags, is edited to return none (the punch comes back), then to one again: the
    card holds one punch, as after the first version; the reversal it undid is not counted twice."""
    a = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    for returned, punched in ((-1, 1), (0, 2), (-1, 1)):
        commit(api, refund("R-1", "S-1", [line("r", qty=returned)]))
        assert open_punches(api, linked["id"], a) == [punched], returned
