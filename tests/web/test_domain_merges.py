"""Merging accounts: links, sales, cards, redemptions and history move to the primary; cards combine."""
import pytest

from builders import line, sale
from loyalty.domain.merges import merge_accounts
from loyalty.errors import ValidationFailed
from loyalty.models import Account, AuditLog, Card, PosLink, Punch, Redemption, Sale
from webtools import commit, ledger_matches_cards, new_account, punch


def cards(account_id, program_id):
    return list(Card.select().where((Card.account == account_id) & (Card.program == program_id)).order_by(Card.seq))


def test_open_cards_of_one_program_combine_and_roll_over(api, program):
    a, b = new_account(api, "Dana", "Whitfield"), new_account(api, "Dan", "Whitfield")
    punch(api, a["id"], 5, "A")
    punch(api, b["id"], 9, "B")
    merge_accounts(a["id"], b["id"], "user:boss")
    mine = cards(a["id"], program["id"])
    by_status = {c.status: c for c in mine}
    assert by_status["complete"].punches == 12  # 5 + 9 filled a card of 12 ...
    assert by_status["open"].punches == 2  # ... and 2 rolled over
    assert by_status["void"].punches == 0  # the other's emptied card, kept as history
    assert by_status["open"].seq == max(c.seq for c in mine)  # the open card stays the newest
    assert not Card.select().where(Card.account == b["id"]).exists()
    assert not Punch.select().where(Punch.account == b["id"]).exists()
    assert Sale.select().where(Sale.account == a["id"]).count() == 14
    assert ledger_matches_cards()
    moved = Punch.select().where(Punch.kind == "move")
    assert sum(p.quantity for p in moved) == 0 and moved.count() >= 2


def test_links_redemptions_and_contact_move(api, program, linked):
    other = new_account(api, "Dana", "W", email="dana.w@example.com", phone="555-000-1111",
                        address={"line1": "1 Elm St", "city": "Salem", "postal_code": "97301"},
                        link={"system": "lightspeed-x", "customer_id": "c-77"})
    primary = new_account(api, "Dana", "Whitfield")
    punch(api, other["id"], 12, "O")
    card = Card.get((Card.account == other["id"]) & (Card.status == "complete"))
    r = api.post(f"/api/v1/cards/{card.id}/redeem", {"item": {"upc": "064992523251", "name": "ACANA 25 lb"}})
    assert r.status_code in (200, 201), r.get_json()
    merge_accounts(primary["id"], other["id"], "user:boss")
    assert PosLink.get(PosLink.pos_customer_id == "c-77").account_id == primary["id"]
    assert Redemption.get().account_id == primary["id"]
    merged = Account.get_by_id(primary["id"])
    assert (merged.email, merged.phone, merged.city) == ("dana.w@example.com", "+15550001111", "Salem")
    assert Account.get_by_id(other["id"]).merged_into_id == primary["id"]
    assert Card.get_by_id(card.id).status == "redeemed" and Card.get_by_id(card.id).account_id == primary["id"]
    assert {a.account_id for a in AuditLog.select().where(AuditLog.action.startswith("account.merge"))} == {
        primary["id"], other["id"]}
    # The moved POS link commits to the primary from now on.
    commit(api, sale("S-new", lines=[line(1)], customer="c-77"))
    assert Sale.get(Sale.pos_sale_id == "S-new").account_id == primary["id"]
    assert ledger_matches_cards()


def test_only_the_others_open_card_moves_when_the_primary_has_none(api, program):
    a, b = new_account(api, "A", "One"), new_account(api, "B", "Two")
    punch(api, b["id"], 3, "B")
    merge_accounts(a["id"], b["id"], "user:boss")
    [card] = cards(a["id"], program["id"])
    assert (card.status, card.punches) == ("open", 3)
    assert not Punch.select().where(Punch.kind == "move").exists()


def test_merging_an_account_with_itself_is_refused(api):
    a = new_account(api)
    with pytest.raises(ValidationFailed):
        merge_accounts(a["id"], a["id"], "user:boss")
