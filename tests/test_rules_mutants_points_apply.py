"""What a commit writes to the points ledger and the audit trail, row by row: the kind, the sale and refund a row
names, its reason and its key, and the audit row's list of changes. Mutation testing (scripts/mutation,
docs/mutation-survivors.md, `PointsKind.apply`) showed that the balances the register sees were checked, but not
the rows a manager reads in the account's history and the audit trail when a customer asks "why do I have 7?"."""
from __future__ import annotations

from builders import account, commit, line, points_program, sale, treat
from loyalty.models import AuditLog, Sale
from loyalty.programs.points_models import PointsEntry


def rows_of(program_id):
    return [(e.kind, e.points, e.sale_id, e.refund_id, e.redemption_id, e.reason, e.key)
            for e in PointsEntry.select().where(PointsEntry.program == program_id).order_by(PointsEntry.id)]


def sale_id(pos_sale_id):
    return Sale.get(Sale.pos_sale_id == pos_sale_id).id


def audit_changes(action, pos_sale_id):
    row = AuditLog.get((AuditLog.action == action) & (AuditLog.entity_id == str(sale_id(pos_sale_id))))
    return row.details["changes"]


def test_a_sale_earning_one_point_writes_an_earn_row_and_an_edit_down_a_sale_changed_reversal(
        api, manager_api, linked):
    p = points_program(manager_api)
    pid = p["id"]
    commit(api, sale("S-1", lines=[treat(1, price="1.00")]))  # exactly one point: still an "earn"
    s1 = sale_id("S-1")
    assert rows_of(pid) == [("earn", 1, s1, None, None, None, f"sale:{s1}:{pid}:1")]
    assert audit_changes("sale.commit", "S-1") == [{"program_id": pid, "points": 1}]

    commit(api, sale("S-1", lines=[treat(1, price="1.00"), treat(2, price="3.00")]))  # the sale grew: +3
    commit(api, sale("S-1", lines=[treat(1, price="1.00")]))  # and shrank again: -3
    assert rows_of(pid)[1:] == [
        ("earn", 3, s1, None, None, None, f"sale:{s1}:{pid}:2"),
        ("reverse_earn", -3, s1, None, None, "sale changed", f"sale:{s1}:{pid}:3"),
    ]
    last = AuditLog.select().where(AuditLog.action == "sale.commit").order_by(AuditLog.id.desc()).first()
    assert last.details["changes"] == [{"program_id": pid, "points": -3}]


def returned(line_id, original_line, price):
    return line(line_id, upc="0000TREAT", qty=-1, price=price, original={"sale_id": "S-1", "line_id": original_line})


def test_a_refund_reverses_the_original_sales_points_with_both_sales_named(api, manager_api, linked):
    p = points_program(manager_api)
    pid = p["id"]
    commit(api, sale("S-1", lines=[treat(1, price="10.00"), treat(2, price="20.00")]))
    commit(api, sale("R-1", lines=[returned("r1", "2", "20.00")], return_for="S-1"))
    s1, r1 = sale_id("S-1"), sale_id("R-1")
    assert rows_of(pid)[1:] == [("reverse_earn", -20, s1, r1, None, "refund", f"refund:{r1}:{s1}:{pid}:1")]
    assert audit_changes("sale.refund", "R-1") == [{"program_id": pid, "original_sale": s1, "points": -20}]

    commit(api, sale("R-2", lines=[returned("r1", "1", "10.00")], return_for="S-1"))  # a second refund
    r2 = sale_id("R-2")
    assert rows_of(pid)[2:] == [("reverse_earn", -10, s1, r2, None, "refund", f"refund:{r2}:{s1}:{pid}:1")]


