"""The sale pipeline (domain/sales.py: commit, preview, refund matching) where mutation testing (scripts/mutation,
docs/testing.md) showed no test checked: what the sale's record and its audit row keep (store, register, link,
who committed it, the original of a refund), the lines the panel lists before a commit, which original line a
returned item is taken from, refunds of several sales or of another customer's sale, and a reward given on a sale
already committed."""
import datetime as dt
from decimal import Decimal

import pytest
from builders import (ACANA, TOTW_A, account, card_of, commit, line, points_program, preview, program_body, redeem_card,
                      sale, statements)
from loyalty.models import AuditLog, Program, Punch, Sale, SaleLine
from test_rules_mutants_punch import program


def refund(sale_id, original, lines, **kw):
    return sale(sale_id, lines=lines, return_for=original, **kw)


def punches(api, account_id, p):
    return sum(c["punches"] for c in card_of(api, account_id, p["id"]))


def returned_from(sale_id):
    """{refund line id: the original line id it returns} of a committed refund."""
    rows = SaleLine.select().join(Sale).where(Sale.pos_sale_id == sale_id)
    return {r.line_id: (SaleLine.get_by_id(r.original_line_id).line_id if r.original_line_id else None)
            for r in rows}


def audit(action):
    return [(a.entity, a.entity_id, a.account_id, a.actor, a.details)
            for a in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)]


# --- the sale's record and its audit row ------------------------------------------------------------------------

def test_a_committed_sale_records_its_store_register_customer_and_who_committed_it(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10)
    answer = commit(api, sale("S-1", lines=[line(1, qty=2)]))
    assert [(c["program_id"], c["punches"], c["status"]) for c in answer["account"]["cards"]] == [(p["id"], 2, "open")]
    row = Sale.get(Sale.pos_sale_id == "S-1")
    link_id = row.link_id
    assert link_id is not None
    assert (row.kind, row.account_id, row.pos_customer_id, row.store, row.register, row.return_for, row.original_id,
            row.source, row.committed_by) == ("sale", linked["id"], "c-42", "Main", "R1", None, None, "register",
                                              "token:test cashier")
    assert row.updated_at is not None and row.last_hash
    assert audit("sale.commit") == [("sale", str(row.id), linked["id"], "token:test cashier", {
        "changes": [{"line_id": "1", "program_id": p["id"], "punches": 2}], "sale_id": "S-1", "source": "register",
        "system": "lightspeed-x", "warnings": []})]
    assert audit("sale.refund") == []


def test_a_walk_in_refund_is_recorded_against_the_original_sale_its_account_and_link(api, manager_api, linked):
    """No customer on the refund: it is the original's account and link; the audit row is a refund's and lists
    the warning of the line that was not on the original."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    original = Sale.get(Sale.pos_sale_id == "S-1")
    answer = commit(api, refund("R-1", "S-1", [line("r1", qty=-1), line("r2", upc=TOTW_A, qty=-1)], customer=None))
    assert answer["sale"] == {"system": "lightspeed-x", "sale_id": "R-1", "committed": True, "kind": "refund"}
    assert answer["account"]["id"] == linked["id"]
    row = Sale.get(Sale.pos_sale_id == "R-1")
    assert (row.kind, row.account_id, row.link_id, row.pos_customer_id, row.return_for, row.original_id) == (
        "refund", linked["id"], original.link_id, None, "S-1", original.id)
    assert returned_from("R-1") == {"r1": "1", "r2": None}
    [(entity, entity_id, account_id, actor, details)] = audit("sale.refund")
    assert (entity, entity_id, account_id, actor) == ("sale", str(row.id), linked["id"], "token:test cashier")
    assert details["warnings"] == ["not_in_original"] and details["sale_id"] == "R-1"
    assert details["changes"] == [{"line_id": "r1", "program_id": p["id"], "punches": -1}]
    assert len(audit("sale.commit")) == 1
    assert punches(api, linked["id"], p) == 1


def test_a_sale_edited_without_its_customer_keeps_its_link(api, manager_api, linked):
    """The sale was rung for c-42 (the link is recorded); the edit is sent by account id without the customer:
    the sale stays on the same link."""
    program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1)]))
    link_id = Sale.get(Sale.pos_sale_id == "S-1").link_id
    commit(api, sale("S-1", lines=[line(1), line(2)], customer=None, account_id=linked["id"]))
    row = Sale.get(Sale.pos_sale_id == "S-1")
    assert (row.account_id, row.link_id, row.pos_customer_id) == (linked["id"], link_id, None)


def test_a_sale_for_another_account_than_the_customers_link_records_no_link(api, manager_api, linked):
    """The cashier picked Ola's account by id while the register's customer is c-42 (Dana's link): the sale is
    Ola's and does not claim Dana's link; with Dana's own id it does."""
    p = program(manager_api, buy_quantity=10)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1)], account_id=ola))
    commit(api, sale("S-2", lines=[line(1)], account_id=linked["id"]))
    rows = {s.pos_sale_id: (s.account_id, s.link_id) for s in Sale.select()}
    dana_link = Sale.get(Sale.pos_sale_id == "S-2").link_id
    assert dana_link is not None
    assert rows == {"S-1": (ola, None), "S-2": (linked["id"], dana_link)}
    assert (punches(api, ola, p), punches(api, linked["id"], p)) == (1, 1)


