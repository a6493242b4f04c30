"""Report queries: participation counts, redemptions to claim (paged), credits, test accounts left out."""
import datetime as dt

import pytest

from loyalty.domain import reports
from loyalty.errors import ValidationFailed
from loyalty.models import Account, AuditLog, Card, Redemption
from webtools import new_account, punch

TODAY = dt.datetime.utcnow().date()


def redeem(api, account_id, program_id, name="ACANA 25 lb free"):
    card = Card.get((Card.account == account_id) & (Card.program == program_id) & (Card.status == "complete"))
    r = api.post(f"/api/v1/cards/{card.id}/redeem", {"item": {"upc": "064992523251", "name": name}})
    assert r.status_code in (200, 201), r.get_json()


def test_participation_counts_and_leaves_test_accounts_out(api, program):
    a = new_account(api, "Ann", "Ames")
    b = new_account(api, "Bo", "Banks")
    trainee = new_account(api, "Test", "Customer", is_test=True)
    punch(api, a["id"], 13, "A")
    punch(api, b["id"], 2, "B")
    punch(api, trainee["id"], 12, "T")
    redeem(api, a["id"], program["id"])
    [row] = reports.participation(TODAY, TODAY)
    assert row["unique_customers"] == 2
    assert row["cards_punched"] == 3  # a's full card and its next one, b's card
    assert row["items_sold"] == 15
    assert row["rewards_earned"] == 1
    assert row["rewards_redeemed"] == 1
    [empty] = reports.participation(TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=1))
    assert empty["items_sold"] == 0 and empty["unique_customers"] == 0


def test_daily_items_has_every_day_of_the_range(api, program):
    a = new_account(api)
    punch(api, a["id"], 2)
    days = reports.daily_items(TODAY - dt.timedelta(days=6), TODAY)
    assert len(days) == 7 and days[-1] == (TODAY, 2) and days[0][1] == 0


def test_redemptions_to_claim_carry_what_the_distributor_needs(api, program):
    a = new_account(api, "Ann", "Ames", address={"line1": "1 Elm St", "city": "Salem", "postal_code": "97301",
                                                 "region": "OR"})
    punch(api, a["id"], 12)
    redeem(api, a["id"], program["id"])
    [row] = reports.redemptions_to_claim(TODAY, TODAY)
    assert row["customer"] == "Ann Ames" and row["address"] == "1 Elm St, Salem, OR, 97301"
    assert row["upcs"] == "064992523251" and row["purchase_dates"] == TODAY.isoformat()
    assert row["punches"] == 12 and row["item_given"] == "ACANA 25 lb free"
    assert (row["distributor"], row["manufacturer"]) == ("PFX", "Champion")


def test_redemptions_page_through_everything_in_order(api, manager_api, program, monkeypatch):
    from builders import program_body

    other = manager_api.post("/api/v1/programs", program_body(name="TOTW", distributor="Animal Supply",
                                                              buy_quantity=1, upcs=["074198608331"])).get_json()
    monkeypatch.setattr(reports, "PAGE", 2)
    from builders import line, sale
    from webtools import commit
    for i in range(3):
        acct = new_account(api, f"C{i}", "Claim")
        punch(api, acct["id"], 12, f"P{i}")
        redeem(api, acct["id"], program["id"])
        commit(api, sale(f"T{i}", lines=[line(1, upc="074198608331")], customer=None, account_id=acct["id"]))
        redeem(api, acct["id"], other["id"], name="TOTW free")
    rows = list(reports.redemptions_to_claim(TODAY, TODAY, "all"))
    assert len(rows) == 6 and len({r["redemption_id"] for r in rows}) == 6
    assert [r["distributor"] for r in rows] == ["Animal Supply"] * 3 + ["PFX"] * 3


def test_mark_credited_moves_rows_out_of_the_uncredited_list(api, program):
    a = new_account(api)
    punch(api, a["id"], 12)
    redeem(api, a["id"], program["id"])
    red = Redemption.get()
    assert reports.mark_credited([red.id], "user:boss") == 1
    assert reports.mark_credited([red.id], "user:boss") == 0  # already credited: no second audit row
    assert list(reports.redemptions_to_claim(TODAY, TODAY, "uncredited")) == []
    [row] = reports.redemptions_to_claim(TODAY, TODAY, "credited")
    assert row["credited_by"] == "user:boss"
    assert AuditLog.select().where(AuditLog.action == "redemption.credited").count() == 1


def test_test_accounts_redemptions_are_not_claimed(api, program):
    a = new_account(api, "Test", "Till", is_test=True)
    punch(api, a["id"], 12)
    redeem(api, a["id"], program["id"])
    assert list(reports.redemptions_to_claim(TODAY, TODAY, "all")) == []
    assert reports.card_counts() == {}
    Account.update(is_test=False).execute()
    assert reports.card_counts()[program["id"]]["redeemed"] == 1


@pytest.mark.parametrize("start,end", [("2026-13-01", None), ("2026-02-01", "2026-01-01"), ("1900-01-01", None)])
def test_bad_date_ranges_are_refused(start, end):
    with pytest.raises(ValidationFailed):
        reports.parse_range(start, end)
