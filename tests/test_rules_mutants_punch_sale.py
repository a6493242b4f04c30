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
    """Threshold 1, so the cashier gives a reason. S-1: two bags with a reason and note. The edit takes one off
    (the reason sent again): a reversal, with no reason. R-1 returns the other: a refund row of the original
    line, caused by the refund's line. Each row keeps the bag's price, UPC, SKU and name, and who rang it."""
    acana = threshold_program(manager_api, 1)
    why = {str(acana["id"]): {"reason": "Multiple pets", "note": "twins"}}
    bag = dict(price="45.00", sku="ACA-25", name="ACANA bag")
    commit(api, sale("S-1", lines=[line(1, qty=2, **bag)]), why)
    commit(api, sale("S-1", lines=[line(1, qty=1, **bag)]), why)
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1, **bag)]))
    cashier = "token:test cashier"
    assert ledger(names()) == [
        ("purchase", 2, "S-1", "S-1/1", "S-1/1", D("45.00"), ACANA, "ACA-25", "ACANA bag", "Multiple pets", "twins",
         False, cashier),
        ("reversal", -1, "S-1", "S-1/1", "S-1/1", D("45.00"), ACANA, "ACA-25", "ACANA bag", None, None, False, cashier),
        ("refund", -1, "R-1", "S-1/1", "R-1/r1", D("45.00"), ACANA, "ACA-25", "ACANA bag", None, None, False, cashier)]
    assert open_punches(api, linked["id"], acana) == [0]
