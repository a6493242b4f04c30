"""Points programs as a program kind: what a sale earns (rules in points_rules.py), what a refund takes back
and gives back, and the ``points`` entries of the sale answers.

A sale's own commits hold ``earn`` rows (a changed re-commit writes only the difference). A refund recomputes, per
original sale, what the kept lines would have earned; the difference is reversed (``reverse_earn`` with
``refund`` set), never more than the sale earned, however many refunds name it. A reward that discounted a
returned line (or the whole sale, when it is returned whole) comes back as ``restore_spend``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from .. import fastsql
from ..models import Program, Sale, SaleLine
from .base import ProgramKind, SaleContext
from .catalog import shared, shared_dict
from .points_ledger import UPSERT_BALANCE, balances, forget_held, held_balances, next_key, post
from .points_models import PointsBalance, PointsEntry, PointsRedemption, PointsReward
from .points_rules import discount_of, earn
from .points_words import plain
from .punch import original_free_units, sale_free_units


@dataclass
class PointsPlan:
    programs: dict = field(default_factory=dict)  # id -> Program
    earn: dict = field(default_factory=dict)  # program_id -> points to post for this sale's own lines
    reverse: dict = field(default_factory=dict)  # (program_id, original sale id) -> points (negative: taken)
    restore: dict = field(default_factory=dict)  # (program_id, redemption id, original sale id) -> points


def active_programs() -> dict:
    """{id: Program} of the active points programs (a new dict each call: callers add to it)."""
    return dict(shared("points.active_programs", lambda: {
        p.id: p for p in fastsql.select(Program, '"kind" = ? AND "status" = ?', ("points", "active"),
                                        order='"id"')}))


def _by_sale():
    return fastsql.index_hint("points_entry_sale_id")


def _own_earned(sale_id: int, account_id: int) -> dict:
    """{program_id: points} a sale's own commits hold on the account (refunds' reversals excluded; a sale
    moved away holds nothing on its former account)."""
    # By the sale, never through the account's (long) ledger; SQLite's statistics can say otherwise when most
    # rows have no sale (adjustments, expiry)
    rows = fastsql.rows(f'SELECT "program_id", SUM("points") FROM "points_entry"{_by_sale()} WHERE "sale_id" = ? AND '
                        '"account_id" = ? AND "refund_id" IS NULL AND "kind" IN (?, ?) GROUP BY "program_id"',
                        (sale_id, account_id, "earn", "reverse_earn"))
    return {pid: int(n or 0) for pid, n in rows}


def _by_refund(where: str, params) -> dict:
    """{(program_id, refund sale id): points} of the refund-caused rows matching ``where``."""
    rows = fastsql.rows('SELECT "program_id", "refund_id", SUM("points") FROM "points_entry" WHERE '
                        f'"refund_id" IS NOT NULL AND {where} GROUP BY "program_id", "refund_id"', params)
    return {(pid, rid): int(n or 0) for pid, rid, n in rows}


def _line_dict(row: SaleLine, quantity=None) -> dict:
    return {"line_id": row.line_id, "upc": row.upc, "sku": row.sku, "unit_price": row.unit_price,
            "quantity": row.quantity if quantity is None else quantity}


def _paid(lines: list, free: dict) -> list:
    """The lines without the units given free as a punch-card reward: points are earned on what the customer
    pays for. A line's paid units go first (a refund of a line with a free unit returns the paid ones first,
    as the punch card counts it)."""
    if not free:
        return lines
    return [dict(line, quantity=max(Decimal(0), Decimal(line["quantity"]) - free[line["line_id"]]))
            if free.get(line["line_id"]) else line for line in lines]


def rewards_of(program_ids) -> dict:
    """{program_id: [active PointsReward, ...]}."""
    kept = shared_dict("points.rewards")  # this process's copy during a preview or commit (catalog.py)
    if kept is None:
        kept = {}
    out = {pid: list(kept[pid]) for pid in program_ids if pid in kept}
    ids = sorted(set(program_ids) - set(out))
    if ids:
        read: dict[int, list] = {pid: [] for pid in ids}
        for r in fastsql.select(PointsReward, f'"active" = ? AND "program_id" IN {fastsql.in_list(len(ids))}',
                                [True, *ids], order='"cost", "id"'):
            read[r.program_id].append(r)
        for pid, rewards in read.items():
            kept[pid] = tuple(rewards)
            out[pid] = rewards
    return out


def reward_dict(reward: PointsReward, balance: int | None = None) -> dict:
    out = {"id": reward.id, "name": reward.name, "cost": reward.cost, "kind": reward.kind,
           "value": None if reward.value is None else plain(reward.value),
           "upcs": reward.upcs or [], "skus": reward.skus or [],
           "max_value": None if reward.max_value is None else plain(reward.max_value),
           "discount": discount_of(reward)}
    if balance is not None:
        out["affordable"] = balance >= reward.cost
    return out


class PointsKind(ProgramKind):
    name = "points"
    answer_key = "points"

    def plan(self, ctx: SaleContext) -> PointsPlan:
        plan = PointsPlan()
        if ctx.account is None:
            return plan
        if ctx.is_refund:
            self._plan_refund(plan, ctx)
        else:
            self._plan_sale(plan, ctx)
        return plan

    def _plan_sale(self, plan: PointsPlan, ctx: SaleContext):
        programs = active_programs()
        own = _own_earned(ctx.sale.id, ctx.account.id) \
            if ctx.sale is not None and ctx.sale.id and not ctx.new_sale else {}
        for pid in own:
            if pid not in programs:  # archived since: what the sale holds stays as it is
                programs[pid] = Program.get_by_id(pid)
        paid = _paid(ctx.lines, sale_free_units(ctx)) if programs else ctx.lines
        for pid, program in programs.items():
            plan.programs[pid] = program
            if program.status != "active":
                continue
            want = earn(program.settings or {}, paid, ctx.when)
            if want != own.get(pid, 0):
                plan.earn[pid] = want - own.get(pid, 0)

    def _plan_refund(self, plan: PointsPlan, ctx: SaleContext):
        this = ctx.sale.id if ctx.sale is not None and ctx.sale.id else None
        own_ids = {row.id for row in ctx.existing.values()}
        mine_by_original: dict[int, Decimal] = {}
        sales: dict[int, Sale] = {}
        for match in ctx.refunds.values():
            o = match.original
            mine_by_original[o.id] = mine_by_original.get(o.id, Decimal(0)) + match.returned
            if o.sale_id not in sales:
                sales[o.sale_id] = o.sale
        for sid, original in sales.items():
            originals = list(original.lines.order_by(SaleLine.id))
            kept = []
            for o in originals:
                other = sum((-r.quantity for r in o.returns if r.id not in own_ids), Decimal(0))
                kept.append(_line_dict(o, max(Decimal(0), o.quantity - other - mine_by_original.get(o.id, 0))))
            any_kept = any(k["quantity"] > 0 for k in kept)
            kept = _paid(kept, original_free_units(ctx, originals[0]))
            earned = _own_earned(sid, original.account_id)
            reversed_ = _by_refund('"sale_id" = ? AND "kind" = ?', (sid, "reverse_earn"))
            for pid, total in earned.items():
                program = plan.programs.get(pid) or Program.get_by_id(pid)
                plan.programs[pid] = program
                hold = earn(program.settings or {}, kept, original.created_at,
                            visit_on=[_line_dict(o) for o in originals] if any_kept else [])
                due = max(0, total - min(hold, total))
                r_other = -sum(n for (p, r), n in reversed_.items() if p == pid and r != this)
                r_mine = -reversed_.get((pid, this), 0)
                target = max(0, due - r_other)
                if target != r_mine:
                    plan.reverse[(pid, sid)] = -(target - r_mine)
            self._plan_restore(plan, original, kept, any_kept, this)

    def _plan_restore(self, plan: PointsPlan, original: Sale, kept: list, any_kept: bool, this):
        """Rewards that discounted a returned line (or the whole sale, returned whole) give their points back."""
        kept_by_line = {k["line_id"]: k["quantity"] for k in kept}
        reds = fastsql.select(PointsRedemption, '"pos_system" = ? AND "pos_sale_id" = ? AND "status" = ?',
                              (original.pos_system, original.pos_sale_id, "redeemed"))
        for red in reds:
            if red.line_id and red.line_id in kept_by_line:
                returned = kept_by_line[red.line_id] <= 0
            else:
                returned = not any_kept
            restored = _by_refund('"redemption_id" = ? AND "kind" = ?', (red.id, "restore_spend"))
            r_other = sum(n for (p, r), n in restored.items() if r != this)
            r_mine = restored.get((red.program_id, this), 0)
            target = red.cost if returned and r_other <= 0 else 0
            if target != r_mine:
                plan.programs.setdefault(red.program_id, Program.get_by_id(red.program_id))
                plan.restore[(red.program_id, red.id, original.id)] = target - r_mine

    def state(self, account_id: int, plan: PointsPlan) -> dict:
        return balances(account_id, plan.programs)

    def _changes(self, plan: PointsPlan) -> dict:
        out: dict[int, dict] = {pid: {"earned": 0, "restored": 0} for pid in plan.programs}
        for pid, n in plan.earn.items():
            out[pid]["earned"] += n
        for (pid, _line), n in plan.reverse.items():
            out[pid]["earned"] += n
        for (pid, _spend, _redemption), n in plan.restore.items():
            out[pid]["restored"] += n
        return out

    def report(self, plan: PointsPlan, before: dict, after: dict | None) -> list:
        changes = self._changes(plan)
        rewards = rewards_of(plan.programs) if after is None else {}
        out = []
        for pid in sorted(plan.programs):
            program = plan.programs[pid]
            balance = before.get(pid, (0, 0))[0]
            ch = changes[pid]
            entry = {"program_id": pid, "program": program.name}
            if after is None:
                entry.update({"to_earn": ch["earned"], "balance": balance,
                              "balance_after": balance + ch["earned"] + ch["restored"],
                              "rewards": [reward_dict(r, balance) for r in rewards.get(pid, [])]})
                if ch["restored"]:
                    entry["to_restore"] = ch["restored"]
            else:
                new_balance = after.get(pid, (0, 0))[0]
                entry.update({"earned": ch["earned"], "balance": new_balance})
                if ch["restored"]:
                    entry["restored"] = ch["restored"]
                if new_balance < 0:
                    entry["negative_balance"] = True
            out.append(entry)
        return out

    def apply(self, plan: PointsPlan, ctx: SaleContext, sale, rows: dict, opts, now) -> list:
        account_id = ctx.account.id
        changes = []
        for pid, n in plan.earn.items():
            days = (plan.programs[pid].settings or {}).get("expiry_days")
            # a sale created by this commit has no ledger rows yet: its first key needs no count
            key = f"sale:{sale.id}:{pid}:1" if ctx.new_sale else next_key(f"sale:{sale.id}:{pid}", "sale_id", sale.id)
            post(account_id, pid, "earn" if n > 0 else "reverse_earn", n, key, opts.actor, sale=sale.id,
                 expires_at=now + dt.timedelta(days=days) if days else None,
                 reason="sale changed" if n < 0 else None, now=now)
            changes.append({"program_id": pid, "points": n})
        for (pid, sid), n in plan.reverse.items():
            key = next_key(f"refund:{sale.id}:{sid}:{pid}", "refund_id", sale.id)
            post(account_id, pid, "reverse_earn", n, key, opts.actor, sale=sid, refund=sale.id, reason="refund",
                 now=now)
            changes.append({"program_id": pid, "original_sale": sid, "points": n})
        for (pid, rid, sid), n in plan.restore.items():
            key = next_key(f"restore:{rid}:{sale.id}", "redemption_id", rid)
            post(account_id, pid, "restore_spend", n, key, opts.actor, sale=sid, refund=sale.id, redemption=rid,
                 reason="discounted item returned", now=now)
            changes.append({"program_id": pid, "redemption_id": rid, "points": n})
        after = balances(account_id, plan.programs) if plan.reverse or plan.restore else {}
        for pid in after:
            if after[pid][0] < 0:
                ctx.warn("negative_balance", _("%(program)s: the points this refund takes back were already spent; "
                                               "the balance is now %(balance)s", program=plan.programs[pid].name,
                                               balance=after[pid][0]))
        return changes

    def move_sale(self, sale, source_account: int, target_account: int, actor: str, now):
        """The points a sale earned go with it to the right account."""
        if sale.kind != "sale":
            return
        for pid, n in _own_earned(sale.id, source_account).items():
            if n:
                key = next_key(f"move:{sale.id}:{pid}", "sale_id", sale.id)
                post(source_account, pid, "reverse_earn", -n, key + ":from", actor, sale=sale.id,
                     reason=f"sale moved to account {target_account}", now=now)
                post(target_account, pid, "earn", n, key + ":to", actor, sale=sale.id,
                     reason=f"sale moved from account {source_account}", now=now)

    def merge_accounts(self, primary_id: int, other_id: int, actor: str, now):
        """The other account's ledger rows (and redemptions) move to the primary, as its punches do; the balance
        caches are added up, so each stays the sum of its account's rows."""
        forget_held()
        PointsEntry.update(account=primary_id).where(PointsEntry.account == other_id).execute()
        PointsRedemption.update(account=primary_id).where(PointsRedemption.account == other_id).execute()
        for row in list(PointsBalance.select().where(PointsBalance.account == other_id)):
            fastsql.execute(UPSERT_BALANCE, (primary_id, row.program_id, row.balance, row.lifetime_earned,
                                      PointsBalance.updated_at.db_value(now)))
            row.delete_instance()

    def account_summary(self, account_id: int, detail: bool = False) -> list:
        from .points_expiry import expiring

        held = held_balances(account_id)
        programs = active_programs()
        for pid in set(held) - set(programs):
            programs[pid] = Program.get_by_id(pid)
        rewards = rewards_of(programs)
        out = []
        for pid in sorted(programs):
            balance, lifetime = held.get(pid, (0, 0))
            entry = {"program_id": pid, "program": programs[pid].name, "status": programs[pid].status,
                     "balance": balance, "lifetime_earned": lifetime,
                     "rewards": [reward_dict(r, balance) for r in rewards.get(pid, [])]}
            if detail:  # what the expiry run will take: rows keep the date they were given, even once the
                # program stops expiring points
                entry["expiring"] = expiring(account_id, pid) if balance > 0 else []
            out.append(entry)
        return out


KIND = PointsKind()