def test_a_sale_of_an_unlinked_customer_is_refused_but_its_account_on_record_serves_without_a_customer(
        api, manager_api, linked):
    """A sale recorded for Dana, edited later with no customer and no account id: still Dana's. The same sale
    with a customer the store never linked is refused, even though the sale has an account on record."""
    p = program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1)]))
    answer = commit(api, sale("S-1", lines=[line(1), line(2)], customer=None))
    assert answer["account"]["id"] == linked["id"] and punches(api, linked["id"], p) == 2
    shown = preview(api, sale("S-1", lines=[line(1), line(2), line(3)], customer=None))
    assert shown["account"]["id"] == linked["id"] and shown["sale"]["committed"] is True
    assert [u["line_id"] for u in shown["uncommitted_lines"]] == ["3"]
    r = api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, qty=3)], customer="c-99"),
                                          "reasons": {}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "customer_not_linked"
    assert "not linked" in r.get_json()["error"]["message"]
    assert punches(api, linked["id"], p) == 2
    shown = api.post("/api/v1/sales/preview", {"sale": sale("S-9", lines=[line(1)], customer="c-99")})
    assert shown.status_code == 409 and shown.get_json()["error"]["code"] == "customer_not_linked"


# --- the sale's lines -------------------------------------------------------------------------------------------

def test_the_sales_lines_keep_what_the_register_sent_and_an_edit_of_any_of_it(api, manager_api, linked):
    program(manager_api, buy_quantity=10)
    commit(api, sale("S-1", lines=[line(1, qty=2, price="94.99", sku="ACA-25", product_id="p-1", name="ACANA"),
                                   line(2, upc=TOTW_A, price="60.00")]))

    def rows():
        return {r.line_id: (r.product_id, r.sku, r.upc, r.name, r.unit_price, r.quantity)
                for r in SaleLine.select().order_by(SaleLine.id)}

    assert rows() == {"1": ("p-1", "ACA-25", ACANA, "ACANA", Decimal("94.99"), 2),
                      "2": (None, None, TOTW_A, f"item {TOTW_A}", Decimal("60.00"), 1)}
    # Only the price changed: the row follows; line 2 left the sale: its row stays, with nothing bought.
    commit(api, sale("S-1", lines=[line(1, qty=2, price="89.99", sku="ACA-25", product_id="p-1", name="ACANA")]))
    assert rows() == {"1": ("p-1", "ACA-25", ACANA, "ACANA", Decimal("89.99"), 2),
                      "2": (None, None, TOTW_A, f"item {TOTW_A}", Decimal("60.00"), 0)}
    commit(api, sale("S-1", lines=[line(1, qty=2, price="89.99", sku="ACA-26", product_id="p-2", name="ACANA 2",
                                        upc="000111")]))
    assert rows()["1"] == ("p-2", "ACA-26", "000111", "ACANA 2", Decimal("89.99"), 2)


# --- the preview ------------------------------------------------------------------------------------------------

def test_the_preview_lists_the_lines_a_commit_would_change_with_what_was_committed(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10)
    first = preview(api, sale("S-1", lines=[line(1, qty=2)]))
    assert first["sale"] == {"system": "lightspeed-x", "sale_id": "S-1", "committed": False, "moves_from": None}
    assert first["reasons"] == ["Multiple pets", "Stocking up", "Buying for another household", "Other"]
    assert [(u["line_id"], u["name"], u["quantity"], Decimal(u["committed_quantity"]), u["moving"])
            for u in first["uncommitted_lines"]] == [("1", f"item {ACANA}", "2", 0, False)]
    assert first["uncommitted_lines"][0]["cards"] == [{"program": "ACANA 25 lb", "program_id": p["id"],
                                                        "punches": 2}]
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)]))
    edit = preview(api, sale("S-1", lines=[line(1, qty=3), line(2, upc=TOTW_A), line(3, name="Treats")]))
    assert edit["sale"]["committed"] is True and edit["warnings"] == []
    assert [(u["line_id"], u["name"], u["quantity"], Decimal(u["committed_quantity"]), u["moving"])
            for u in edit["uncommitted_lines"]] == [("1", f"item {ACANA}", "3", 2, False),
                                                     ("3", "Treats", "1", 0, False)]
    assert Sale.select().count() == 1 and SaleLine.select().count() == 2


