"""Points programs: rules, bonus windows, exclusions, replay, delta re-commits, redemptions, refunds (partial,
full, combined across sales, after the points were spent), expiry. On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

from builders import ACANA, TOTW_A, commit, line, sale
from loyalty.models import AuditLog
from loyalty.programs.points_ledger import ledger_sum
from loyalty.programs.points_models import PointsBalance, PointsEntry

GIFT_CARD = "GIFT-50"


def points_program(manager_api, **kw):
    body = {"kind": "points", "name": "Paws Points",
            "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1.00"},
                           {"type": "item", "points": 10, "upcs": [ACANA]}],
            "rewards": [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5.00"}],
            "exclude_skus": [GIFT_CARD]}
    body.update(kw)
    r = manager_api.post("/api/v1/programs", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def points(manager_api):
    return points_program(manager_api)


def redeem(api, body, key=None):
    headers = {"Authorization": f"Bearer {api.token}", **({"Idempotency-Key": key} if key else {})}
    return api.client.post("/api/v1/points/redeem", json=body, headers=headers)


def pts(answer, program):
    return next(p for p in answer["points"] if p["program_id"] == program["id"])


def balance(api, account, program):
    entry = next(p for p in api.get(f"/api/v1/accounts/{account['id']}").get_json()["points"]
                 if p["program_id"] == program["id"])
    return entry["balance"]


def earned_days_ago(days):
    """Every points row so far as if posted ``days`` ago (its expiry moves with it)."""
    for row in PointsEntry.select():
        row.created_at -= dt.timedelta(days=days)
        row.expires_at -= dt.timedelta(days=days)
        row.save()


def check_cache(account, program):
    """The cached balance is the ledger's sum."""
    cached = PointsBalance.get_or_none((PointsBalance.account == account["id"])
                                       & (PointsBalance.program == program["id"]))
    assert (cached.balance if cached else 0) == ledger_sum(account["id"], program["id"])


def treat(line_id, qty=1, price="12.49", **kw):
    return line(line_id, upc="0000TREAT", qty=qty, price=price, **kw)


def test_a_points_program_answers_with_reward_ids(points):
    assert points["kind"] == "points"
    assert points["rewards"][0]["id"] and points["rewards"][0]["cost"] == 500
    assert points["earn_rules"][0] == {"type": "spend", "points": 1, "per_amount": "1.00"}


def test_spend_floors_once_per_sale_and_item_points_add_up(api, points, linked):
    # 2 x 0.60 + 1 x 94.99 = 96.19 -> 96 spend points (not 0 + 0 + 94 per line) + 10 for the Acana bag
    answer = commit(api, sale("S-1", lines=[treat(1, qty=2, price="0.60"), line(2)]))
    assert pts(answer, points) == {"program_id": points["id"], "program": "Paws Points", "earned": 106,
                                   "balance": 106}
    assert balance(api, linked, points) == 106
    check_cache(linked, points)


def test_preview_says_what_the_sale_will_earn_and_what_can_be_afforded(api, points, linked):
    commit(api, sale("S-0", lines=[treat(1, price="500.00")]))
    r = api.post("/api/v1/sales/preview", {"sale": sale("S-1", lines=[line(1)])}).get_json()
    entry = pts(r, points)
    assert (entry["to_earn"], entry["balance"], entry["balance_after"]) == (104, 500, 604)
    assert entry["rewards"][0]["affordable"] is True
    assert balance(api, linked, points) == 500  # a preview writes nothing


def test_excluded_lines_earn_nothing_for_any_rule(api, manager_api, linked):
    program = points_program(manager_api, earn_rules=[{"type": "spend", "points": 1, "per_amount": "1"},
                                                      {"type": "visit", "points": 5}])
    answer = commit(api, sale("S-1", lines=[line(1, upc=None, sku=GIFT_CARD, price="50.00")]))
    assert pts(answer, program)["earned"] == 0
    answer = commit(api, sale("S-2", lines=[line(1, upc=None, sku=GIFT_CARD, price="50.00"), treat(2)]))
    assert pts(answer, program)["earned"] == 12 + 5


