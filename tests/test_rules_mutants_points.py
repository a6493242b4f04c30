"""Points rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked: which lot a
debt, an expiry or a refund's reversal takes from, the expiry day's boundary, the "expiring soon" list, and the
redeem endpoint's refusals and replays."""
from __future__ import annotations

import datetime as dt

from builders import commit, points_program, sale, treat
from loyalty.models import Program, utcnow
from loyalty.programs.points_expiry import _lots, expire_due, expiring
from loyalty.programs.points_ledger import post
from loyalty.programs.points_models import PointsEntry, PointsReward


def left(account_id, program_id):
    return [(lot["id"], lot["left"]) for lot in _lots(account_id, program_id)]


def test_debts_are_paid_by_the_next_lots_and_an_expiry_takes_only_from_its_own_lot(manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    later = utcnow() + dt.timedelta(days=30)
    post(a, pid, "adjust", -10, "a1", "test")
    post(a, pid, "adjust", -20, "a2", "test")  # 30 owed
    first = post(a, pid, "earn", 1, "e1", "test", expires_at=later)  # pays 1 of the debt: nothing left
    second = post(a, pid, "earn", 100, "e2", "test", expires_at=later)  # pays the other 29
    third = post(a, pid, "earn", 50, "e3", "test", expires_at=later + dt.timedelta(days=1))
    assert left(a, pid) == [(second, 71), (third, 50)] and first
    post(a, pid, "expire", -50, "x3", "test", lot=third)  # an expiry names its lot (not the oldest)
    assert left(a, pid) == [(second, 71)]
    post(a, pid, "adjust", -100, "a3", "test")  # 29 more than is left: a new debt
    assert left(a, pid) == []
    fourth = post(a, pid, "earn", 30, "e4", "test", expires_at=later)
    assert left(a, pid) == [(fourth, 1)]


def test_a_refund_reverses_the_points_of_its_own_sale_first(api, manager_api, linked):
    p = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="100.00")]))
    commit(api, sale("S-2", lines=[treat(1, price="40.00")]))
    s1, s2 = [e.id for e in PointsEntry.select().where(PointsEntry.kind == "earn").order_by(PointsEntry.id)]
    commit(api, sale("R-2", lines=[treat("r1", qty=-1, price="40.00")], return_for="S-2"))
    assert left(linked["id"], p["id"]) == [(s1, 100)]
    assert s2


def test_points_expire_after_the_last_day_not_on_it(manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    day = dt.date(2026, 3, 10)
    noon_next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12))
    post(a, pid, "earn", 40, "e1", "test", expires_at=noon_next_day)
    post(a, pid, "earn", 25, "e2", "test", expires_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    assert expire_due(day) == {"accounts": 0, "points": 0}  # the end of the 10th is the 11th at 00:00: not yet
    assert expire_due(day + dt.timedelta(days=1)) == {"accounts": 1, "points": 65}
    assert {e.actor for e in PointsEntry.select().where(PointsEntry.kind == "expire")} == {"system:expiry"}


def test_expiring_soon_adds_up_each_day_and_lists_the_three_soonest(manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    base = dt.datetime(2027, 1, 1, 12)
    for i, (days, points) in enumerate([(3, 5), (1, 10), (1, 7), (2, 1), (4, 9)]):
        post(a, pid, "earn", points, f"e{i}", "test", expires_at=base + dt.timedelta(days=days))
    assert expiring(a, pid) == [{"points": 17, "on": "2027-01-02"}, {"points": 1, "on": "2027-01-03"},
                                {"points": 5, "on": "2027-01-04"}]


def redeem(api, body, key=None):
    headers = {"Authorization": f"Bearer {api.token}", **({"Idempotency-Key": key} if key else {})}
    return api.client.post("/api/v1/points/redeem", json=body, headers=headers)


def test_redeeming_refuses_a_reward_of_another_program_or_withdrawn_and_accepts_the_exact_balance(
        api, manager_api, linked, program):
    p = points_program(manager_api)
    other = points_program(manager_api, name="Other points")
    commit(api, sale("S-1", lines=[treat(1, price="500.00")]))  # exactly one reward's cost
    body = {"account_id": linked["id"], "program_id": p["id"], "reward_id": other["rewards"][0]["id"]}
    r = redeem(api, body)
    assert r.status_code == 404 and "reward_id" in r.get_json()["error"]["fields"]
    PointsReward.update(active=False).where(PointsReward.id == p["rewards"][0]["id"]).execute()
    r = redeem(api, {**body, "reward_id": p["rewards"][0]["id"]})
    assert r.status_code == 404 and "reward_id" in r.get_json()["error"]["fields"]
    PointsReward.update(active=True).where(PointsReward.id == p["rewards"][0]["id"]).execute()
    first = redeem(api, {**body, "reward_id": p["rewards"][0]["id"]}, "k-1")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["balance"] == 0
    again = redeem(api, {**body, "reward_id": p["rewards"][0]["id"]}, "k-1")  # a retry: the same answer, 200
    assert again.status_code == 200 and again.get_json() == first.get_json()
    # not a points program (the punch card program), and no program at all
    for program_id in (program["id"], 99999):
        r = redeem(api, {**body, "program_id": program_id})
        assert r.status_code == 404 and "program_id" in r.get_json()["error"]["fields"], r.get_json()
    assert Program.get_by_id(program["id"]).kind == "punch"