def test_the_preview_of_a_sale_moving_to_the_right_customer_names_who_it_leaves(api, manager_api, linked):
    p = program(manager_api, buy_quantity=10)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)]))
    shown = preview(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)], customer="c-77"))
    assert shown["sale"]["moves_from"] == {"id": linked["id"], "name": "Dana Whitfield", "punches": 2}
    assert [w["code"] for w in shown["warnings"]] == ["account_changed"]
    assert "Dana Whitfield" in shown["warnings"][0]["message"] and "Ola Test" in shown["warnings"][0]["message"]
    assert [(u["line_id"], u["quantity"], Decimal(u["committed_quantity"]), u["moving"])
            for u in shown["uncommitted_lines"]] == [("1", "2", 0, True)]
    assert shown["account"]["id"] == ola
    assert (punches(api, ola, p), punches(api, linked["id"], p)) == (0, 2)


# --- refunds: which original line a returned item is ------------------------------------------------------------

def test_a_returned_item_is_matched_by_line_id_then_product_then_upc_then_sku(api, manager_api, linked):
    """The original sale has four ACANA lines. A returned line with the same line id is that line; else the line
    of the same product; else the first with the same UPC and units left; else the same SKU."""
    program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line("a", sku="S-A", product_id="p-a"), line("b", sku="S-B", product_id="p-b"),
                                   line("c", upc="000C", sku="S-C", product_id="p-c"),
                                   line("d", upc="000D", sku="S-D", product_id="p-d")]))
    commit(api, refund("R-1", "S-1", [line("b", qty=-1), line("x", product_id="p-d", sku="S-A", qty=-1)]))
    assert returned_from("R-1") == {"b": "b", "x": "d"}
    commit(api, refund("R-2", "S-1", [line("y", qty=-1), line("z", upc="000E", sku="S-C", qty=-1)]))
    assert returned_from("R-2") == {"y": "a", "z": "c"}


def test_a_returned_item_is_taken_from_the_line_that_still_has_units_to_return(api, manager_api, linked):
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1), line(2, qty=2)]))
    commit(api, refund("R-1", "S-1", [line("r", qty=-1)]))
    commit(api, refund("R-2", "S-1", [line("r", qty=-2)]))
    third = commit(api, refund("R-3", "S-1", [line("r", qty=-1)]))
    assert (returned_from("R-1"), returned_from("R-2"), returned_from("R-3")) == (
        {"r": "1"}, {"r": "2"}, {"r": None})
    assert [(w["code"], w.get("line_id")) for w in third["warnings"]] == [("not_in_original", "r")]
    assert punches(api, linked["id"], p) == 0


def test_a_refund_line_naming_its_original_line_returns_that_line(api, manager_api, linked):
    program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1), line(2)]))
    commit(api, refund("R-1", "S-1", [line("r", qty=-1, original={"sale_id": "S-1", "line_id": "2"})]))
    assert returned_from("R-1") == {"r": "2"}


# --- refunds of several sales, of another customer's sale -------------------------------------------------------

def test_one_walk_in_refund_returns_lines_of_two_sales_and_warns_for_a_sale_never_committed(
        api, manager_api, linked):
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    commit(api, sale("S-2", lines=[line(1, qty=3)]))
    body = sale("R-1", customer=None, lines=[
        line("a", qty=-1, original={"sale_id": "S-1", "line_id": "1"}),
        line("b", qty=-5, original={"sale_id": "S-2"}),
        line("c", qty=-1, original={"sale_id": "S-never"}),
        line("d", qty=-1, original={"sale_id": "S-never"})])
    shown = preview(api, body)
    assert shown["account"]["id"] == linked["id"]
    answer = commit(api, body)
    assert answer["account"]["id"] == linked["id"] and answer["sale"]["kind"] == "refund"
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("original_not_committed", "c"),
                                                                          ("original_not_committed", "d")]
    assert punches(api, linked["id"], p) == 1  # 5 - 1 - 3: line b returns only the 3 S-2 sold
    assert returned_from("R-1") == {"a": "1", "b": "1", "c": None, "d": None}
    row = Sale.get(Sale.pos_sale_id == "R-1")
    assert (row.kind, row.account_id, row.original_id, row.return_for) == ("refund", linked["id"], None, None)


def test_a_refund_of_another_customers_sale_reverses_nothing_and_says_so(api, manager_api, linked):
    p = program(manager_api, buy_quantity=20)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    commit(api, sale("S-2", lines=[line(1)], customer="c-77"))
    answer = commit(api, sale("R-1", customer="c-77", lines=[line("a", qty=-1, original={"sale_id": "S-1"}),
                                                             line("b", qty=-1, original={"sale_id": "S-2"})]))
    assert answer["account"]["id"] == ola
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("original_other_account", "a")]
    assert "S-1" in answer["warnings"][0]["message"]
    assert (punches(api, linked["id"], p), punches(api, ola, p)) == (2, 0)
    assert returned_from("R-1") == {"a": None, "b": "1"}