def test_min_spend_is_a_threshold_not_a_deduction(api, manager_api, linked):
    program = points_program(manager_api, earn_rules=[
        {"type": "spend", "points": 2, "per_amount": "1", "min_spend": "20"},
        {"type": "visit", "points": 25, "min_spend": "50"}])
    assert pts(commit(api, sale("S-1", lines=[treat(1, price="19.99")])), program)["earned"] == 0
    assert pts(commit(api, sale("S-2", lines=[treat(1, price="20.00")])), program)["earned"] == 40
    assert pts(commit(api, sale("S-3", lines=[treat(1, price="50.00")])), program)["earned"] == 100 + 25


def test_bonus_window_and_multiplier(api, manager_api, linked):
    today = dt.datetime.now(dt.timezone.utc).date()
    program = points_program(manager_api, earn_rules=[
        {"type": "spend", "points": 1, "per_amount": "1"},
        {"type": "spend", "points": 1, "per_amount": "1", "multiplier": "2",
         "valid_from": today.isoformat(), "valid_until": today.isoformat()},
        {"type": "visit", "points": 100, "valid_until": (today - dt.timedelta(days=1)).isoformat()}])
    assert pts(commit(api, sale("S-1", lines=[treat(1, price="10.00")])), program)["earned"] == 10 + 20


def test_replay_answers_the_same_and_a_changed_recommit_earns_only_the_difference(api, points, linked):
    first = commit(api, sale("S-1", lines=[treat(1, price="30.00")]))
    assert commit(api, sale("S-1", lines=[treat(1, price="30.00")])) == first
    bigger = commit(api, sale("S-1", lines=[treat(1, price="30.00"), line(2)]))
    assert (pts(bigger, points)["earned"], pts(bigger, points)["balance"]) == (104, 134)  # 124.99 -> 124 + 10
    smaller = commit(api, sale("S-1", lines=[line(2)]))
    assert (pts(smaller, points)["earned"], pts(smaller, points)["balance"]) == (-30, 104)
    assert PointsEntry.select().where(PointsEntry.kind == "earn").count() == 2
    check_cache(linked, points)


def test_redeem_spends_once_per_idempotency_key_and_answers_the_same(api, points, linked):
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    body = {"account_id": linked["id"], "program_id": points["id"], "reward_id": points["rewards"][0]["id"],
            "sale": {"system": "lightspeed-x", "sale_id": "S-1"}}
    first = redeem(api, body, "k-1")
    assert first.status_code == 201, first.get_json()
    again = redeem(api, body, "k-1")
    assert again.get_json() == first.get_json()
    assert first.get_json()["points_spent"] == 500 and first.get_json()["balance"] == 100
    assert first.get_json()["discount"] == {"kind": "amount_off", "amount": "5.00"}
    assert balance(api, linked, points) == 100
    poor = redeem(api, body, "k-2")
    assert poor.status_code == 409 and poor.get_json()["error"]["code"] == "insufficient_points"
    check_cache(linked, points)


def test_a_redemption_cancelled_before_the_commit_gives_the_points_back(api, points, linked):
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    red = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": points["id"],
                                             "reward_id": points["rewards"][0]["id"],
                                             "sale": {"system": "lightspeed-x", "sale_id": "S-1"}}).get_json()
    r = api.post(f"/api/v1/points/redemptions/{red['redemption_id']}/cancel")
    assert r.status_code == 200 and r.get_json()["balance"] == 600
    assert PointsEntry.get(PointsEntry.kind == "restore_spend").points == 500
    # once the sale is committed, a cancel is refused: the refund gives points back
    red = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": points["id"],
                                             "reward_id": points["rewards"][0]["id"],
                                             "sale": {"system": "lightspeed-x", "sale_id": "S-2"}}).get_json()
    commit(api, sale("S-2", lines=[treat(1)]))
    r = api.post(f"/api/v1/points/redemptions/{red['redemption_id']}/cancel")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "sale_committed"


def test_redeeming_a_reward_of_an_archived_program_is_409(api, manager_api, points, linked):
    manager_api.patch(f"/api/v1/programs/{points['id']}", {"status": "archived"})
    r = api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": points["id"],
                                           "reward_id": points["rewards"][0]["id"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "program_archived"


def test_partial_refund_takes_back_spend_minus_what_the_kept_lines_earn(api, points, linked):
    commit(api, sale("S-1", lines=[treat(1, price="12.49"), treat(2, price="12.49")]))  # 24.98 -> 24
    answer = commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="12.49")], return_for="S-1"))
    assert pts(answer, points)["earned"] == -12  # 24 - floor(12.49)
    assert balance(api, linked, points) == 12
    check_cache(linked, points)


