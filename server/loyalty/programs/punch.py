"""Punch cards ("buy N, get 1 free") as a program kind: which lines punch, how a refund reverses them, the
multi-purchase reasons, a returned free item reopening its reward, and what the panel shows per card.

The card mechanics themselves (roll-over, windows, debts) are in domain/cards.py.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from flask_babel import gettext as _
from peewee import fn

from .. import fastsql
from ..audit import record
from ..errors import Conflict, ValidationFailed
from ..models import Card, Program, Punch, Redemption, SaleLine
from ..domain.cards import (REGISTER_COMPLETE_CARDS, PunchContext, account_cards, add_punches,
                             add_punches_programs, complete_index, forget_live, kept_live_state, take_back)
from ..domain.programs import qualifying_programs
from .base import ProgramKind, SaleContext, whole

OTHER = "Other"


@dataclass
class PunchPlan:
    programs: dict = field(default_factory=dict)  # id -> Program
    deltas: dict = field(default_factory=dict)  # (line_id, program_id) -> signed punches
    reopen: dict = field(default_factory=dict)  # refund line_id -> signed count of rewards to reopen
    missing: set = field(default_factory=set)  # programs whose multi-purchase lacks a reason
    given: dict = field(default_factory=dict)  # program_id -> (reason, note)
    free: dict = field(default_factory=dict)  # (line_id, program_id) -> units given free as a reward


def free_units(system: str, sale_id: str, lines: list) -> dict:
    """{line_id: units given free} from the redemptions recorded for this sale: a free item does not punch."""
    free: dict[str, int] = {}
    for red in fastsql.select(Redemption, '"pos_system" = ? AND "pos_sale_id" = ?', (system, sale_id)):
        for line in lines:
            matches = (red.item_upc and red.item_upc == line.get("upc")) or \
                      (red.item_sku and red.item_sku == line.get("sku"))
            qty = whole(line["quantity"]) or 0
            if matches and free.get(line["line_id"], 0) < qty:
                free[line["line_id"]] = free.get(line["line_id"], 0) + 1
                break
    return free


def sale_free_units(ctx: SaleContext) -> dict:
    """free_units of the sale being planned, read once for every kind (a free item neither punches nor earns)."""
    if ctx.free is None:
        ctx.free = free_units(ctx.system, ctx.sale_id, ctx.lines)
    return ctx.free


def original_free_units(ctx: SaleContext, original_line: SaleLine) -> dict:
    """free_units of the sale ``original_line`` (a line this refund returns) belongs to, read once for every kind
    (the sale's row is loaded only then)."""
    if original_line.sale_id not in ctx.free_of_originals:
        sale = original_line.sale
        lines = [{"line_id": s.line_id, "upc": s.upc, "sku": s.sku, "quantity": s.quantity}
                 for s in sale.lines.order_by(SaleLine.id)]
        ctx.free_of_originals[sale.id] = free_units(sale.pos_system, sale.pos_sale_id, lines)
    return ctx.free_of_originals[original_line.sale_id]


def _own_net(line_rows) -> dict:
    """{(line_id str, program_id): punches a purchase line holds from its own commits (refunds excluded)}."""
    ids = {row.id: row.line_id for row in line_rows}
    if not ids:
        return {}
    query = ('SELECT "line_id", "program_id", SUM("quantity") FROM "punch" WHERE "kind" <> ? AND "line_id" IN '
             f'{fastsql.in_list(len(ids))} GROUP BY "line_id", "program_id"')
    return {(ids[line], pid): int(n or 0) for line, pid, n in fastsql.rows(query, ["refund", *ids])}


def _program_totals(plan: PunchPlan) -> dict:
    totals: dict[int, dict] = {}
    for (lid, pid), d in plan.deltas.items():
        t = totals.setdefault(pid, {"add": 0, "net": 0})
        t["net"] += d
        if d > 0:
            t["add"] += d
    return totals


def _project(before: int, complete: int, delta: int, n: int):
    total, rewards = before + delta, complete
    while total >= n:
        total, rewards = total - n, rewards + 1
    while total < 0 and rewards > 0:
        total, rewards = total + n, rewards - 1
    return total, rewards


class PunchKind(ProgramKind):
    name = "punch"
    answer_key = "cards"

    # --- planning ------------------------------------------------------------------------------------------
    def plan(self, ctx: SaleContext) -> PunchPlan:
        plan = PunchPlan()
        if ctx.is_refund:
            self._plan_refund(plan, ctx)
        else:
            self._plan_sale(plan, ctx)
        return plan

    def _plan_sale(self, plan: PunchPlan, ctx: SaleContext):
        lines = ctx.lines
        qualifying = qualifying_programs(lines)
        free = sale_free_units(ctx)
        desired: dict[tuple, int] = {}
        for i, line in enumerate(lines):
            q = line["quantity"]
            programs = qualifying.get(i, [])
            if not line.get("upc") and not line.get("sku"):
                if line.get("product_id"):
                    ctx.warn("unknown_product", _("product %(id)s is not in the catalog: no punch", id=line["product_id"]),
                             line["line_id"])
                continue
            if not programs:
                continue
            n = whole(q)
            if n is None:
                ctx.warn("fractional_quantity", _("%(item)s: quantity %(qty)s is not whole, so it punches nothing",
                                                  item=line.get("name") or line["line_id"], qty=q), line["line_id"])
                continue
            if n < 0:
                ctx.warn("negative_quantity", _("a returned item is reversed through a refund sale (return_for)"),
                         line["line_id"])
                continue
            for program in programs:
                plan.programs[program.id] = program
                desired[(line["line_id"], program.id)] = max(0, n - free.get(line["line_id"], 0))
                if free.get(line["line_id"]):
                    plan.free[(line["line_id"], program.id)] = free[line["line_id"]]
        current = _own_net(ctx.existing.values())
        for pid in {k[1] for k in current} - set(plan.programs):
            plan.programs[pid] = Program.get_by_id(pid)
        for key in set(desired) | set(current):
            if key not in desired and plan.programs[key[1]].status != "active":
                continue  # archived since: the punches the sale gave stay as they are (as its points do)
            delta = desired.get(key, 0) - current.get(key, 0)
            if delta:
                plan.deltas[key] = delta

    def _plan_refund(self, plan: PunchPlan, ctx: SaleContext):
        own_ids = {row.id for row in ctx.existing.values()}
        for line in ctx.lines:
            match = ctx.refunds.get(line["line_id"])
            if match is None:
                continue
            o = match.original
            returned = whole(-line["quantity"])
            if returned is None:
                ctx.warn("fractional_quantity", _("quantity %(qty)s is not whole: no punch reversed", qty=line["quantity"]),
                         line["line_id"])
                returned = 0
            returned = min(returned, int(match.returned))
            prior = ctx.existing.get(line["line_id"])
            free_o = original_free_units(ctx, o).get(o.line_id, 0)
            paid_o = int(o.quantity) - free_o
            returned_before = int(sum((-r.quantity for r in o.returns if r.id not in own_ids), Decimal(0)))
            paid_left = max(0, paid_o - returned_before)
            r_paid = min(returned, paid_left)
            r_free = min(returned - r_paid, free_o)
            # Per program: what this refund line has reversed so far, and what the original line still holds.
            rows = (Punch.select(Punch.program, Punch.cause, fn.SUM(Punch.quantity).alias("n"))
                    .where(Punch.line == o.id).group_by(Punch.program, Punch.cause))
            net: dict[int, int] = {}
            mine: dict[int, int] = {}
            for row in rows:
                net[row.program_id] = net.get(row.program_id, 0) + int(row.n or 0)
                if prior is not None and row.cause_id == prior.id and row.cause_id != o.id:
                    mine[row.program_id] = mine.get(row.program_id, 0) - int(row.n or 0)
            for pid in set(net) | set(mine):
                pool = net.get(pid, 0) + mine.get(pid, 0)
                want = min(r_paid, max(pool, 0))
                delta = want - mine.get(pid, 0)
                if delta:
                    plan.deltas[(line["line_id"], pid)] = -delta
                    plan.programs.setdefault(pid, Program.get_by_id(pid))
            reopened = Redemption.select().where(Redemption.reversed_by == prior.id).count() if prior else 0
            if r_free != reopened:
                plan.reopen[line["line_id"]] = r_free - reopened

    # --- reasons for a multi-purchase ----------------------------------------------------------------------
    def check(self, plan: PunchPlan, reasons, opts, *, committing: bool):
        if not plan.programs:
            return
        errors, given, missing = {}, {}, set()
        for key, value in (reasons or {}).items():
            reason, note = (value or {}).get("reason"), ((value or {}).get("note") or "").strip()
            if reason not in opts.reasons_allowed:
                errors[str(key)] = [_("reason must be one of: %(reasons)s", reasons=", ".join(opts.reasons_allowed))]
            elif reason == OTHER and not note:
                errors[str(key)] = [_("a note is required with 'Other'")]
            else:
                try:
                    given[int(key)] = (reason, note or None)
                except (TypeError, ValueError):
                    errors[str(key)] = [_("not a program id")]
        if errors:
            raise ValidationFailed(_("invalid multi-purchase reason"), fields={"reasons": errors})
        totals = _program_totals(plan)
        for pid, t in totals.items():
            if t["add"] > plan.programs[pid].multi_purchase_threshold and pid not in given:
                missing.add(pid)
        plan.missing, plan.given = missing, given
        if committing and missing and opts.ask_reasons:
            raise Conflict(
                _("more than one unit on a card in one visit: choose a reason for each card"),
                code="reason_required",
                fields={str(pid): [_("reason required")] for pid in sorted(missing)},
                extra={"cards": [{"program_id": pid, "program": plan.programs[pid].name,
                                  "punches_to_add": totals[pid]["add"]} for pid in sorted(missing)],
                       "reasons": list(opts.reasons_allowed)})

    # --- state and answers ---------------------------------------------------------------------------------
    def state(self, account_id: int, plan: PunchPlan) -> dict:
        """{program_id: (punches on the open card, complete cards)}."""
        program_ids = plan.programs
        if not program_ids:
            return {}
        kept = kept_live_state(account_id)  # the cards the answer has just read
        if kept is not None:
            return {pid: list(kept.get(pid, (0, 0))) for pid in program_ids}
        out = {pid: [0, 0] for pid in program_ids}
        ids = sorted(program_ids)
        # Each half reads a partial index (open cards, complete cards): never the account's redeemed history.
        in_ids = fastsql.in_list(len(ids))
        query = ('SELECT "program_id", "punches", 0 FROM "card" WHERE "account_id" = ? AND "status" = \'open\' AND '
                 f'"program_id" IN {in_ids} UNION ALL SELECT "program_id", 0, COUNT(*) FROM "card"{complete_index()} '
                 f'WHERE "account_id" = ? AND "status" = \'complete\' AND "program_id" IN {in_ids} '
                 'GROUP BY "program_id"')
        for pid, punches, complete in fastsql.rows(query, [account_id, *ids, account_id, *ids]):
            out[pid][0] += punches
            out[pid][1] += complete
        return out

    def report(self, plan: PunchPlan, before: dict, after: dict | None) -> list:
        totals = _program_totals(plan)
        required = plan.missing if after is None else set()
        out = []
        for pid in sorted(set(plan.programs) | set(before)):
            program = plan.programs.get(pid) or Program.get_by_id(pid)
            b_open, b_complete = before.get(pid, (0, 0))
            net = totals.get(pid, {}).get("net", 0)
            if after is not None:
                a_open, a_complete = after.get(pid, (0, 0))
            else:
                a_open, a_complete = _project(b_open, b_complete, net, program.buy_quantity)
            out.append({
                "program_id": pid, "program": program.name, "buy_quantity": program.buy_quantity,
                "punches_before": b_open, "punches_to_add": net, "punches_after": a_open,
                "rewards_available": a_complete, "reason_required": pid in required,
                "multi_purchase_threshold": program.multi_purchase_threshold,
            })
        return out

    def line_effects(self, plan: PunchPlan, line_id: str) -> list:
        """Per card: the punches the line adds or takes back, and ``free`` units given as a reward (no punch)."""
        keys = sorted({k for k in plan.deltas if k[0] == line_id} | {k for k in plan.free if k[0] == line_id})
        return [{"program_id": pid, "program": plan.programs[pid].name, "punches": plan.deltas.get((lid, pid), 0),
                 **({"free": plan.free[(lid, pid)]} if (lid, pid) in plan.free else {})} for lid, pid in keys]

    def account_summary(self, account_id: int, detail: bool = False) -> list:
        # The register's answers carry the cards to redeem now, a bounded number; the account's page all of them.
        return account_cards(account_id, complete_limit=None if detail else REGISTER_COMPLETE_CARDS)

    # --- writing -------------------------------------------------------------------------------------------
    def apply(self, plan: PunchPlan, ctx: SaleContext, sale, rows: dict, opts, now) -> list:
        account = ctx.account
        changes = []
        lines_by_id = {line["line_id"]: line for line in ctx.lines}
        # Reversals first, so that additions land on the card the reversal left open.
        additions: dict[int, list] = {}
        for (line_id, pid), delta in sorted(plan.deltas.items(), key=lambda kv: kv[1]):
            program = plan.programs[pid]
            row = rows[line_id]
            src = lines_by_id.get(line_id, {})
            match = ctx.refunds.get(line_id)
            refund_of = match.original if match is not None else None
            reason, note = plan.given.get(pid, (None, None))
            pctx = PunchContext(
                actor=opts.actor, sale=sale.id,
                kind="refund" if refund_of is not None else ("purchase" if delta > 0 else "reversal"),
                line=(refund_of.id if refund_of is not None else row.id), cause=row.id,
                unit_price=src.get("unit_price", row.unit_price), upc=src.get("upc") or row.upc,
                sku=src.get("sku") or row.sku, item_name=src.get("name") or row.name,
                reason=reason if delta > 0 else None, note=note if delta > 0 else None,
                needs_review=delta > 0 and pid in plan.missing,
            )
            if pctx.needs_review:
                pctx.reason = "needs reason"
            if delta > 0:
                additions.setdefault(pid, []).append((delta, pctx))
            else:
                take_back(account.id, program, -delta, pctx, now)
            changes.append({"line_id": line_id, "program_id": pid, "punches": delta})
        ledger = []  # every program's new punch rows, in one INSERT
        if additions:
            add_punches_programs(account.id, [(plan.programs[pid], items) for pid, items in additions.items()], now,
                                 ledger)
        fastsql.insert(Punch, ledger, returning=False)
        for line_id, count in plan.reopen.items():
            _reopen_rewards(ctx.refunds[line_id].original, rows[line_id], count, opts.actor, now)
            changes.append({"line_id": line_id, "rewards_reopened": count})
        return changes

    def add_moving(self, plan: PunchPlan, ctx: SaleContext) -> dict:
        moving: dict[str, int] = {}
        for (line_id, pid), n in _own_net(ctx.existing.values()).items():
            if n <= 0:
                continue
            plan.deltas[(line_id, pid)] = plan.deltas.get((line_id, pid), 0) + n
            plan.programs.setdefault(pid, Program.get_by_id(pid))
            moving[line_id] = moving.get(line_id, 0) + n
        return moving

    def move_sale(self, sale, source_account: int, target_account: int, actor: str, now):
        """The punches a sale's lines hold go to the other account (a refund's reversals stay with the sale's
        original account)."""
        if sale.kind != "sale":
            return
        lines = {row.id: row for row in sale.lines}
        if not lines:
            return
        nets = (Punch.select(Punch.line, Punch.program, fn.SUM(Punch.quantity).alias("n"))
                .where(Punch.line.in_(list(lines)) & (Punch.account == source_account))
                .group_by(Punch.line, Punch.program))
        for row in list(nets):
            n = int(row.n or 0)
            if n <= 0:
                continue
            program = Program.get_by_id(row.program_id)
            src = lines[row.line_id]
            # The moved rows keep what was bought and its price: the reward's cap, the card's "bought" counts
            # and the manufacturer's claim read them from the rows on the card.
            pctx = PunchContext(actor=actor, kind="move", sale=sale.id, line=row.line_id, cause=row.line_id,
                                unit_price=src.unit_price, upc=src.upc, sku=src.sku, item_name=src.name,
                                note=f"moved from account {source_account} to {target_account}")
            take_back(source_account, program, n, pctx, now)
            add_punches(target_account, program, n, pctx, now)


def _reopen_rewards(original_line: SaleLine, refund_row: SaleLine, count: int, actor: str, now):
    """A returned free item gives its reward back (count > 0); a refund edited down takes it again."""
    original = original_line.sale
    forget_live()
    if count > 0:
        # The free item is this line's product: its UPC or its SKU, whichever the line has (a line without a
        # SKU must not match every redemption recorded without one, another item's reward).
        same_item = [column == value for column, value in ((Redemption.item_upc, original_line.upc),
                                                           (Redemption.item_sku, original_line.sku)) if value]
        if not same_item:
            return
        candidates = Redemption.select().where(
            (Redemption.pos_system == original.pos_system) & (Redemption.pos_sale_id == original.pos_sale_id)
            & Redemption.reversed_at.is_null() & reduce(operator.or_, same_item)).order_by(Redemption.id)
        for red in candidates.limit(count):
            red.reversed_at, red.reversed_by = now, refund_row.id
            red.save()
            Card.update(status="complete", redeemed_at=None).where(Card.id == red.card_id).execute()
            record(actor, "redemption.reverse", "redemption", red.id, account_id=red.account_id,
                   reason="free item returned", refund_line=refund_row.line_id)
    else:
        for red in Redemption.select().where(Redemption.reversed_by == refund_row.id).order_by(Redemption.id) \
                .limit(-count):
            red.reversed_at, red.reversed_by = None, None
            red.save()
            Card.update(status="redeemed", redeemed_at=now).where(Card.id == red.card_id).execute()
            record(actor, "redemption.restore", "redemption", red.id, account_id=red.account_id)


KIND = PunchKind()
