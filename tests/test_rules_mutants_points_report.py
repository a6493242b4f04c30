"""What the register, the staff app and the customer read of a points program around a sale: the preview's
balance, points to earn and points to get back (and the balance after both), the commit's balance and its
"negative balance" flag and warning, the programs a sale edited after an archiving still shows, the audit row's
list of changes, the points expiring soon, and the rewards kept between two previews. Mutation testing
(scripts/mutation, docs/mutation-survivors.md: `PointsKind.report`, `_plan_sale`, `_changes`, `apply`,
`account_summary`, `rewards_of`) showed none of these read by a test."""
from __future__ import annotations

import datetime as dt

from builders import ACANA, commit, line, points_program, preview, sale, statements, treat
from loyalty.models import AuditLog, Sale, utcnow
from loyalty.programs.points_expiry import expire_due
from loyalty.programs.points_models import PointsEntry


def points_of(answer, p):
    return [x for x in answer["points"] if x["program_id"] == p["id"]]


def account_points(api, linked, p):
    """The program's entry in the account's points, as the staff app and the customer's page read them."""
    return [x for x in api.get(f"/api/v1/accounts/{linked['id']}").get_json()["points"] if x["program_id"] == p["id"]]


def redeem_on(api, linked, p, sale_id, line_id, reward=0):
    r = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": p["id"],
                                           "reward_id": p["rewards"][reward]["id"], "line_id": line_id,
                                           "sale": {"system": "lightspeed-x", "sale_id": sale_id}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def returned(line_id, original_sale, original_line, price, upc="0000TREAT"):
    return line(line_id, upc=upc, qty=-1, price=price, original={"sale_id": original_sale, "line_id": original_line})


def test_the_preview_of_a_refund_shows_the_balance_the_points_taken_and_the_rewards_points_coming_back(
        api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))  # 600 points
    redeem_on(api, linked, p, "S-1", "1")  # $5 off line 1 of S-1: 100 left (600 earned in all)
    commit(api, sale("S-1", lines=[line(1, price="20.00"), treat(2, price="5.00")]))  # +25: 125 (625 earned)
    [entry] = points_of(preview(api, sale("R-1", lines=[returned("r1", "S-1", "1", "20.00", upc=ACANA)],
                                          return_for="S-1")), p)
    # The balance now (not the points earned in all), the 20 points line 1 earned taken back, the reward's 500
    # points given back, and the balance once both are done.
    assert (entry["balance"], entry["to_earn"], entry["to_restore"], entry["balance_after"]) == (125, -20, 500, 605)
    assert [(r["cost"], r["affordable"]) for r in entry["rewards"]] == [(500, False)]  # on the balance now

    [plain] = points_of(preview(api, sale("S-2", lines=[treat(1, price="3.00")])), p)
    assert "to_restore" not in plain and (plain["to_earn"], plain["balance_after"]) == (3, 128)


def test_a_refund_that_takes_the_balance_to_exactly_zero_is_not_a_negative_balance(api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-1", lines=[treat(1, price="20.00")]))
    answer = commit(api, sale("R-1", lines=[returned("r1", "S-1", "1", "20.00")], return_for="S-1"))
    [entry] = points_of(answer, p)
    assert (entry["earned"], entry["balance"]) == (-20, 0) and "negative_balance" not in entry
    assert answer["warnings"] == []


def test_a_sale_on_an_account_already_in_debt_says_the_balance_is_negative_but_warns_of_no_refund(
        api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-1", lines=[treat(1, price="520.00")]))
    assert api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": p["id"],
                                              "reward_id": p["rewards"][0]["id"]}).status_code == 201
    refund = commit(api, sale("R-1", lines=[returned("r1", "S-1", "1", "520.00")], return_for="S-1"))
    assert [w["code"] for w in refund["warnings"]] == ["negative_balance"]  # -500
    answer = commit(api, sale("S-2", lines=[treat(1, price="10.00")]))
    [entry] = points_of(answer, p)
    assert (entry["earned"], entry["balance"], entry["negative_balance"]) == (10, -490, True)
    assert answer["warnings"] == []  # the refund's warning is not said again on a plain sale