def test_full_refund_takes_everything_back_once_however_often_it_is_sent(api, manager_api, linked):
    program = points_program(manager_api, earn_rules=[{"type": "spend", "points": 1, "per_amount": "1"},
                                                      {"type": "visit", "points": 5}])
    commit(api, sale("S-0", lines=[treat(1, price="10.00")]))  # 15 from another sale stay
    commit(api, sale("S-1", lines=[treat(1, price="40.00"), treat(2, price="10.00")]))  # 50 + 5
    partial = commit(api, sale("R-1", lines=[treat(1, qty=-1, price="40.00")], return_for="S-1"))
    assert pts(partial, program)["earned"] == -40  # the visit stays while part of the sale is kept
    rest = commit(api, sale("R-2", lines=[treat(2, qty=-1, price="10.00")], return_for="S-1"))
    assert pts(rest, program)["earned"] == -15
    again = commit(api, sale("R-3", lines=[treat(1, qty=-1, price="40.00"), treat(2, qty=-1, price="10.00")],
                             return_for="S-1"))
    assert all(p["earned"] == 0 for p in again["points"])
    assert balance(api, linked, program) == 15
    check_cache(linked, program)


def test_one_refund_combining_lines_of_two_sales_reverses_each_sales_points(api, points, linked):
    commit(api, sale("S-1", lines=[line(1)]))  # 94 + 10
    commit(api, sale("S-2", lines=[treat(1, price="30.00")]))  # 30
    answer = commit(api, sale("R-1", lines=[
        line("r1", qty=-1, original={"sale_id": "S-1", "line_id": "1"}),
        treat("r2", qty=-1, price="30.00", original={"sale_id": "S-2", "line_id": "1"})], customer=None))
    assert pts(answer, points)["earned"] == -134
    assert balance(api, linked, points) == 0
    rows = PointsEntry.select().where(PointsEntry.kind == "reverse_earn")
    assert sorted(r.points for r in rows) == [-104, -30]


def test_refund_after_the_points_were_spent_goes_negative_and_says_so(api, points, linked):
    commit(api, sale("S-1", lines=[treat(1, price="520.00")]))
    api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": points["id"],
                                       "reward_id": points["rewards"][0]["id"],
                                       "sale": {"system": "lightspeed-x", "sale_id": "S-2"}})
    commit(api, sale("S-2", lines=[treat(1, price="1.00")]))
    answer = commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="520.00")], return_for="S-1"))
    entry = pts(answer, points)
    assert entry["earned"] == -520 and entry["balance"] == 21 - 520 and entry["negative_balance"] is True
    assert "negative_balance" in [w["code"] for w in answer["warnings"]]
    check_cache(linked, points)


def test_returning_the_discounted_item_gives_the_reward_points_back(api, points, linked):
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": points["id"],
                                       "reward_id": points["rewards"][0]["id"], "line_id": "1",
                                       "sale": {"system": "lightspeed-x", "sale_id": "S-1"}})
    commit(api, sale("S-1", lines=[line(1, price="20.00"), treat(2, price="5.00")]))  # 20 + 10 + 5 = 35
    answer = commit(api, sale("R-1", lines=[line("r1", qty=-1, price="20.00")], return_for="S-1"))
    entry = pts(answer, points)
    assert (entry["earned"], entry["restored"]) == (-30, 500)
    assert balance(api, linked, points) == 600 - 500 + 35 - 30 + 500
    again = commit(api, sale("R-2", lines=[line("r1", qty=-1, price="20.00")], return_for="S-1"))
    assert all(p["earned"] == 0 and "restored" not in p for p in again["points"])
    assert balance(api, linked, points) == 605


