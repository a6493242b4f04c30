"""Points program settings and rewards that mutation testing (scripts/mutation, docs/testing.md) showed no test
checked: what the cashier takes off for each kind of reward, and the limits on a program's product codes."""
from __future__ import annotations

import pytest

from loyalty.programs.points_models import PointsReward
from loyalty.programs.points_rules import discount_of
from test_rules_mutants_points import points_program

REWARDS = [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5"},
           {"name": "10% off", "cost": 700, "kind": "percent_off", "value": "10"},
           {"name": "A free treat", "cost": 900, "kind": "free_item", "upcs": ["0000TREAT"], "max_value": "12.5"},
           {"name": "Any free treat", "cost": 950, "kind": "free_item", "upcs": ["0000TREAT"]}]


def test_a_rewards_discount_is_its_value_or_for_a_free_item_its_cap(manager_api):
    points_program(manager_api, rewards=REWARDS)
    got = {r.name: discount_of(r) for r in PointsReward.select()}
    assert got == {"$5 off": {"kind": "amount_off", "amount": "5.00"},
                   "10% off": {"kind": "percent_off", "amount": "10.00"},
                   "A free treat": {"kind": "free_item", "amount": "12.50"},
                   "Any free treat": {"kind": "free_item", "amount": None}}  # no cap: the item's own price


@pytest.mark.parametrize("field", ["exclude_upcs", "rule", "reward"])
def test_product_codes_are_1_to_64_characters_and_at_most_20000_a_list(manager_api, field):
    def body(codes):
        if field == "exclude_upcs":
            return {"exclude_upcs": codes}
        if field == "rule":
            return {"earn_rules": [{"type": "item", "points": 5, "upcs": codes}]}
        return {"rewards": [{"name": "Free", "cost": 10, "kind": "free_item", "upcs": codes}]}

    def status(codes):
        body_ = {"kind": "points", "name": "Codes", **body(codes)}
        return manager_api.post("/api/v1/programs", body_).status_code

    assert status(["x" * 64, "7", " 0001 ", "0001"]) == 201
    assert status(["x" * 65]) == 422
    assert status([""]) == 422
    assert status([f"{n:06d}" for n in range(20000)]) == 201
    assert status([f"{n:06d}" for n in range(20001)]) == 422


def test_codes_left_out_are_an_empty_list(manager_api):
    p = points_program(manager_api, earn_rules=[{"type": "spend", "points": 1, "per_amount": "1.00"}],
                       rewards=[{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5"}])
    got = manager_api.get(f"/api/v1/programs/{p['id']}").get_json()
    assert (got["exclude_upcs"], got["exclude_skus"]) == ([], [])
    assert (got["earn_rules"][0].get("upcs", []), got["rewards"][0]["upcs"]) == ([], [])


def earned(api, linked, program_id, lines, sale_id="S-1"):
    from builders import sale
    from loyalty.programs.points_ledger import balances
    from test_rules_mutants_points import commit

    commit(api, sale(sale_id, lines=lines))
    return balances(linked["id"], [program_id])[program_id][0]


def test_an_item_rule_by_sku_earns_and_an_excluded_upc_earns_nothing(api, manager_api, linked):
    from builders import line

    p = points_program(manager_api, exclude_upcs=["0000GIFT"],
                       earn_rules=[{"type": "spend", "points": 1, "per_amount": "1.00"},
                                   {"type": "item", "points": 7, "skus": ["SKU-9"]}])
    lines = [line(1, upc="0000TREAT", price="10.00", sku="SKU-9"), line(2, upc="0000GIFT", price="50.00")]
    assert earned(api, linked, p["id"], lines) == 10 + 7


def test_a_bonus_rule_starting_later_earns_nothing_today(api, manager_api, linked):
    import datetime as dt

    from builders import line

    start = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    p = points_program(manager_api, earn_rules=[{"type": "spend", "points": 1, "per_amount": "1.00"},
                                                {"type": "visit", "points": 50, "valid_from": start}])
    assert manager_api.get(f"/api/v1/programs/{p['id']}").get_json()["earn_rules"][1]["valid_from"] == start
    assert earned(api, linked, p["id"], [line(1, upc="0000TREAT", price="10.00")]) == 10


def test_a_spend_rule_gives_its_points_per_whole_amount(api, manager_api, linked):
    from builders import line

    p = points_program(manager_api, earn_rules=[{"type": "spend", "points": 3, "per_amount": "2.00"}])
    assert earned(api, linked, p["id"], [line(1, upc="0000TREAT", price="11.99")]) == 5 * 3


def test_a_rule_not_started_yet_does_not_stop_the_rules_after_it(api, manager_api, linked):
    import datetime as dt

    from builders import line

    start = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    p = points_program(manager_api, earn_rules=[{"type": "visit", "points": 50, "valid_from": start},
                                                {"type": "spend", "points": 1, "per_amount": "1.00"}])
    assert earned(api, linked, p["id"], [line(1, upc="0000TREAT", price="10.00")]) == 10


def test_a_visit_needs_only_a_positive_spend_when_no_minimum_is_set(api, manager_api, linked):
    from builders import line

    p = points_program(manager_api, earn_rules=[{"type": "visit", "points": 25}])
    assert earned(api, linked, p["id"], [line(1, upc="0000TREAT", price="0.50")]) == 25


def test_a_partly_returned_sale_keeps_its_visit_even_below_the_visits_minimum(api, manager_api, linked):
    from builders import line, sale
    from loyalty.programs.points_ledger import balances
    from test_rules_mutants_points import commit

    p = points_program(manager_api, earn_rules=[{"type": "visit", "points": 50, "min_spend": "20.00"}])
    lines = [line(1, upc="0000TREAT", price="15.00"), line(2, upc="0000TREAT", price="10.00")]
    assert earned(api, linked, p["id"], lines) == 50
    commit(api, sale("R-1", lines=[line("r2", upc="0000TREAT", qty=-1, price="10.00")], return_for="S-1"))
    assert balances(linked["id"], [p["id"]])[p["id"]][0] == 50  # visit points go back only with the whole sale


@pytest.mark.parametrize("listed", ["upcs", "skus"])
def test_an_item_rule_changed_with_only_upcs_or_only_skus_lists_none_of_the_other_and_earns(
        api, manager_api, linked, listed):
    """A change (PATCH) names only what it changes, down to a rule's fields: an item rule sent with its UPCs alone
    is kept with no SKUs (and the other way round), and a sale of the listed item earns its points."""
    from builders import commit, line, sale

    p = points_program(manager_api)
    code = "0000TREAT" if listed == "upcs" else "TREAT-1"
    r = manager_api.patch(f"/api/v1/programs/{p['id']}",
                          {"earn_rules": [{"type": "item", "points": 5, listed: [code]}]})
    assert r.status_code == 200, r.get_json()
    other = "skus" if listed == "upcs" else "upcs"
    [rule] = manager_api.get(f"/api/v1/programs/{p['id']}").get_json()["earn_rules"]
    assert (rule[listed], rule[other]) == ([code], [])
    answer = commit(api, sale("S-1", lines=[line(1, upc="0000TREAT", sku="TREAT-1", qty=2, price="3.00")]))
    assert [x["earned"] for x in answer["points"] if x["program_id"] == p["id"]] == [10]
