"""Exception punches, adjustments and splits: ledger rows, audit rows, card roll-over, clear refusals."""
import pytest

from loyalty.domain.adjustments import adjust_punches, exception_punch, split_card
from loyalty.errors import NotFound, ValidationFailed
from loyalty.models import AuditLog, Card, Punch
from webtools import ledger_matches_cards, new_account, punch


def open_card(account_id):
    return Card.get((Card.account == account_id) & (Card.status == "open"))


def test_exception_punch_records_the_item_and_reason(api, program):
    a = new_account(api)
    exception_punch(a["id"], program["id"], "user:boss", reason="new UPC not on the list", item_name="ACANA 25 lb v2",
                    upc="064992999999", unit_price="89.99", quantity=2)
    row = Punch.get(Punch.kind == "exception")
    assert (row.quantity, row.upc, row.reason, row.actor) == (2, "064992999999", "new UPC not on the list",
                                                             "user:boss")
    assert open_card(a["id"]).punches == 2
    audit = AuditLog.get(AuditLog.action == "card.exception")
    assert audit.account_id == a["id"] and audit.details["item"]["unit_price"] == "89.99"


@pytest.mark.parametrize("kw,field", [
    ({"reason": ""}, "reason"), ({"reason": "x" * 101}, "reason"), ({"quantity": "0"}, "quantity"),
    ({"quantity": "two"}, "quantity"), ({"unit_price": "abc"}, "unit_price"), ({"item_name": ""}, "item_name"),
])
def test_exception_punch_refuses_bad_input(api, program, kw, field):
    a = new_account(api)
    args = {"reason": "new UPC", "item_name": "bag", "quantity": 1, **kw}
    with pytest.raises(ValidationFailed) as exc:
        exception_punch(a["id"], program["id"], "user:boss", **args)
    assert field in exc.value.fields
    assert not Punch.select().exists() and not AuditLog.select().where(AuditLog.action == "card.exception").exists()


def test_adjust_adds_and_removes_with_roll_over(api, program):
    a = new_account(api)
    punch(api, a["id"], 10)
    adjust_punches(a["id"], program["id"], 3, "user:boss", reason="paper card transferred")
    assert Card.get((Card.account == a["id"]) & (Card.status == "complete")).punches == 12
    assert open_card(a["id"]).punches == 1
    adjust_punches(a["id"], program["id"], "-2", "user:boss", reason="double scanned")
    assert open_card(a["id"]).punches == 11  # the complete card reopened and gave one back
    assert Punch.select().where(Punch.kind == "adjustment").count() >= 2
    assert AuditLog.select().where(AuditLog.action == "card.adjust").count() == 2
    assert ledger_matches_cards()


def test_adjust_cannot_remove_more_than_the_cards_hold(api, program):
    a = new_account(api)
    punch(api, a["id"], 2)
    with pytest.raises(ValidationFailed, match="hold 2"):
        adjust_punches(a["id"], program["id"], -3, "user:boss", reason="oops")
    assert open_card(a["id"]).punches == 2


def test_adjust_unknown_program_is_not_found(api):
    a = new_account(api)
    with pytest.raises(NotFound):
        adjust_punches(a["id"], 999, 1, "user:boss", reason="x")


def test_split_moves_punches_to_another_account(api, program):
    a, b = new_account(api, "Pat", "Couple"), new_account(api, "Lee", "Couple")
    punch(api, a["id"], 7)
    split_card(open_card(a["id"]).id, b["id"], 3, "user:boss", reason="separate households")
    assert open_card(a["id"]).punches == 4 and open_card(b["id"]).punches == 3
    assert {p.account_id: p.quantity for p in Punch.select().where(Punch.kind == "move")} == {a["id"]: -3,
                                                                                             b["id"]: 3}
    assert AuditLog.select().where(AuditLog.action == "card.split").count() == 2
    assert ledger_matches_cards()


def test_split_refuses_more_than_held_and_the_same_account(api, program):
    a = new_account(api)
    punch(api, a["id"], 2)
    card = open_card(a["id"])
    b = new_account(api, "Other", "Person")
    with pytest.raises(ValidationFailed):
        split_card(card.id, b["id"], 3, "user:boss", reason="x")
    with pytest.raises(ValidationFailed):
        split_card(card.id, a["id"], 1, "user:boss", reason="x")
    assert open_card(a["id"]).punches == 2