# --- a reward given on a sale already committed -----------------------------------------------------------------

def test_a_reward_given_on_a_committed_sale_takes_back_only_the_free_lines_punch_and_points(
        api, manager_api, linked):
    """A POS that sends SKUs only. S-0 completed a card; S-1 (two bags, $50 and $30) was committed, then the card
    is redeemed for S-1's $30 bag: that line gives back its punch and its 30 points, the $50 bag keeps both, the
    audit row says so, and committing S-1 again answers with the card as it is now."""
    p = program(manager_api, buy_quantity=3, upcs=[], skus=["ACA-A", "ACA-B"])
    pts = points_program(manager_api, expiry_days=365)
    commit(api, sale("S-0", lines=[line(1, upc=None, sku="ACA-A", qty=3, price="50.00")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    body = sale("S-1", lines=[line(1, upc=None, sku="ACA-A", price="50.00"),
                              line(2, upc=None, sku="ACA-B", price="30.00")])
    assert next(c for c in commit(api, body)["cards"])["punches_after"] == 2
    redeem_card(api, card, "S-1", line_id="2", sku="ACA-B", unit_price="30.00")
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 1
    account = api.get(f"/api/v1/accounts/{linked['id']}").get_json()
    assert [(x["program_id"], x["balance"]) for x in account["points"]] == [(pts["id"], 200)]
    row = Sale.get(Sale.pos_sale_id == "S-1")
    [(entity, entity_id, account_id, actor, details)] = audit("sale.free_item")
    assert (entity, entity_id, account_id, actor) == ("sale", str(row.id), linked["id"], "token:test cashier")
    assert details["system"] == "lightspeed-x" and details["sale_id"] == "S-1"
    assert {"line_id": "2", "program_id": p["id"], "punches": -1} in details["changes"]
    again = commit(api, body)  # not the answer stored before the reward: the card has one punch now
    assert next(c for c in again["cards"])["punches_after"] == 1
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 1


def test_a_reward_given_on_a_refund_changes_nothing_on_the_refund(api, manager_api, linked):
    p = program(manager_api, buy_quantity=2)
    points_program(manager_api)
    commit(api, sale("S-0", lines=[line(1, qty=2, price="50.00")]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    commit(api, sale("S-1", lines=[line(1, qty=1, price="50.00")]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1, price="50.00")]))
    before = api.get(f"/api/v1/accounts/{linked['id']}").get_json()
    redeem_card(api, card, "R-1", upc=ACANA, unit_price="50.00")
    after = api.get(f"/api/v1/accounts/{linked['id']}").get_json()
    assert after["points"][0]["balance"] == before["points"][0]["balance"] == 100
    assert [(c["status"], c["punches"]) for c in card_of(api, linked["id"], p["id"])] == [("open", 0)]
    assert audit("sale.free_item") == []
    assert Sale.get(Sale.pos_sale_id == "R-1").last_hash is not None


def test_a_sale_rung_in_a_bonus_week_keeps_its_bonus_when_edited_or_given_a_reward_later(api, manager_api, linked):
    """A visit bonus ran last week. S-1 was rung during it (its record says when): an edit today still earns the
    bonus, and so does the re-count when a reward is given on S-1 later; only the free bag's points go back."""
    week_ago = dt.datetime.utcnow() - dt.timedelta(days=7)
    rules = [{"type": "spend", "points": 1, "per_amount": "1.00"},
             {"type": "visit", "points": 100, "valid_from": (week_ago - dt.timedelta(days=2)).date().isoformat(),
              "valid_until": (week_ago + dt.timedelta(days=2)).date().isoformat()}]
    pts = points_program(manager_api, earn_rules=rules)
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-0", lines=[line(1, qty=2, price="10.00")]))  # today: no bonus; completes a card
    commit(api, sale("S-1", lines=[line(1, price="50.00")]))
    Sale.update(created_at=week_ago).where(Sale.pos_sale_id == "S-1").execute()  # rung last week
    body = sale("S-1", lines=[line(1, price="50.00"), line(2, upc=TOTW_A, price="30.00")])
    shown = preview(api, body)
    assert [(x["program_id"], x["to_earn"]) for x in shown["points"]] == [(pts["id"], 130)]
    answer = commit(api, body)
    assert [(x["program_id"], x["earned"], x["balance"]) for x in answer["points"]] == [(pts["id"], 130, 200)]
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    redeem_card(api, card, "S-1", line_id="1", upc=ACANA, unit_price="50.00")
    account = api.get(f"/api/v1/accounts/{linked['id']}").get_json()
    assert [(x["program_id"], x["balance"]) for x in account["points"]] == [(pts["id"], 150)]


def test_the_preview_of_a_refund_with_no_account_to_reverse_shows_no_account(api, manager_api, linked):
    program(manager_api, buy_quantity=2)
    shown = preview(api, refund("R-9", "S-never", [line("r1", qty=-1)], customer=None))
    assert shown["account"] is None and shown["sale"]["committed"] is False
    assert [w["code"] for w in shown["warnings"]] == ["original_not_committed"]
    answer = commit(api, refund("R-9", "S-never", [line("r1", qty=-1)], customer=None))
    assert answer["account"] is None and answer["sale"]["kind"] == "refund"
    row = Sale.get(Sale.pos_sale_id == "R-9")
    assert (row.account_id, row.link_id, row.original_id, row.return_for) == (None, None, None, "S-never")
    [(entity, entity_id, account_id, actor, details)] = audit("sale.refund")
    assert account_id is None and details["changes"] == [] and details["warnings"] == ["original_not_committed"]


def test_a_reward_given_on_an_older_sale_never_asks_for_a_reason(api, manager_api, linked):
    """The reward re-counts the sale as an edit would. A TOTW program started after S-1 was rung counts S-1's two
    TOTW bags on that re-count: no reason can be asked at a redemption, so they are flagged for review instead of
    refusing the reward."""
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-0", lines=[line(1, qty=2)]))
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A, qty=2)]))
    totw = manager_api.post("/api/v1/programs", program_body(name="TOTW", upcs=[TOTW_A])).get_json()
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    redeem_card(api, card, "S-1", line_id="1", upc=ACANA, unit_price="50.00")
    assert card_of(api, linked["id"], p["id"], status="open")[0]["punches"] == 0
    assert [(row.quantity, row.needs_review) for row in Punch.select().where(Punch.program == totw["id"])] == [
        (2, True)]


