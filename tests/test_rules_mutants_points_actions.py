"""Points actions that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: what a
redemption, its cancellation and a manager's adjustment write (ledger row, audit row, answer), the refusals'
messages and details, and the expiry an adjustment gives."""
from __future__ import annotations

import datetime as dt

from builders import commit, line, points_program, sale
from loyalty.models import AuditLog, Program
from loyalty.programs.points_models import PointsEntry


def earn(api, sale_id, price):
    commit(api, sale(sale_id, lines=[line(1, upc="0000TREAT", price=price)]))


def redeem_body(account, program, **kw):
    return {"account_id": account["id"], "program_id": program["id"], "reward_id": program["rewards"][0]["id"], **kw}


def refusal(r, status):
    assert r.status_code == status, r.get_json()
    error = r.get_json()["error"]
    assert error["message"], error  # a refusal says why
    return error


def test_a_redemption_spends_its_cost_in_a_ledger_row_and_an_audit_row(api, manager_api, linked):
    p = points_program(manager_api)
    earn(api, "S-1", "620.00")
    r = api.post("/api/v1/points/redeem", redeem_body(linked, p, sale={"system": "lightspeed-x", "sale_id": "S-2"},
                                                      line_id="L7"))
    assert r.status_code == 201, r.get_json()
    red = r.get_json()
    assert (red["points_spent"], red["balance"], red["line_id"]) == (500, 120, "L7")
    spend = PointsEntry.get(PointsEntry.kind == "spend")
    assert (spend.points, spend.redemption_id, spend.reason, spend.account_id) == (-500, red["redemption_id"],
                                                                                  "$5 off", linked["id"])
    audit = AuditLog.get(AuditLog.action == "points.redeem")
    assert (audit.entity, audit.entity_id, audit.account_id) == ("points_redemption", str(red["redemption_id"]),
                                                                 linked["id"])
    assert audit.details == {"program_id": p["id"], "reward": "$5 off", "points": 500, "line_id": "L7",
                             "sale": {"system": "lightspeed-x", "sale_id": "S-2"}}


def test_the_refusals_of_a_redemption_say_why_and_what_the_balance_is(api, manager_api, linked):
    p = points_program(manager_api)
    earn(api, "S-1", "120.00")
    error = refusal(api.post("/api/v1/points/redeem", redeem_body(linked, p)), 409)
    assert (error["code"], error["balance"], error["cost"]) == ("insufficient_points", 120, 500)
    refusal(api.post("/api/v1/points/redeem", redeem_body(linked, p, reward_id=99999)), 404)
    refusal(api.post("/api/v1/points/redeem", redeem_body(linked, p, program_id=99999)), 404)
    Program.update(status="archived").where(Program.id == p["id"]).execute()
    assert refusal(api.post("/api/v1/points/redeem", redeem_body(linked, p)), 409)["code"] == "program_archived"
    assert PointsEntry.select().where(PointsEntry.kind == "spend").count() == 0


def test_cancelling_gives_the_points_back_once_with_its_ledger_and_audit_rows(api, manager_api, linked):
    """Two rewards redeemed, the first cancelled twice (a retry): the balance is back to 700 (1,200 earned, 500
    still spent), the second answer is the first's, and nothing more is written."""
    p = points_program(manager_api)
    earn(api, "S-1", "1200.00")
    red = api.post("/api/v1/points/redeem", redeem_body(linked, p)).get_json()
    assert api.post("/api/v1/points/redeem", redeem_body(linked, p)).get_json()["balance"] == 200
    url = f"/api/v1/points/redemptions/{red['redemption_id']}/cancel"
    first = api.post(url)
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["status"], first.get_json()["balance"]) == ("cancelled", 700)
    again = api.post(url)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    restore = PointsEntry.get(PointsEntry.kind == "restore_spend")
    assert (restore.points, restore.redemption_id, restore.reason) == (500, red["redemption_id"],
                                                                      "redemption cancelled")
    assert PointsEntry.select().where(PointsEntry.kind == "restore_spend").count() == 1
    audits = list(AuditLog.select().where(AuditLog.action == "points.redeem_cancel"))
    assert [(a.entity, a.entity_id, a.account_id, a.details) for a in audits] == [
        ("points_redemption", str(red["redemption_id"]), linked["id"], {"program_id": p["id"], "points": 500})]


def test_cancelling_refuses_an_unknown_redemption_and_one_whose_sale_is_committed(api, manager_api, linked):
    p = points_program(manager_api)
    earn(api, "S-1", "620.00")
    refusal(api.post("/api/v1/points/redemptions/99999/cancel"), 404)
    red = api.post("/api/v1/points/redeem", redeem_body(linked, p, sale={"system": "lightspeed-x",
                                                                         "sale_id": "S-2"})).get_json()
    earn(api, "S-2", "10.00")
    error = refusal(api.post(f"/api/v1/points/redemptions/{red['redemption_id']}/cancel"), 409)
    assert error["code"] == "sale_committed"


def adjust(manager_api, account, program, points, reason="goodwill"):
    return manager_api.post(f"/api/v1/accounts/{account['id']}/points/adjust",
                            {"program_id": program["id"], "points": points, "reason": reason})


def test_each_adjustment_counts_for_every_account_and_answers_the_new_balance(api, manager_api, linked):
    """Two adjustments of one account and the first of another: none is taken for a retry of another."""
    p = points_program(manager_api)
    other = api.post("/api/v1/accounts", {"first_name": "Priya", "last_name": "Shah"}).get_json()
    r = adjust(manager_api, linked, p, 30, "lost receipt")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"account_id": linked["id"], "program_id": p["id"], "points": 30,
                            "reason": "lost receipt", "balance": 30}
    assert adjust(manager_api, linked, p, -12).get_json()["balance"] == 18
    assert adjust(manager_api, other, p, 7).get_json()["balance"] == 7
    rows = sorted((e.account_id, e.points) for e in PointsEntry.select().where(PointsEntry.kind == "adjust"))
    assert rows == sorted([(linked["id"], 30), (linked["id"], -12), (other["id"], 7)])
    audit = AuditLog.get((AuditLog.action == "points.adjust") & (AuditLog.account_id == other["id"]))
    assert (audit.entity, audit.entity_id) == ("account", str(other["id"]))
    assert audit.details == {"program_id": p["id"], "points": 7, "reason": "goodwill", "balance": 7}


def test_adjusted_points_expire_like_earned_ones_and_a_removal_has_no_expiry(api, manager_api, linked):
    p = points_program(manager_api, expiry_days=30)
    assert adjust(manager_api, linked, p, 1).status_code == 200
    assert adjust(manager_api, linked, p, -1).status_code == 200
    added, removed = PointsEntry.select().where(PointsEntry.kind == "adjust").order_by(PointsEntry.id)
    assert added.expires_at - added.created_at == dt.timedelta(days=30)
    assert removed.expires_at is None
    plain = points_program(manager_api, name="No expiry")
    adjust(manager_api, linked, plain, 5)
    assert PointsEntry.get((PointsEntry.kind == "adjust") & (PointsEntry.program == plain["id"])).expires_at is None


def test_an_adjustment_of_zero_or_in_another_kind_of_program_is_refused(api, manager_api, linked, program):
    p = points_program(manager_api)
    assert "points" in refusal(adjust(manager_api, linked, p, 0), 422)["fields"]
    assert "program_id" in refusal(adjust(manager_api, linked, program, 5), 404)["fields"]
    assert not PointsEntry.select().exists()
