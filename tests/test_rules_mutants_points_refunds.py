"""Refunds of sales that earned points or were discounted by a points reward: how much a refund reverses when
two of its lines return one original line, and when a reward's points come back (a reward on the whole sale, on a
line, on a line the sale does not have, bought with a single point, or of a sale that earned nothing). Found
unchecked by mutation testing (`PointsKind._plan_refund`, `_plan_restore`; docs/mutation-survivors.md)."""
from __future__ import annotations

from builders import commit, line, points_program, sale, treat
from loyalty.programs.points_models import PointsEntry


def use(api, linked, p, sale_id, line_id=None):
    """Redeem the program's first reward as a discount on a sale (on one of its lines with ``line_id``)."""
    body = {"account_id": linked["id"], "program_id": p["id"], "reward_id": p["rewards"][0]["id"],
            "sale": {"system": "lightspeed-x", "sale_id": sale_id}, **({"line_id": line_id} if line_id else {})}
    r = api.post("/api/v1/points/redeem", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def points_of(answer, p):
    return next(x for x in answer["points"] if x["program_id"] == p["id"])


def restored(p):
    return [e.points for e in PointsEntry.select().where((PointsEntry.program == p["id"])
                                                          & (PointsEntry.kind == "restore_spend"))]


def test_two_refund_lines_returning_units_of_one_original_line_reverse_both(api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-1", lines=[treat(1, qty=3, price="10.00")]))  # 30 points
    original = {"sale_id": "S-1", "line_id": "1"}
    answer = commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="10.00") | {"original": original},
                                            treat("r2", qty=-1, price="10.00") | {"original": original}],
                              return_for="S-1"))
    assert points_of(answer, p)["earned"] == -20 and points_of(answer, p)["balance"] == 10


def test_a_reward_on_the_whole_sale_comes_back_only_when_the_whole_sale_is_returned(api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))  # 600 points
    use(api, linked, p, "S-1")  # $5 off S-1 as a whole: -500
    commit(api, sale("S-1", lines=[treat(1, price="20.00"), treat(2, price="30.00")]))  # +50
    part = commit(api, sale("R-1", lines=[line("r1", upc="0000TREAT", qty=-1, price="20.00",
                                               original={"sale_id": "S-1", "line_id": "1"})], return_for="S-1"))
    assert "restored" not in points_of(part, p) and restored(p) == []  # line 2 is kept: the discount stands
    rest = commit(api, sale("R-2", lines=[line("r2", upc="0000TREAT", qty=-1, price="30.00",
                                               original={"sale_id": "S-1", "line_id": "2"})], return_for="S-1"))
    assert points_of(rest, p)["restored"] == 500 and restored(p) == [500]
    assert points_of(rest, p)["balance"] == 600 - 500 + 50 - 20 - 30 + 500


def test_a_reward_naming_a_line_the_sale_does_not_have_counts_as_on_the_whole_sale(api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    use(api, linked, p, "S-1", line_id="9")  # the register named a line that was then removed from the sale
    commit(api, sale("S-1", lines=[treat(1, price="20.00")]))
    answer = commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="20.00")], return_for="S-1"))
    assert points_of(answer, p)["restored"] == 500 and restored(p) == [500]


def test_a_one_point_reward_comes_back_once_however_many_refunds_return_its_line(api, manager_api, linked):
    p = points_program(manager_api, rewards=[{"name": "Treat", "cost": 1, "kind": "amount_off", "value": "0.50"}])
    commit(api, sale("S-0", lines=[treat(1, price="5.00")]))
    use(api, linked, p, "S-1", line_id="1")
    commit(api, sale("S-1", lines=[treat(1, qty=2, price="3.00")]))
    original = {"sale_id": "S-1", "line_id": "1"}
    commit(api, sale("R-1", lines=[treat("r1", qty=-2, price="3.00") | {"original": original}], return_for="S-1"))
    again = commit(api, sale("R-2", lines=[treat("r1", qty=-1, price="3.00") | {"original": original}],
                             return_for="S-1"))
    assert "restored" not in points_of(again, p) and restored(p) == [1]


def test_a_discounted_sale_that_earned_no_points_gets_the_rewards_points_back_when_returned(api, manager_api,
                                                                                          linked):
    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    use(api, linked, p, "S-1", line_id="1")
    commit(api, sale("S-1", lines=[treat(1, price="0.50")]))  # under a dollar: no points earned
    answer = commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="0.50")], return_for="S-1"))
    assert points_of(answer, p)["restored"] == 500 and points_of(answer, p)["balance"] == 600