def test_returning_the_discounted_item_restores_the_rewards_points_on_a_row_naming_the_redemption(
        api, manager_api, linked):
    p = points_program(manager_api)
    pid, reward = p["id"], p["rewards"][0]["id"]
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    r = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": pid, "reward_id": reward,
                                           "line_id": "1", "sale": {"system": "lightspeed-x", "sale_id": "S-1"}})
    assert r.status_code in (200, 201), r.get_json()
    rid = r.get_json()["redemption_id"]
    commit(api, sale("S-1", lines=[line(1, price="20.00"), treat(2, price="5.00")]))
    commit(api, sale("R-1", lines=[line("r1", qty=-1, price="20.00")], return_for="S-1"))
    s1, r1 = sale_id("S-1"), sale_id("R-1")
    restored = [row for row in rows_of(pid) if row[0] == "restore_spend"]
    assert restored == [("restore_spend", 500, s1, r1, rid, "discounted item returned", f"restore:{rid}:{r1}:2")]  # the spend is the first row of the redemption
    changes = audit_changes("sale.refund", "R-1")
    assert {"program_id": pid, "redemption_id": rid, "points": 500} in changes
    assert {"program_id": pid, "original_sale": s1, "points": -20} in changes


def test_a_sale_whose_points_were_all_taken_back_moves_no_points_to_the_right_account(api, manager_api, linked):
    p = points_program(manager_api)
    other = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[treat(1, price="30.00")]))
    commit(api, sale("S-1", lines=[treat(1, price="0.50")]))  # edited down: the 30 points are reversed, 0 left
    commit(api, sale("S-1", lines=[treat(1, price="0.50")], customer="c-77"))  # then moved to the right customer
    s1 = sale_id("S-1")
    assert [(kind, points) for kind, points, *_ in rows_of(p["id"])] == [("earn", 30), ("reverse_earn", -30)]
    assert PointsEntry.select().where(PointsEntry.account == other).count() == 0
    assert Sale.get_by_id(s1).account_id == other


def test_the_register_is_told_when_a_refund_takes_back_points_already_spent_and_which_returned_line_was_not_sold(
        api, manager_api, linked):
    """Warnings are what the cashier reads in the panel: a warning about the whole sale has a code and a message,
    one about a line names the line too."""
    p = points_program(manager_api)
    commit(api, sale("S-1", lines=[treat(1, price="520.00")]))
    r = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": p["id"],
                                           "reward_id": p["rewards"][0]["id"]})
    assert r.status_code == 201, r.get_json()
    answer = commit(api, sale("R-1", lines=[returned("r1", "1", "520.00")], return_for="S-1"))
    assert answer["warnings"] == [{
        "code": "negative_balance",
        "message": "Paws Points: the points this refund takes back were already spent; the balance is now -500"}]
    answer = commit(api, sale("R-2", lines=[line("r9", upc="0000OTHER", qty=-1, price="3.00")], return_for="S-1"))
    assert answer["warnings"] == [{"code": "not_in_original", "line_id": "r9",
                                   "message": "this returned item is not on the original sale: nothing to reverse"}]


def test_the_accounts_points_say_the_program_its_status_and_which_rewards_the_balance_affords(
        api, manager_api, linked):
    """What the register and the staff app show of an account's points: per program its name and status, the
    balance and lifetime points, and each reward with whether the balance affords it; a program the account has
    no points in yet shows 0 of each, and its points expiring soon are listed only when there are any."""
    p = points_program(manager_api, expiry_days=30,
                       rewards=[{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5.00"},
                                {"name": "Treat", "cost": 50, "kind": "amount_off", "value": "1.00"}])
    other = points_program(manager_api, name="Other points",  # earns only on an item this sale does not have
                           earn_rules=[{"type": "item", "points": 10, "upcs": ["0000OTHER"]}])
    commit(api, sale("S-1", lines=[treat(1, price="60.00")]))
    points = {e["program_id"]: e for e in api.get(f"/api/v1/accounts/{linked['id']}").get_json()["points"]}
    mine = points[p["id"]]
    assert (mine["program"], mine["status"], mine["balance"], mine["lifetime_earned"]) == (
        "Paws Points", "active", 60, 60)
    assert [(r["name"], r["cost"], r["affordable"]) for r in mine["rewards"]] == [("Treat", 50, True),
                                                                                    ("$5 off", 500, False)]
    none = points[other["id"]]
    assert (none["program"], none["balance"], none["lifetime_earned"]) == ("Other points", 0, 0)
    assert [(r["cost"], r["affordable"]) for r in none["rewards"]] == [(500, False)]