def test_three_refunds_of_one_line_never_return_more_than_it_sold(api, manager_api, linked):
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-0", lines=[line(1, qty=2)]))  # another sale's punches must stay
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    commit(api, refund("R-1", "S-1", [line("r", qty=-1)]))
    commit(api, refund("R-2", "S-1", [line("r", qty=-1)]))
    answer = commit(api, refund("R-3", "S-1", [line("r", qty=-5)]))
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == -1
    assert punches(api, linked["id"], p) == 2
    assert sorted(row.quantity for row in Punch.select().where(Punch.kind == "refund")) == [-1, -1, -1]


def test_a_refunds_bought_and_zero_lines_return_nothing(api, manager_api, linked):
    """An exchange rung as one refund sale: the new bag comes first on the receipt, the returned one after it
    (integrations commit exchanges as two sales; here the bought line simply earns nothing); a line at zero
    returns nothing and names no original."""
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    answer = commit(api, refund("R-1", "S-1", [line("new", upc=TOTW_A), line("zero", qty=0), line("r", qty=-1)]))
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == -1
    assert punches(api, linked["id"], p) == 1
    assert returned_from("R-1") == {"new": None, "zero": None, "r": "1"}
    commit(api, refund("R-1", "S-1", [line("new", upc=TOTW_A), line("zero", qty="0.5", upc=TOTW_A),
                                      line("r", qty=-1)]))
    assert punches(api, linked["id"], p) == 1
    assert returned_from("R-1") == {"new": None, "zero": None, "r": "1"}


def _balance(api, account_id):
    return [x["balance"] for x in api.get(f"/api/v1/accounts/{account_id}").get_json()["points"]]


RETURNED = {"product_id": "p-acana", "sku": "ACA-25", "name": "ACANA 25 lb bag"}  # the returned bag's record


