"""The points ledger's writer (programs/points_ledger.post), as mutation testing (scripts/mutation, docs/testing.md)
showed no test checked it: a row says which sale, refund, sale line and redemption caused it and when, a retry
with the same key writes nothing, only a positive row has an expiry date, and a row posted while a sale's reads are
memoised is seen by the next read of the balances."""
from __future__ import annotations

import datetime as dt

from builders import sale
from loyalty.models import Sale, SaleLine, utcnow
from loyalty.programs.base import sale_memo
from loyalty.programs.points_ledger import balances, held_balances, post
from loyalty.programs.points_models import PointsEntry, PointsRedemption
from test_rules_mutants_points import commit, points_program, redeem, treat


def test_a_ledger_row_records_its_sale_refund_line_redemption_and_time(api, manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    commit(api, sale("S-1", lines=[treat(1, price="600.00")]))
    commit(api, sale("R-1", lines=[treat("r1", qty=-1, price="600.00")], return_for="S-1"))
    s1, r1 = (Sale.get(Sale.pos_sale_id == n).id for n in ("S-1", "R-1"))
    line_id = SaleLine.get(SaleLine.sale == s1).id
    post(a, pid, "adjust", 600, "top-up", "test")
    assert redeem(api, {"account_id": a, "program_id": pid, "reward_id": p["rewards"][0]["id"]}).status_code == 201
    redemption = PointsRedemption.get().id
    when = (utcnow() - dt.timedelta(days=3)).replace(microsecond=0)
    row = post(a, pid, "restore_spend", 7, "k-1", "test", sale=s1, refund=r1, line=line_id, redemption=redemption,
               reason="refund", now=when)
    e = PointsEntry.get_by_id(row)
    assert (e.sale_id, e.refund_id, e.line_id, e.redemption_id, e.reason, e.created_at) == (
        s1, r1, line_id, redemption, "refund", when)
    # The product's own rows too: the refund's reversal names the refund, the redemption's spend its redemption.
    reversal = PointsEntry.get(PointsEntry.kind == "reverse_earn")
    assert (reversal.sale_id, reversal.refund_id) == (s1, r1)
    assert PointsEntry.get(PointsEntry.kind == "spend").redemption_id == redemption


def test_a_retry_with_the_same_key_writes_nothing_and_leaves_the_balance(manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    assert post(a, pid, "adjust", 40, "same", "test")
    assert post(a, pid, "adjust", 40, "same", "test") is None
    assert PointsEntry.select().where(PointsEntry.key == "same").count() == 1
    assert balances(a, [pid]) == {pid: (40, 0)}


def test_only_a_positive_row_keeps_an_expiry_date(manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    later = (utcnow() + dt.timedelta(days=30)).replace(microsecond=0)
    earned = post(a, pid, "earn", 10, "e", "test", expires_at=later)
    taken = post(a, pid, "adjust", -4, "t", "test", expires_at=later)
    assert PointsEntry.get_by_id(earned).expires_at == later
    assert PointsEntry.get_by_id(taken).expires_at is None
    assert balances(a, [pid]) == {pid: (6, 10)}


def test_a_row_posted_while_a_sales_reads_are_memoised_is_seen_by_the_next_read(manager_api, linked):
    p = points_program(manager_api)
    other = points_program(manager_api, name="Other points")["id"]  # no row for this account: (0, 0)
    a, pid = linked["id"], p["id"]
    post(a, pid, "earn", 5, "before", "test")
    with sale_memo():  # as in a preview or a commit: the account's balance rows are read once and kept
        assert held_balances(a) == {pid: (5, 5)}
        assert balances(a, [pid, other]) == {pid: (5, 5), other: (0, 0)}
        post(a, pid, "earn", 40, "during", "test")
        assert held_balances(a) == {pid: (45, 45)}
        assert balances(a, [pid, other]) == {pid: (45, 45), other: (0, 0)}


def test_a_program_without_a_balance_row_reads_as_zero_outside_a_sale(manager_api, linked):
    p = points_program(manager_api)
    other = points_program(manager_api, name="Other points")["id"]  # the account has no row in it
    a, pid = linked["id"], p["id"]
    post(a, pid, "earn", 5, "k", "test")
    assert balances(a, [pid, other]) == {pid: (5, 5), other: (0, 0)}


def test_a_commit_reads_the_accounts_balances_once_for_the_plan_the_answer_and_the_state_after(
        api, manager_api, linked):
    """docs/performance.md: a points program adds the balance before and after to a commit, from one read of the
    account's balance rows kept for the sale (the upsert of a post returns the new balance into it). Without the
    kept rows the figures are the same, at a read more each time."""
    from builders import statements

    p = points_program(manager_api)
    commit(api, sale("S-0", lines=[treat(1, price="10.00")]))
    with statements() as seen:
        answer = commit(api, sale("S-1", lines=[treat(1, price="10.00")]))
    assert [(x["earned"], x["balance"]) for x in answer["points"] if x["program_id"] == p["id"]] == [(10, 20)]
    reads = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT") and '"points_balance"' in sql]
    assert len(reads) == 1, reads