def test_manager_adjustment_is_audited_and_cashiers_cannot(api, manager_api, points, linked):
    r = api.post(f"/api/v1/accounts/{linked['id']}/points/adjust",
                 {"program_id": points["id"], "points": 50, "reason": "goodwill"})
    assert r.status_code == 403
    r = manager_api.post(f"/api/v1/accounts/{linked['id']}/points/adjust",
                         {"program_id": points["id"], "points": 50, "reason": "goodwill"})
    assert r.status_code == 200 and r.get_json()["balance"] == 50
    assert AuditLog.get(AuditLog.action == "points.adjust").details["reason"] == "goodwill"
    history = api.get(f"/api/v1/accounts/{linked['id']}/history").get_json()["points"]
    assert [(h["kind"], h["points"], h["reason"]) for h in history] == [("adjust", 50, "goodwill")]


@pytest.mark.parametrize("rule, field", [
    ({"type": "bonus", "points": 1}, "type"),
    ({"type": "spend", "points": -5, "per_amount": "1"}, "points"),
    ({"type": "spend", "points": 1}, "per_amount"),
    ({"type": "item", "points": 1}, "upcs"),
])
def test_bad_rules_are_422(manager_api, rule, field):
    r = manager_api.post("/api/v1/programs", {"kind": "points", "name": "P", "earn_rules": [rule]})
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]["earn_rules"]["0"]


def test_a_free_item_reward_without_products_is_422(manager_api):
    r = manager_api.post("/api/v1/programs", {"kind": "points", "name": "P", "rewards": [
        {"name": "Free treat", "cost": 100, "kind": "free_item"}]})
    assert r.status_code == 422 and "upcs" in r.get_json()["error"]["fields"]["rewards"]["0"]


def test_expiry_is_oldest_first_and_running_it_twice_changes_nothing(api, manager_api, linked):
    from loyalty.programs.points_expiry import expire_due

    program = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="100.00")]))
    earned_days_ago(40)
    commit(api, sale("S-2", lines=[treat(1, price="30.00")]))
    api.post("/api/v1/points/redeem", {"account_id": linked["id"], "program_id": program["id"],
                                       "reward_id": program["rewards"][0]["id"]})  # 500: refused, not enough
    manager_api.post(f"/api/v1/accounts/{linked['id']}/points/adjust",
                     {"program_id": program["id"], "points": -60, "reason": "correction"})  # from the oldest lot
    account = api.get(f"/api/v1/accounts/{linked['id']}").get_json()
    entry = next(p for p in account["points"] if p["program_id"] == program["id"])
    assert entry["balance"] == 70 and entry["expiring"][0]["points"] == 40
    today = dt.datetime.now(dt.timezone.utc).date()
    assert expire_due(today) == {"accounts": 1, "points": 40}
    assert expire_due(today) == {"accounts": 0, "points": 0}
    assert balance(api, linked, program) == 30
    assert expire_due(today + dt.timedelta(days=31))["points"] == 30
    assert balance(api, linked, program) == 0
    check_cache(linked, program)


def test_points_are_taken_from_the_oldest_lot_even_when_the_database_returns_rows_out_of_order(
        api, manager_api, linked):
    """The ledger is read in id order, not in whatever order the database hands rows back. On PostgreSQL an
    updated row moves to the end of its table (as rows do when two registers commit at once, or after a
    correction), so without the explicit order the newer lot would be spent first and the older one expire
    whole."""
    from loyalty.programs.points_expiry import expire_due

    program = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="100.00")]))
    commit(api, sale("S-2", lines=[treat(1, price="30.00")]))
    first = PointsEntry.select().order_by(PointsEntry.id).first()
    first.created_at -= dt.timedelta(days=40)  # the first lot was earned 40 days ago (rewritten after S-2)
    first.expires_at -= dt.timedelta(days=40)
    first.save()
    manager_api.post(f"/api/v1/accounts/{linked['id']}/points/adjust",
                     {"program_id": program["id"], "points": -60, "reason": "correction"})  # the oldest lot
    today = dt.datetime.now(dt.timezone.utc).date()
    assert expire_due(today) == {"accounts": 1, "points": 40}
    assert balance(api, linked, program) == 30
    check_cache(linked, program)