@pytest.mark.parametrize("edit", ["line at zero", "line removed", "every line removed", "voided"])
def test_a_refund_edited_to_return_nothing_gives_back_what_it_took(api, manager_api, linked, edit):
    """R-1 returned one of S-1's two bags (a punch and 10 points went back); then the refund is edited in the POS
    so that it returns nothing: the line set to 0, or removed (a webhook or the poller sends the sale again), or the
    refund is voided (the R-Series poller sends it again with no lines and no return_for). The customer has the
    punch and the points again, as if the bag had never come back."""
    p = program(manager_api, buy_quantity=20)
    points_program(manager_api)
    commit(api, sale("S-1", lines=[line(1, qty=2, price="10.00")]))
    if edit == "every line removed":  # a refund whose lines name their sale (no return_for)
        commit(api, sale("R-1", lines=[line("r", qty=-1, price="10.00", original={"sale_id": "S-1"}, **RETURNED)]))
    else:
        commit(api, refund("R-1", "S-1", [line("r", qty=-1, price="10.00", **RETURNED),
                                          line("t", upc=TOTW_A, qty=-1)]))
    assert (punches(api, linked["id"], p), _balance(api, linked["id"])) == (1, [10])
    lines = {"line at zero": [line("r", qty=0, price="10.00", **RETURNED), line("t", upc=TOTW_A, qty=-1)],
             "line removed": [line("t", upc=TOTW_A, qty=-1)], "every line removed": [], "voided": []}[edit]
    body = sale("R-1", lines=lines, return_for=None if edit in ("every line removed", "voided") else "S-1")
    shown = preview(api, body)
    assert next(c for c in shown["cards"] if c["program_id"] == p["id"])["punches_to_add"] == 1
    assert [(u["line_id"], u["quantity"], Decimal(u["committed_quantity"])) for u in shown["uncommitted_lines"]] == [
        ("r", "0", -1)]
    answer = commit(api, body)
    assert answer["sale"]["kind"] == "refund"
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == 1
    assert (punches(api, linked["id"], p), _balance(api, linked["id"])) == (2, [20])
    row = SaleLine.get(SaleLine.line_id == "r")  # kept for the sale's history, as it was, at 0
    assert (row.quantity, row.product_id, row.sku, row.upc, row.name, row.unit_price) == (
        0, "p-acana", "ACA-25", ACANA, "ACANA 25 lb bag", Decimal("10.00"))
    assert sum(row.quantity for row in Punch.select().where(Punch.kind == "refund")) == 0
    # Sent again, nothing more changes; returning the bag again takes the punch again.
    commit(api, body)
    assert (punches(api, linked["id"], p), _balance(api, linked["id"])) == (2, [20])
    commit(api, refund("R-2", "S-1", [line("r2", qty=-1, price="10.00")]))
    assert (punches(api, linked["id"], p), _balance(api, linked["id"])) == (1, [10])


def test_several_lines_returning_one_original_line_share_what_it_sold(api, manager_api, linked):
    """Two refund lines of S-1's three bags (one bag, then two): all three come back. Three refund lines of S-2's
    two bags: only two come back. S-0's three bags are not touched."""
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-0", lines=[line(1, qty=3)]))
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    commit(api, refund("R-1", "S-1", [line("a", qty=-1), line("b", qty=-2)]))
    assert punches(api, linked["id"], p) == 5
    answer = commit(api, refund("R-2", "S-2", [line("a", qty=-1), line("b", qty=-1), line("c", qty=-1)]))
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == -2
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("not_in_original", "c")]
    assert punches(api, linked["id"], p) == 3
    assert (returned_from("R-1"), returned_from("R-2")) == ({"a": "1", "b": "1"}, {"a": "1", "b": "1", "c": None})


def test_half_a_unit_returned_gives_back_half_its_points(api, manager_api, linked):
    """A bulk item sold by weight: 2 kg at $10.00, then 0.5 kg returned: 5 of its 20 points go back (and no
    punch: half a unit is not a whole one)."""
    p = program(manager_api, buy_quantity=20)
    pts = points_program(manager_api)
    commit(api, sale("S-1", lines=[line(1, qty=2, price="10.00")]))
    answer = commit(api, refund("R-1", "S-1", [line("r", qty="-0.5", price="10.00")]))
    assert [(x["program_id"], x["balance"]) for x in answer["points"]] == [(pts["id"], 15)]
    assert punches(api, linked["id"], p) == 2


def test_a_refund_line_naming_a_line_the_original_does_not_have_falls_back_to_the_product(api, manager_api, linked):
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1), line(2, upc=TOTW_A)]))
    answer = commit(api, refund("R-1", "S-1", [line("r", qty=-1, original={"sale_id": "S-1", "line_id": "9"}),
                                               line("s", upc="000", qty=-1,
                                                    original={"sale_id": "S-1", "line_id": "8"})]))
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("not_in_original", "s")]
    assert returned_from("R-1") == {"r": "1", "s": None}
    assert punches(api, linked["id"], p) == 0


def test_a_refund_without_return_for_skips_lines_naming_no_sale_and_returns_the_others(api, manager_api, linked):
    """A refund whose lines name their sales: a returned line that names none (nothing to reverse) does not stop
    the lines after it; a line naming a sale recorded without an account (a refund of a sale never committed) is
    a sale never committed too."""
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    commit(api, refund("R-0", "S-never", [line("x", qty=-1)], customer=None))  # recorded, no account
    answer = commit(api, sale("R-1", lines=[line("x", qty=-1, original={"sale_id": "S-1"}),
                                            line("y", qty=-1), line("z", qty=-1, original={"sale_id": "R-0"}),
                                            line("w", qty=-1, original={"sale_id": "S-1"})]))
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("original_not_committed", "z")]
    assert "R-0" in answer["warnings"][0]["message"]
    assert returned_from("R-1") == {"x": "1", "y": None, "z": None, "w": "1"}
    assert punches(api, linked["id"], p) == 0


