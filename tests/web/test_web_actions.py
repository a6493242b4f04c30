"""Manager actions through the web pages: each shows a confirmation first, then writes ledger and audit rows."""
import pytest

from builders import line, sale
from loyalty.models import Account, AuditLog, Card, PosLink, Punch, Sale
from webtools import commit, hidden_fields, ledger_matches_cards, new_account, punch, text


def confirm_then_run(web, path, form):
    """Post once (the confirmation page must change nothing), then post its hidden fields with confirmed=yes."""
    before = (Punch.select().count(), AuditLog.select().count())
    r = web.post(path, form)
    assert r.status_code == 200, text(r)
    assert 'name="confirmed" value="yes"' in text(r)
    assert (Punch.select().count(), AuditLog.select().count()) == before
    fields = hidden_fields(text(r))
    fields.pop("csrf_token"), fields.pop("confirmed")
    return web.post(path, fields, confirm=True)


def test_unlink_a_wrong_map_and_move_its_sales(manager, api, program, linked):
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, sale("S-2", lines=[line(1)]))
    right = new_account(api, "Dana", "Other")
    r = manager.post(f"/accounts/{linked['id']}/unlink", {"system": "lightspeed-x", "customer_id": "c-42",
                                                          "reason": "wrong Dana", "move_sales_to": right["id"]})
    assert "Its 2 sales, with their punches, move to Dana Other" in text(r)
    r = confirm_then_run(manager, f"/accounts/{linked['id']}/unlink", {
        "system": "lightspeed-x", "customer_id": "c-42", "reason": "wrong Dana", "move_sales_to": right["id"]})
    assert r.status_code == 302
    link = PosLink.get(PosLink.pos_customer_id == "c-42")
    assert link.unlinked_at and link.unlinked_by == "user:manager1" and link.unlink_reason == "wrong Dana"
    assert {s.account_id for s in Sale.select()} == {right["id"]}
    assert Card.get((Card.account == right["id"]) & (Card.status == "open")).punches == 2
    assert Card.get((Card.account == linked["id"]) & (Card.status == "open")).punches == 0
    assert AuditLog.get(AuditLog.action == "link.unlink").details["moved_to"] == right["id"]
    page = text(manager.get(f"/accounts/{linked['id']}"))
    assert "unlinked" in page and "wrong Dana" in page
    assert ledger_matches_cards()


@pytest.mark.parametrize("form,status", [
    ({"reason": ""}, 422), ({"reason": "x", "move_sales_to": "abc"}, 422), ({"reason": "x", "move_sales_to": "999"}, 404),
    ({"reason": "x", "customer_id": "c-nope"}, 404),
])
def test_unlink_bad_input_gets_a_clear_4xx(manager, linked, form, status):
    data = {"system": "lightspeed-x", "customer_id": "c-42", **form}
    r = manager.post(f"/accounts/{linked['id']}/unlink", data, confirm=True)
    assert r.status_code == status
    assert PosLink.get(PosLink.pos_customer_id == "c-42").unlinked_at is None


def test_merge_picking_the_other_account_as_primary(manager, api, program):
    a, b = new_account(api, "Ann", "Ames"), new_account(api, "Anne", "Ames", email="anne@example.com")
    punch(api, a["id"], 4, "A")
    r = manager.post(f"/accounts/{a['id']}/merge", {"other_account_id": b["id"], "primary": "other"})
    assert f"Keep Anne Ames (account {b['id']}" in text(r)
    r = confirm_then_run(manager, f"/accounts/{a['id']}/merge", {"other_account_id": b["id"], "primary": "other"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/accounts/{b['id']}")
    assert Account.get_by_id(a["id"]).merged_into_id == b["id"]
    assert Card.get((Card.account == b["id"]) & (Card.status == "open")).punches == 4
    assert f"Merged Ann Ames (account {a['id']}) into this account." in text(manager.get(f"/accounts/{b['id']}"))


def test_merge_with_itself_or_nobody_is_refused(manager, api):
    a = new_account(api)
    assert manager.post(f"/accounts/{a['id']}/merge", {"other_account_id": a["id"]}).status_code == 422
    assert manager.post(f"/accounts/{a['id']}/merge", {"other_account_id": "x"}).status_code == 422
    assert manager.post(f"/accounts/{a['id']}/merge", {"other_account_id": "999"}).status_code == 404


def test_exception_punch_from_the_account_page(manager, api, program):
    a = new_account(api)
    r = confirm_then_run(manager, f"/accounts/{a['id']}/exception", {
        "program_id": program["id"], "item_name": "ACANA 25 lb new bag", "upc": "064992000000",
        "unit_price": "92.00", "quantity": "1", "reason": "new UPC"})
    assert r.status_code == 302
    row = Punch.get(Punch.kind == "exception")
    assert (row.actor, row.reason, row.upc) == ("user:manager1", "new UPC", "064992000000")
    page = text(manager.get(f"/accounts/{a['id']}"))
    assert "ACANA 25 lb new bag" in page and "Exception punch: 1 on" in page


def test_adjust_from_the_account_page(manager, api, program):
    a = new_account(api)
    punch(api, a["id"], 3)
    r = confirm_then_run(manager, f"/accounts/{a['id']}/adjust", {"program_id": program["id"], "quantity": "-1",
                                                                  "reason": "scanned twice"})
    assert r.status_code == 302
    assert Card.get(Card.account == a["id"]).punches == 2
    assert AuditLog.get(AuditLog.action == "card.adjust").actor == "user:manager1"


@pytest.mark.parametrize("form", [{"quantity": "lots", "reason": "x"}, {"quantity": "1", "reason": ""},
                                  {"quantity": "-5", "reason": "x"}, {"quantity": "1", "reason": "x",
                                                                      "program_id": "zz"}])
def test_adjust_bad_input_is_refused_before_any_change(manager, api, program, form):
    a = new_account(api)
    punch(api, a["id"], 2)
    r = manager.post(f"/accounts/{a['id']}/adjust", {"program_id": program["id"], **form}, confirm=True)
    assert r.status_code == 422
    assert Card.get(Card.account == a["id"]).punches == 2


def test_split_from_the_account_page(manager, api, program):
    a, b = new_account(api, "Pat", "One"), new_account(api, "Lee", "Two")
    punch(api, a["id"], 5)
    card = Card.get(Card.account == a["id"])
    r = confirm_then_run(manager, f"/cards/{card.id}/split", {"quantity": "2", "target_account_id": b["id"],
                                                             "reason": "two households"})
    assert r.status_code == 302
    assert Card.get_by_id(card.id).punches == 3 and Card.get(Card.account == b["id"]).punches == 2
    assert manager.post("/cards/999/split", {"quantity": "1", "target_account_id": b["id"],
                                             "reason": "x"}).status_code == 404
