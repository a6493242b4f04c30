"""Points expiry rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: a
refund's reversal that its own sale's points cannot cover takes the rest from the other lots, a lot due at the
very start of the next day is not due yet, and what an expiry run writes (its rows, its audit rows, its count)."""
from __future__ import annotations

import datetime as dt

from builders import commit, points_program, sale, treat
from loyalty.models import AuditLog
from loyalty.programs.points_expiry import expire_due, expiring
from loyalty.programs.points_ledger import post
from loyalty.programs.points_models import PointsEntry


def test_a_refund_takes_from_its_own_sales_points_first_then_the_oldest_others(api, manager_api, linked):
    """S-1 earns 450, S-2 100; a 500-point reward spends S-1's 450 and 50 of S-2's; S-3 earns 80. Refunding
    S-2 reverses its 100: the 50 S-2 has left, then 50 from the next lot with points (S-3's): 30 are left, due
    with S-3's lot."""
    p = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="450.00")]))
    commit(api, sale("S-2", lines=[treat(1, price="100.00")]))
    r = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": p["id"],
                                           "reward_id": p["rewards"][0]["id"]})
    assert r.status_code == 201, r.get_json()
    commit(api, sale("S-3", lines=[treat(1, price="80.00")]))
    commit(api, sale("R-2", lines=[treat("r1", qty=-1, price="100.00")], return_for="S-2"))
    assert [e["points"] for e in expiring(linked["id"], p["id"])] == [30]


def lots(account_id, program_id, *expiries):
    for i, at in enumerate(expiries):
        post(account_id, program_id, "earn", 10 * (i + 1), f"lot:{account_id}:{i}", "test", expires_at=at)


def test_an_expiry_run_writes_one_row_per_due_lot_an_audit_row_per_account_and_counts_both(api, manager_api,
                                                                                          linked):
    """On 2027-01-01: Dana's lot of 10 due at noon expires, her lot of 20 due at midnight (the start of the 2nd)
    does not; Priya's lot of 10 expires too. Two accounts, 20 points."""
    p = points_program(manager_api)
    other = api.post("/api/v1/accounts", {"first_name": "Priya", "last_name": "Shah"}).get_json()
    lots(linked["id"], p["id"], dt.datetime(2027, 1, 1, 12), dt.datetime(2027, 1, 2))
    lots(other["id"], p["id"], dt.datetime(2027, 1, 1, 8))
    assert expire_due(dt.date(2027, 1, 1), actor="test expiry") == {"accounts": 2, "points": 20}
    rows = {e.account_id: e for e in PointsEntry.select().where(PointsEntry.kind == "expire")}
    first_lot = PointsEntry.get(PointsEntry.key == f"lot:{linked['id']}:0")
    assert (rows[linked["id"]].points, rows[linked["id"]].lot_id) == (-10, first_lot.id)
    assert rows[linked["id"]].reason == "earned points expired on 2027-01-01"
    assert len(rows) == 2
    assert [e["points"] for e in expiring(linked["id"], p["id"])] == [20]
    audits = {a.account_id: a for a in AuditLog.select().where(AuditLog.action == "points.expire")}
    assert (audits[linked["id"]].entity, audits[linked["id"]].entity_id, audits[linked["id"]].actor) == (
        "account", str(linked["id"]), "test expiry")
    assert audits[linked["id"]].details == {"program_id": p["id"], "points": 10, "as_of": "2027-01-01"}
    assert sorted(audits) == sorted([linked["id"], other["id"]])
    assert expire_due(dt.date(2027, 1, 1)) == {"accounts": 0, "points": 0}  # run again: nothing more