def test_a_refund_sent_again_keeps_returning_the_line_it_returned_first(api, manager_api, linked):
    """S-1 sold one bag of kind A and two of kind B, all under one barcode. R-0 returned both B bags; R-1 then
    returned a bag numbered like the B line, which had none left: the A bag. R-0 is edited down to one bag, and
    R-1 comes again (a webhook's update): it still returns the A bag, though a B bag is free to return now."""
    a = program(manager_api, buy_quantity=20, upcs=[], skus=["A"])
    b = program(manager_api, name="B", buy_quantity=20, upcs=[], skus=["B"])
    commit(api, sale("S-1", lines=[line("1", upc="X", sku="A"), line("2", upc="X", sku="B", qty=2)]))
    commit(api, refund("R-0", "S-1", [line("2", upc="X", qty=-2)]))
    commit(api, refund("R-1", "S-1", [line("2", upc="X", qty=-1)]))
    assert returned_from("R-1") == {"2": "1"}
    assert (punches(api, linked["id"], a), punches(api, linked["id"], b)) == (0, 0)
    commit(api, refund("R-0", "S-1", [line("2", upc="X", qty=-1)]))
    assert (punches(api, linked["id"], a), punches(api, linked["id"], b)) == (0, 1)
    commit(api, refund("R-1", "S-1", [line("2", upc="X", qty=-1, name="returned bag")]))
    assert returned_from("R-1") == {"2": "1"}
    assert (punches(api, linked["id"], a), punches(api, linked["id"], b)) == (0, 1)


def test_an_edit_rewrites_only_the_lines_that_changed(api, manager_api, linked):
    """A sale or a refund sent again with one line changed writes that line's row alone (the others, a refund's
    returned line among them, are as recorded)."""
    program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A)]))
    commit(api, refund("R-1", "S-1", [line("r1", qty=-1), line("x", upc=TOTW_A, qty=-1)]))

    def line_writes(seen):
        return [sql for sql in seen if sql.startswith('UPDATE "sale_line"')]

    with statements() as seen:
        commit(api, sale("S-1", lines=[line(1, qty=2), line(2, upc=TOTW_A, price="50.00")]))
    assert len(line_writes(seen)) == 1
    # the sale's lines are read once: the commit is planned once (a refund of another account's sale is planned
    # again after that account's lock)
    assert len([sql for sql in seen if 'FROM "sale_line" WHERE "sale_id" = ' in sql]) == 1
    with statements() as seen:
        commit(api, refund("R-1", "S-1", [line("r1", qty=-1), line("x", upc=TOTW_A, qty=-1, name="returned")]))
    assert len(line_writes(seen)) == 1
    assert {r.line_id: r.name for r in SaleLine.select()} == {"1": f"item {ACANA}", "2": f"item {TOTW_A}",
                                                              "r1": f"item {ACANA}", "x": "returned"}


def test_three_refunds_of_a_line_leave_the_next_line_to_the_third(api, manager_api, linked):
    """S-1 sold two bags of kind A and one of kind B under one barcode. Two refunds of one bag each take both A
    bags; the third bag returned is the B one."""
    a = program(manager_api, buy_quantity=20, upcs=[], skus=["A"])
    b = program(manager_api, name="B", buy_quantity=20, upcs=[], skus=["B"])
    commit(api, sale("S-1", lines=[line("1", upc="X", sku="A", qty=2), line("2", upc="X", sku="B")]))
    for refund_id in ("R-1", "R-2", "R-3"):
        commit(api, refund(refund_id, "S-1", [line("r", upc="X", qty=-1)]))
    assert [returned_from(r)["r"] for r in ("R-1", "R-2", "R-3")] == ["1", "1", "2"]
    assert (punches(api, linked["id"], a), punches(api, linked["id"], b)) == (0, 0)


def test_the_preview_of_a_sale_with_a_reward_given_on_it_does_not_punch_the_free_bag(api, manager_api, linked):
    p = program(manager_api, buy_quantity=2)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    card = card_of(api, linked["id"], p["id"], status="complete")[0]
    redeem_card(api, card, "S-2", upc=ACANA, unit_price="94.99")
    shown = preview(api, sale("S-2", lines=[line(1, qty=2)]))
    assert next(c for c in shown["cards"] if c["program_id"] == p["id"])["punches_to_add"] == 1
    assert next(c for c in commit(api, sale("S-2", lines=[line(1, qty=2)]))["cards"]
                if c["program_id"] == p["id"])["punches_to_add"] == 1