def test_a_sale_edited_after_its_programs_were_archived_keeps_their_points_and_shows_them(
        api, manager_api, linked):
    first = points_program(manager_api)
    second = points_program(manager_api, name="Double points",
                            earn_rules=[{"type": "spend", "points": 2, "per_amount": "1.00"}])
    commit(api, sale("S-1", lines=[treat(1, price="10.00")]))  # 10 and 20 points
    for p in (first, second):
        r = manager_api.patch(f"/api/v1/programs/{p['id']}", {"status": "archived"})
        assert r.status_code == 200, r.get_json()
    answer = commit(api, sale("S-1", lines=[treat(1, price="10.00"), treat(2, price="30.00")]))  # a bag added
    assert [(x["program"], x["earned"], x["balance"]) for x in answer["points"]] == [
        ("Paws Points", 0, 10), ("Double points", 0, 20)]
    assert PointsEntry.select().count() == 2  # nothing added, nothing taken back


def test_the_audit_row_of_a_sale_lists_only_the_programs_whose_points_changed(api, manager_api, linked):
    p = points_program(manager_api)
    other = points_program(manager_api, name="Other points",  # earns only on an item this sale does not have
                           earn_rules=[{"type": "item", "points": 10, "upcs": ["0000OTHER"]}])
    answer = commit(api, sale("S-1", lines=[treat(1, price="10.00")]))
    assert [(x["program_id"], x["earned"]) for x in answer["points"]] == [(p["id"], 10), (other["id"], 0)]
    sale_id = Sale.get(Sale.pos_sale_id == "S-1").id
    rows = AuditLog.select().where((AuditLog.action == "sale.commit") & (AuditLog.entity_id == str(sale_id)))
    assert [row.details["changes"] for row in rows] == [[{"program_id": p["id"], "points": 10}]]

    commit(api, sale("S-1", lines=[treat(1, price="10.00"), line(2, upc="0000OTHER", price="4.00")]))
    last = AuditLog.select().where(AuditLog.action == "sale.commit").order_by(AuditLog.id.desc()).first()
    assert last.details["changes"] == [{"program_id": p["id"], "points": 4}, {"program_id": other["id"], "points": 10}]


def test_two_rewards_given_back_by_one_refund_add_up_in_the_preview_and_the_answer(api, manager_api, linked):
    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="1000.00")]))  # 1,000 points
    redeem_on(api, linked, p, "S-1", "1")
    redeem_on(api, linked, p, "S-1", "2")  # two $5 off, one on each line: 0 left
    commit(api, sale("S-1", lines=[treat(1, price="20.00"), treat(2, price="30.00")]))  # +50
    refund = sale("R-1", lines=[returned("r1", "S-1", "1", "20.00"), returned("r2", "S-1", "2", "30.00")],
                  return_for="S-1")
    [seen] = points_of(preview(api, refund), p)
    assert (seen["to_earn"], seen["to_restore"], seen["balance_after"]) == (-50, 1000, 1000)
    [done] = points_of(commit(api, refund), p)
    assert (done["earned"], done["restored"], done["balance"]) == (-50, 1000, 1000)


def test_the_account_shows_a_single_point_expiring(api, manager_api, linked):
    p = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="1.00")]))
    [entry] = account_points(api, linked, p)
    on = (utcnow() + dt.timedelta(days=30)).date()
    assert entry["balance"] == 1
    assert entry["expiring"] in ([{"points": 1, "on": on.isoformat()}],
                                 [{"points": 1, "on": (on - dt.timedelta(days=1)).isoformat()}])  # midnight


def test_a_second_preview_takes_the_points_programs_and_rewards_from_this_process_copy(api, manager_api, linked):
    p = points_program(manager_api)
    body = sale("S-1", lines=[treat(1, price="10.00")])
    preview(api, body)
    with statements() as seen:
        [entry] = points_of(preview(api, body), p)
    assert [r["name"] for r in entry["rewards"]] == ["$5 off"]
    assert not [sql for sql in seen if '"points_reward"' in sql or 'FROM "program" ' in sql]


def test_points_earned_while_the_program_expired_them_are_still_shown_expiring_once_expiry_is_switched_off(
        api, manager_api, linked):
    """The expiry run expires a row on the date it was given when earned, whatever the program says now; the
    account (the staff app, the customer's page) must list those points as expiring too, not nothing."""
    p = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="40.00")]))  # 40 points, expiring in 30 days
    r = manager_api.patch(f"/api/v1/programs/{p['id']}", {"expiry_days": None})
    assert r.status_code == 200, r.get_json()
    commit(api, sale("S-2", lines=[treat(1, price="5.00")]))  # earned after: never expires
    [entry] = account_points(api, linked, p)
    assert entry["balance"] == 45 and [e["points"] for e in entry["expiring"]] == [40]
    assert expire_due((utcnow() + dt.timedelta(days=31)).date())["points"] == 40

