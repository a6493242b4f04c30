"""Points when a sale changes account or two accounts are merged (programs/points.py, PointsKind.move_sale and
merge_accounts), and when a refund is edited (_plan_restore), as mutation testing (scripts/mutation, docs/testing.md)
showed no test checked: the ledger rows a move writes, which redemptions a merge moves, and a reward's points given
back or taken back as an edited refund returns or keeps the discounted line."""
from __future__ import annotations

from builders import account, sale
from loyalty.domain.merges import merge_accounts
from loyalty.models import Sale
from loyalty.programs.points_ledger import balances, post
from loyalty.programs.points_models import PointsEntry, PointsRedemption
from test_rules_mutants_points import commit, points_program, redeem, treat


def test_a_moved_sales_points_leave_a_reversal_and_an_earn_row_naming_the_sale_and_both_accounts(
        api, manager_api, linked):
    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    other = account(api, "Ola", "c-77")
    commit(api, sale("S-1", lines=[treat(1, price="30.00")]))
    commit(api, sale("S-1", lines=[treat(1, price="30.00")], customer="c-77"))
    sale_id = Sale.get(Sale.pos_sale_id == "S-1").id
    rows = [(e.account_id, e.kind, e.points, e.sale_id, e.reason)
            for e in PointsEntry.select().where(PointsEntry.sale == sale_id).order_by(PointsEntry.id)]
    assert rows == [(a, "earn", 30, sale_id, None),
                    (a, "reverse_earn", -30, sale_id, f"sale moved to account {other}"),
                    (other, "earn", 30, sale_id, f"sale moved from account {a}")]
    assert balances(a, [pid])[pid] == (0, 0) and balances(other, [pid])[pid] == (30, 30)
    keys = [e.key for e in PointsEntry.select().where(PointsEntry.sale == sale_id)]
    assert len(set(keys)) == 3 and all(k.startswith(f"move:{sale_id}:{pid}") for k in keys[1:])
    # Moved back, the keys stay distinct (numbered after the rows the sale already has) and the points follow; a
    # second sale moved the same way gets keys of its own.
    commit(api, sale("S-1", lines=[treat(1, price="30.00")]))
    assert balances(a, [pid])[pid][0] == 30 and balances(other, [pid])[pid][0] == 0
    commit(api, sale("S-2", lines=[treat(1, price="5.00")]))
    commit(api, sale("S-2", lines=[treat(1, price="5.00")], customer="c-77"))
    commit(api, sale("S-2", lines=[treat(1, price="5.00")]))
    assert balances(a, [pid])[pid][0] == 35 and balances(other, [pid])[pid][0] == 0
    assert PointsEntry.select().count() == 10


def test_a_merge_moves_the_other_accounts_redemptions_and_no_one_elses(api, manager_api, linked):
    p = points_program(manager_api)
    pid, reward = p["id"], p["rewards"][0]["id"]
    other, third = account(api, "Ola", "c-77"), account(api, "Kim", "c-78")
    for n, acc in enumerate((linked["id"], other, third)):
        post(acc, pid, "adjust", 500, f"top-up-{n}", "test")
        r = redeem(api, {"account_id": acc, "program_id": pid, "reward_id": reward})
        assert r.status_code == 201, r.get_json()
    merge_accounts(linked["id"], other, "test")
    owners = sorted(r.account_id for r in PointsRedemption.select())
    assert owners == sorted([linked["id"], linked["id"], third])
    assert PointsEntry.select().where(PointsEntry.account == third).count() == 2  # its top-up and its spend
    assert PointsEntry.select().where(PointsEntry.account == linked["id"]).count() == 4


def test_an_edited_refund_takes_back_or_gives_again_the_reward_points_of_the_discounted_line(
        api, manager_api, linked):
    from builders import line

    p = points_program(manager_api)
    a, pid = linked["id"], p["id"]
    commit(api, sale("S-0", lines=[treat(1, price="600.00")]))
    r = redeem(api, {"account_id": a, "program_id": pid, "reward_id": p["rewards"][0]["id"], "line_id": "1",
                     "sale": {"system": "lightspeed-x", "sale_id": "S-1"}})
    assert r.status_code == 201, r.get_json()
    commit(api, sale("S-1", lines=[line(1, price="20.00"), treat(2, price="5.00")]))
    assert balances(a, [pid])[pid][0] == 600 - 500 + 25
    commit(api, sale("R-1", lines=[line("r1", qty=-1, price="20.00")], return_for="S-1"))
    assert balances(a, [pid])[pid][0] == 600 - 500 + 25 - 20 + 500  # the discounted line back: its reward too
    commit(api, sale("R-1", lines=[treat("r2", qty=-1, price="5.00")], return_for="S-1"))  # edited: the treat
    assert balances(a, [pid])[pid][0] == 600 - 500 + 25 - 5
    commit(api, sale("R-1", lines=[line("r1", qty=-1, price="20.00")], return_for="S-1"))  # and back again
    assert balances(a, [pid])[pid][0] == 600 - 500 + 25 - 20 + 500