def test_a_refund_opened_for_a_sale_shows_its_customer_before_any_item_is_returned(api, manager_api, linked):
    """The refund screen of S-1 at a register with no customer selected: no item scanned yet, the preview already
    shows S-1's customer; a refund of a sale recorded without an account (itself a refund of a sale never
    committed) says the original was never committed."""
    program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1)]))
    shown = preview(api, refund("R-1", "S-1", [], customer=None))
    assert shown["account"]["id"] == linked["id"] and shown["warnings"] == []
    commit(api, refund("R-0", "S-never", [line("x", qty=-1)], customer=None))
    for body in (refund("R-2", "R-0", [line("x", qty=-1)], customer=None), refund("R-3", "S-gone", [])):
        answer = commit(api, body)
        assert [w["code"] for w in answer["warnings"]] == ["original_not_committed"]
        assert "never committed" in answer["warnings"][0]["message"]
    assert Sale.get(Sale.pos_sale_id == "R-2").account_id is None


def test_a_new_sales_commit_reads_nothing_it_cannot_have_yet(api, manager_api, linked):
    """A sale committed for the first time has no lines, ledger rows or free items on record: its commit reads
    none (the sale's row comes back from its INSERT with whether a reward was redeemed on it)."""
    program(manager_api, buy_quantity=20)
    points_program(manager_api)
    commit(api, sale("S-0", lines=[line(1)]))
    with statements() as seen:
        commit(api, sale("S-1", lines=[line(1, price="10.00")]))
    reads = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "sale_line"' in sql]
    assert not [sql for sql in reads if 'FROM "redemption"' in sql]
    assert not [sql for sql in reads if 'FROM "points_entry"' in sql and '"sale_id" = ' in sql]


def test_the_answer_of_a_sale_moved_at_the_register_counts_what_moved_on_an_archived_program(
        api, manager_api, linked):
    """S-1's two bags punched a program archived since. The cashier fixes S-1's customer (Ola): the two punches
    move to Ola, and the commit's answer says so, as its preview did."""
    p = program(manager_api, buy_quantity=5)
    pts = points_program(manager_api)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=2, price="10.00")]))
    Program.update(status="archived").where(Program.id == p["id"]).execute()
    moved = sale("S-1", lines=[line(1, qty=2, price="10.00")], customer="c-77")
    assert {c["program_id"]: c["punches_to_add"] for c in preview(api, moved)["cards"]} == {p["id"]: 2}
    answer = commit(api, moved)
    assert answer["account"]["id"] == ola
    assert answer["points"] == [{"program_id": pts["id"], "program": "Paws Points", "earned": 20, "balance": 20}]
    assert {c["program_id"]: (c["punches_before"], c["punches_to_add"], c["punches_after"])
            for c in answer["cards"]} == {p["id"]: (0, 2, 2)}
    assert (punches(api, ola, p), punches(api, linked["id"], p)) == (2, 0)


def test_a_sale_is_a_refund_only_when_a_line_returns_something_of_a_named_sale(api, manager_api, linked):
    """A sale with a returned bag that names no sale is a sale (the register is told to ring returns as refunds);
    a line naming an original at zero, or a line naming one that is bought, makes no refund either: the sale's
    other bags punch."""
    p = program(manager_api, buy_quantity=20)
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    answer = commit(api, sale("S-2", lines=[line(1), line(2, qty=-1)]))
    assert answer["sale"]["kind"] == "sale"
    assert [(w["code"], w.get("line_id")) for w in answer["warnings"]] == [("negative_quantity", "2")]
    for sale_id, qty in (("S-3", 0), ("S-4", "0.5")):
        answer = commit(api, sale(sale_id, lines=[line(1), line(2, qty=qty, original={"sale_id": "S-1"})]))
        assert answer["sale"]["kind"] == "sale"
    assert {s.pos_sale_id: s.kind for s in Sale.select()} == {"S-1": "sale", "S-2": "sale", "S-3": "sale",
                                                              "S-4": "sale"}
    assert punches(api, linked["id"], p) == 5


def test_a_refund_rung_for_another_customer_and_edited_up_returns_the_difference(api, manager_api, linked):
    """Dana's S-1 returned at a register where Ola is the customer: the refund is Dana's (her account is locked and
    the refund planned again). Edited from one bag to two, it takes one punch more from Dana, and its lines stay
    two rows."""
    p = program(manager_api, buy_quantity=20)
    ola = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[line(1, qty=3)]))
    commit(api, refund("R-1", "S-1", [line("r", qty=-1)], customer="c-77"))
    answer = commit(api, refund("R-1", "S-1", [line("r", qty=-2), line("s", upc=TOTW_A, qty=-1)], customer="c-77"))
    assert answer["account"]["id"] == linked["id"]
    assert next(c for c in answer["cards"] if c["program_id"] == p["id"])["punches_to_add"] == -1
    assert (punches(api, linked["id"], p), punches(api, ola, p)) == (1, 0)
    assert returned_from("R-1") == {"r": "1", "s": None}