def test_points_expire_command_reports_and_is_idempotent(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from loyalty.cli import main

    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    runner = CliRunner()
    first = runner.invoke(main, ["points", "expire", "--as-of", "2026-01-31"])
    assert first.exit_code == 0, first.output
    assert "expired 0 points on 0 accounts (as of 2026-01-31)" in first.output
    bad = runner.invoke(main, ["points", "expire", "--as-of", "31/01/2026"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_merging_accounts_moves_the_points_and_relinking_moves_a_sales_points(api, manager_api, points, linked):
    commit(api, sale("S-1", lines=[treat(1, price="30.00")]))
    other = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "W"}).get_json()
    manager_api.post(f"/api/v1/accounts/{other['id']}/points/adjust",
                     {"program_id": points["id"], "points": 20, "reason": "sign-up bonus"})
    from loyalty.domain.merges import merge_accounts

    merge_accounts(linked["id"], other["id"], "test")
    assert balance(api, linked, points) == 50
    check_cache(linked, points)
    # The wrong customer map: S-1's points follow the sale to the right account.
    right = api.post("/api/v1/accounts", {"first_name": "Dara", "last_name": "Whit"}).get_json()
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong Dana", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    assert (balance(api, linked, points), balance(api, right, points)) == (20, 30)
    check_cache(linked, points)
    check_cache(right, points)


def test_the_server_expires_points_by_itself_through_the_background_worker(api, manager_api, linked):
    from loyalty.background import JOBS, run_job

    program = points_program(manager_api, expiry_days=30)
    commit(api, sale("S-1", lines=[treat(1, price="100.00")]))
    earned_days_ago(40)
    assert run_job(JOBS["points-expiry"]) is True
    assert balance(api, linked, program) == 0
    assert PointsEntry.get(PointsEntry.kind == "expire").points == -100


def _complete_acana_card(api, manager_api, account):
    """A two-bag ACANA punch card completed by sale S-1; returns the complete card."""
    from builders import program_body

    punch = manager_api.post("/api/v1/programs", program_body(buy_quantity=2, multi_purchase_threshold=5)).get_json()
    commit(api, sale("S-1", lines=[line(1, qty=2)]))
    cards = api.get(f"/api/v1/accounts/{account['id']}").get_json()["cards"]
    return next(c for c in cards if c["program_id"] == punch["id"] and c["status"] == "complete")


def test_a_bag_given_free_as_a_card_reward_earns_no_points(api, manager_api, linked, points):
    """Points are earned on what the customer pays for: the free bag earns neither spend nor item points."""
    card = _complete_acana_card(api, manager_api, linked)
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                        "item": {"upc": ACANA, "unit_price": "94.99"}})
    assert r.status_code == 201, r.get_json()
    before = balance(api, linked, points)
    answer = commit(api, sale("S-2", lines=[line(1, qty=2), line(2, upc=TOTW_A, price="10.00")]))
    assert pts(answer, points)["earned"] == 94 + 10 + 10  # one paid bag ($94.99 + 10 for ACANA), $10 of treats
    assert balance(api, linked, points) == before + 114
    check_cache(linked, points)


def test_a_reward_redeemed_after_the_sale_was_committed_takes_back_the_free_bags_points(api, manager_api, linked,
                                                                                        points):
    card = _complete_acana_card(api, manager_api, linked)
    before = balance(api, linked, points)
    assert pts(commit(api, sale("S-2", lines=[line(1, qty=1)])), points)["earned"] == 94 + 10
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                        "item": {"upc": ACANA, "unit_price": "94.99"}})
    assert r.status_code == 201, r.get_json()
    assert balance(api, linked, points) == before  # the only bag of S-2 became the free one
    check_cache(linked, points)
    assert PointsEntry.select().where(PointsEntry.account == linked["id"]).count() >= 3  # earn, earn, give back


def test_returning_the_paid_bag_of_a_sale_with_a_free_one_takes_its_points_back(api, manager_api, linked, points):
    card = _complete_acana_card(api, manager_api, linked)
    api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": "S-2"},
                                                   "item": {"upc": ACANA, "unit_price": "94.99"}})
    before = balance(api, linked, points)
    commit(api, sale("S-2", lines=[line(1, qty=2)]))
    assert balance(api, linked, points) == before + 104
    commit(api, sale("R-2", lines=[line("r1", qty=-1)], return_for="S-2"))  # paid units go back first
    assert balance(api, linked, points) == before
    check_cache(linked, points)
