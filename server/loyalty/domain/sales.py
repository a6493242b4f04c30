"""Committing a POS sale: make the server's record of the sale equal to the sale sent.

Added or increased lines punch, reduced or removed lines take back what they punched, a refund
(``pos.return_for``) reverses what the original sale's lines punched and never more. A replay of the same sale
answers as the first commit did. The sale row is the lock: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR
UPDATE`` on PostgreSQL, so concurrent commits of one sale are applied one after the other.
"""
from __future__ import annotations

from flask_babel import gettext as _
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from .. import fastsql
from ..audit import record
from ..db import is_postgres, write_transaction
from ..errors import Conflict, ValidationFailed
from ..models import Account, Card, Program, Punch, Redemption, Sale, SaleLine, utcnow
from .accounts import account_dict, get_account, live_link
from .cards import LIVE, PunchContext, add_punches, add_punches_batch, lock_account, take_back
from .programs import qualifying_programs

DEFAULT_REASONS = ("Multiple pets", "Stocking up", "Buying for another household", "Other")
OTHER = "Other"

# Functions that fill a line's missing UPC/SKU (e.g. from the POS catalog by product_id); see register_enricher.
_LINE_ENRICHERS = []


def register_enricher(func):
    """``func(system, lines)`` mutates line dicts in place, filling ``upc``/``sku`` it knows for a product id."""
    if func not in _LINE_ENRICHERS:
        _LINE_ENRICHERS.append(func)
    return func


@dataclass
class Options:
    actor: str
    reasons_allowed: tuple = DEFAULT_REASONS
    # A webhook never asks: multi-purchases are punched and flagged for staff review instead.
    ask_reasons: bool = True
    source: str = "register"


@dataclass
class Plan:
    """What a commit would change."""

    account: Account | None
    lines: list
    programs: dict = field(default_factory=dict)  # id -> Program
    deltas: dict = field(default_factory=dict)  # (line_id, program_id) -> signed punches
    reopen: dict = field(default_factory=dict)  # refund line_id -> signed count of rewards to reopen
    refund_map: dict = field(default_factory=dict)  # refund line_id -> original SaleLine
    warnings: list = field(default_factory=list)
    uncommitted: list = field(default_factory=list)


SALE_STATE = ("kind", "account", "link", "pos_customer_id", "store", "register", "return_for", "original", "source",
              "committed_by", "updated_at", "last_hash", "last_response")


def sale_hash(sale: dict) -> str:
    return hashlib.sha256(json.dumps(sale, sort_keys=True, default=str).encode()).hexdigest()


def whole(q: Decimal) -> int | None:
    return int(q) if q == q.to_integral_value() else None


def _lock_sale(system: str, sale_id: str) -> Sale:
    """The sale's row, created if new and locked for this transaction."""
    fastsql.insert(Sale, [{"pos_system": system, "pos_sale_id": sale_id}], ignore_conflicts=True, returning=False)
    return fastsql.first(Sale, '"pos_system" = ? AND "pos_sale_id" = ?', (system, sale_id),
                         for_update=is_postgres())


def _account_for(sale_in: dict, sale: Sale | None):
    """(account, link) for a sale: account_id wins, then the POS customer's live link, then the sale's record."""
    system = sale_in["pos"]["system"]
    customer = sale_in.get("customer") or {}
    link = live_link(system, customer["pos_id"]) if customer.get("pos_id") else None
    if sale_in.get("account_id") is not None:
        return get_account(sale_in["account_id"]), link if link and link.account_id == sale_in["account_id"] else None
    if link is not None:
        return get_account(link.account_id), link
    if sale is not None and sale.account_id is not None and not customer.get("pos_id"):
        return get_account(sale.account_id), None
    return None, None


def _free_units(system: str, sale_id: str, lines: list) -> dict:
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


def _own_net(line_rows) -> dict:
    """{(line_id str, program_id): punches a purchase line holds from its own commits (refunds excluded)}."""
    ids = {row.id: row.line_id for row in line_rows}
    if not ids:
        return {}
    query = ('SELECT "line_id", "program_id", SUM("quantity") FROM "punch" WHERE "kind" <> ? AND "line_id" IN '
             f'{fastsql.in_list(len(ids))} GROUP BY "line_id", "program_id"')
    return {(ids[line], pid): int(n or 0) for line, pid, n in fastsql.rows(query, ["refund", *ids])}


def _plan_sale(plan: Plan, sale_in: dict, existing: dict):
    lines = plan.lines
    qualifying = qualifying_programs(lines)
    free = _free_units(sale_in["pos"]["system"], sale_in["pos"]["sale_id"], lines)
    desired: dict[tuple, int] = {}
    for i, line in enumerate(lines):
        q = line["quantity"]
        programs = qualifying.get(i, [])
        if not line.get("upc") and not line.get("sku"):
            if line.get("product_id"):
                plan.warnings.append({"code": "unknown_product", "line_id": line["line_id"],
                                      "message": f"product {line['product_id']} is not in the catalog: no punch"})
            continue
        if not programs:
            continue
        n = whole(q)
        if n is None:
            plan.warnings.append({"code": "fractional_quantity", "line_id": line["line_id"],
                                  "message": f"{line.get('name') or line['line_id']}: quantity {q} is not whole, "
                                             "so it punches nothing"})
            continue
        if n < 0:
            plan.warnings.append({"code": "negative_quantity", "line_id": line["line_id"],
                                  "message": _("a returned item is reversed through a refund sale (return_for)")})
            continue
        for program in programs:
            plan.programs[program.id] = program
            desired[(line["line_id"], program.id)] = max(0, n - free.get(line["line_id"], 0))
    current = _own_net(existing.values())
    for key in set(desired) | set(current):
        delta = desired.get(key, 0) - current.get(key, 0)
        if delta:
            plan.deltas[key] = delta
    for pid in {k[1] for k in current} - set(plan.programs):
        plan.programs[pid] = Program.get_by_id(pid)


def _match_original(line: dict, originals: list, taken: dict):
    """The original sale's line that a refund line returns: same line id, else same product/UPC/SKU with
    units left to return."""
    def left(o):
        return o.quantity - taken.get(o.id, 0)

    for key in ("line_id", "product_id", "upc", "sku"):
        value = line.get(key)
        if not value:
            continue
        for o in originals:
            if getattr(o, key) == value and left(o) > 0:
                return o
    return None


def _plan_refund(plan: Plan, existing: dict, original: Sale):
    originals = list(original.lines.order_by(SaleLine.id))
    by_id = {o.id: o for o in originals}
    own_ids = {row.id for row in existing.values()}
    # Units of each original line already returned by other refund lines (this sale's lines are re-planned).
    taken: dict[int, Decimal] = {}
    for r in SaleLine.select().where(SaleLine.original_line.in_(list(by_id) or [0])):
        if r.id not in own_ids:
            taken[r.original_line_id] = taken.get(r.original_line_id, 0) + (-r.quantity)
    orig_lines = [{"line_id": o.line_id, "upc": o.upc, "sku": o.sku, "quantity": o.quantity} for o in originals]
    free = _free_units(original.pos_system, original.pos_sale_id, orig_lines)
    for line in plan.lines:
        q = line["quantity"]
        if q >= 0:
            continue
        prior = existing.get(line["line_id"])
        o = by_id.get(prior.original_line_id) if prior is not None and prior.original_line_id else None
        o = o or _match_original(line, originals, taken)
        if o is None:
            plan.warnings.append({"code": "not_in_original", "line_id": line["line_id"],
                                  "message": _("this returned item is not on the original sale: nothing to reverse")})
            continue
        plan.refund_map[line["line_id"]] = o
        returned = whole(-q)
        if returned is None:
            plan.warnings.append({"code": "fractional_quantity", "line_id": line["line_id"],
                                  "message": f"quantity {q} is not whole: nothing reversed"})
            returned = 0
        returned = min(returned, int(o.quantity - taken.get(o.id, 0)))
        taken[o.id] = taken.get(o.id, 0) + returned
        free_o = free.get(o.line_id, 0)
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


def _uncommitted(plan: Plan, existing: dict) -> list:
    out = []
    names = {pid: p.name for pid, p in plan.programs.items()}
    for line in plan.lines:
        prior = existing.get(line["line_id"])
        committed = prior.quantity if prior is not None else Decimal(0)
        if prior is not None and committed == line["quantity"]:
            continue
        cards = [{"program_id": pid, "program": names[pid], "punches": d}
                 for (lid, pid), d in sorted(plan.deltas.items()) if lid == line["line_id"]]
        out.append({"line_id": line["line_id"], "name": line.get("name"), "quantity": str(line["quantity"]),
                    "committed_quantity": str(committed), "cards": cards})
    return out


def _program_totals(plan: Plan) -> dict:
    totals: dict[int, dict] = {}
    for (lid, pid), d in plan.deltas.items():
        t = totals.setdefault(pid, {"add": 0, "net": 0})
        t["net"] += d
        if d > 0:
            t["add"] += d
    return totals


def _card_states(account_id: int, program_ids) -> dict:
    """{program_id: (punches on the open card, complete cards)}."""
    out = {pid: [0, 0] for pid in program_ids}
    if not program_ids:
        return {}
    ids = sorted(program_ids)
    query = ('SELECT "program_id", "punches", "status" FROM "card" WHERE "account_id" = ? AND "status" IN (?, ?) '
             f'AND "program_id" IN {fastsql.in_list(len(ids))}')
    for pid, punches, status in fastsql.rows(query, [account_id, *LIVE, *ids]):
        if status == "open":
            out[pid][0] = punches
        else:
            out[pid][1] += 1
    return out


def _project(before: int, complete: int, delta: int, n: int):
    total, rewards = before + delta, complete
    while total >= n:
        total, rewards = total - n, rewards + 1
    while total < 0 and rewards > 0:
        total, rewards = total + n, rewards - 1
    return total, rewards


def _cards_report(plan: Plan, before: dict, after: dict | None, required: set) -> list:
    totals = _program_totals(plan)
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


def _check_reasons(plan: Plan, reasons: dict, opts: Options) -> tuple[set, dict]:
    """(programs that need a reason and lack one, {program_id: (reason, note)} given)."""
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
    for pid, t in _program_totals(plan).items():
        if t["add"] > plan.programs[pid].multi_purchase_threshold and pid not in given:
            missing.add(pid)
    return missing, given


def _plan(sale_in: dict, sale: Sale | None, account) -> tuple[Plan, dict, Sale | None]:
    system = sale_in["pos"]["system"]
    lines = [dict(line) for line in sale_in["lines"]]
    for enrich in _LINE_ENRICHERS:
        enrich(system, lines)
    existing = {row.line_id: row for row in fastsql.select(SaleLine, '"sale_id" = ?', (sale.id,))} \
        if sale is not None and sale.id else {}
    plan = Plan(account=account, lines=lines)
    original = None
    if sale_in["pos"].get("return_for"):
        original = Sale.get_or_none((Sale.pos_system == system) & (Sale.pos_sale_id == sale_in["pos"]["return_for"]))
        if original is None or original.account_id is None:
            plan.warnings.append({"code": "original_not_committed",
                                  "message": _("the original sale was never committed: nothing to reverse")})
        else:
            plan.account = get_account(original.account_id)
            _plan_refund(plan, existing, original)
    else:
        _plan_sale(plan, sale_in, existing)
    plan.uncommitted = _uncommitted(plan, existing)
    return plan, existing, original


def _resolve_for(sale_in, sale):
    account, link = _account_for(sale_in, sale)
    if account is None and not sale_in["pos"].get("return_for"):
        raise Conflict(_("this POS customer is not linked to a loyalty account: select or create one first"),
                       code="customer_not_linked")
    return account, link


def preview_sale(sale_in: dict, opts: Options) -> dict:
    system, sale_id = sale_in["pos"]["system"], sale_in["pos"]["sale_id"]
    sale = Sale.get_or_none((Sale.pos_system == system) & (Sale.pos_sale_id == sale_id))
    account, _link = _resolve_for(sale_in, sale)
    plan, existing, _original = _plan(sale_in, sale, account)
    if plan.account is not None and sale is not None and sale.account_id not in (None, plan.account.id):
        plan.warnings.append({"code": "account_changed", "message": _("this sale was committed to another account; "
                                                                      "committing moves its punches")})
    missing, _given = _check_reasons(plan, {}, opts) if plan.programs else (set(), {})
    before = _card_states(plan.account.id, plan.programs) if plan.account else {}
    return {
        "account": account_dict(plan.account, cards=True) if plan.account else None,
        "sale": {"system": system, "sale_id": sale_id, "committed": sale is not None},
        "cards": _cards_report(plan, before, None, missing),
        "uncommitted_lines": plan.uncommitted,
        "warnings": plan.warnings,
        "reasons": list(opts.reasons_allowed),
    }


def commit_sale(sale_in: dict, reasons: dict | None, opts: Options) -> dict:
    system, sale_id = sale_in["pos"]["system"], sale_in["pos"]["sale_id"]
    digest = sale_hash(sale_in)
    with write_transaction():
        sale = _lock_sale(system, sale_id)
        if sale.last_hash == digest and sale.last_response is not None:
            return sale.last_response
        account, link = _resolve_for(sale_in, sale)
        if account is not None:
            lock_account(account.id)  # before reading its cards: the plan must see every earlier commit
        now = utcnow()
        if account is not None and sale.account_id not in (None, account.id) and not sale_in["pos"].get("return_for"):
            move_sale(sale, account.id, opts.actor)
        plan, existing, original = _plan(sale_in, sale, account)
        missing, given = _check_reasons(plan, reasons, opts) if plan.programs else (set(), {})
        if missing and opts.ask_reasons:
            totals = _program_totals(plan)
            raise Conflict(
                _("more than one unit on a card in one visit: choose a reason for each card"),
                code="reason_required",
                fields={str(pid): [_("reason required")] for pid in sorted(missing)},
                extra={"cards": [{"program_id": pid, "program": plan.programs[pid].name,
                                  "punches_to_add": totals[pid]["add"]} for pid in sorted(missing)],
                       "reasons": list(opts.reasons_allowed)})
        account = plan.account
        before = _card_states(account.id, plan.programs) if account else {}

        sale.kind = "refund" if sale_in["pos"].get("return_for") else "sale"
        sale.account = account.id if account else None
        sale.link = link.id if link else (original.link_id if original is not None else sale.link_id)
        sale.pos_customer_id = (sale_in.get("customer") or {}).get("pos_id")
        sale.store, sale.register = sale_in["pos"].get("store"), sale_in["pos"].get("register")
        sale.return_for = sale_in["pos"].get("return_for")
        sale.original = original.id if original is not None else None
        sale.source = opts.source
        sale.committed_by = opts.actor
        sale.updated_at = now

        rows = _save_lines(sale, plan, existing)
        changes = _apply(plan, sale, rows, given, missing, opts, now)
        after = _card_states(account.id, plan.programs) if account else {}
        response = {
            "account": account_dict(account, cards=True) if account else None,
            "sale": {"system": system, "sale_id": sale_id, "committed": True, "kind": sale.kind},
            "cards": _cards_report(plan, before, after, set()),
            "uncommitted_lines": [],
            "warnings": plan.warnings,
        }
        sale.last_hash = digest
        sale.last_response = response
        fastsql.save(sale, *SALE_STATE)
        record(opts.actor, "sale.refund" if sale.kind == "refund" else "sale.commit", "sale", sale.id,
               account_id=account.id if account else None, system=system, sale_id=sale_id, changes=changes,
               warnings=[w["code"] for w in plan.warnings], source=opts.source)
    return response


def _save_lines(sale: Sale, plan: Plan, existing: dict) -> dict:
    rows = dict(existing)
    seen, new = set(), []
    for line in plan.lines:
        seen.add(line["line_id"])
        values = {k: line.get(k) for k in ("product_id", "sku", "upc", "name", "unit_price")}
        values["quantity"] = line["quantity"]
        o = plan.refund_map.get(line["line_id"])
        values["original_line"] = o.id if o is not None else None
        row = rows.get(line["line_id"])
        if row is None:
            new.append({"sale": sale.id, "line_id": line["line_id"], **values})
        else:
            changed = [k for k, v in values.items() if getattr(row, k if k != "original_line" else "original_line_id") != v]
            if changed:
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
    for line_id, row in rows.items():
        if line_id not in seen and row.quantity != 0:  # removed from the sale: keep the row for its history
            row.quantity = Decimal(0)
            row.save()
    for values, new_id in zip(new, fastsql.insert(SaleLine, new)):
        rows[values["line_id"]] = SaleLine(id=new_id, **values)
    return rows


def _apply(plan: Plan, sale: Sale, rows: dict, given: dict, missing: set, opts: Options, now) -> list:
    account = plan.account
    changes = []
    lines_by_id = {line["line_id"]: line for line in plan.lines}
    # Reversals first, so that additions land on the card the reversal left open.
    additions: dict[int, list] = {}
    for (line_id, pid), delta in sorted(plan.deltas.items(), key=lambda kv: kv[1]):
        program = plan.programs[pid]
        row = rows[line_id]
        src = lines_by_id.get(line_id, {})
        refund_of = plan.refund_map.get(line_id)
        reason, note = given.get(pid, (None, None))
        ctx = PunchContext(
            actor=opts.actor, sale=sale.id,
            kind="refund" if refund_of is not None else ("purchase" if delta > 0 else "reversal"),
            line=(refund_of.id if refund_of is not None else row.id), cause=row.id,
            unit_price=src.get("unit_price", row.unit_price), upc=src.get("upc") or row.upc,
            sku=src.get("sku") or row.sku, item_name=src.get("name") or row.name,
            reason=reason if delta > 0 else None, note=note if delta > 0 else None,
            needs_review=delta > 0 and pid in missing,
        )
        if ctx.needs_review:
            ctx.reason = "needs reason"
        if delta > 0:
            additions.setdefault(pid, []).append((delta, ctx))
        else:
            take_back(account.id, program, -delta, ctx, now)
        changes.append({"line_id": line_id, "program_id": pid, "punches": delta})
    for pid, items in additions.items():
        add_punches_batch(account.id, plan.programs[pid], items, now)
    for line_id, count in plan.reopen.items():
        _reopen_rewards(plan, rows[line_id], count, opts.actor, now)
        changes.append({"line_id": line_id, "rewards_reopened": count})
    return changes


def _reopen_rewards(plan: Plan, refund_row: SaleLine, count: int, actor: str, now):
    """A returned free item gives its reward back (count > 0); a refund edited down takes it again."""
    original_line = plan.refund_map[refund_row.line_id]
    original = original_line.sale
    if count > 0:
        candidates = Redemption.select().where(
            (Redemption.pos_system == original.pos_system) & (Redemption.pos_sale_id == original.pos_sale_id)
            & Redemption.reversed_at.is_null()
            & ((Redemption.item_upc == original_line.upc) | (Redemption.item_sku == original_line.sku)))
        for red in candidates.limit(count):
            red.reversed_at, red.reversed_by = now, refund_row.id
            red.save()
            Card.update(status="complete", redeemed_at=None).where(Card.id == red.card_id).execute()
            record(actor, "redemption.reverse", "redemption", red.id, account_id=red.account_id,
                   reason="free item returned", refund_line=refund_row.line_id)
    else:
        for red in Redemption.select().where(Redemption.reversed_by == refund_row.id).limit(-count):
            red.reversed_at, red.reversed_by = None, None
            red.save()
            Card.update(status="redeemed", redeemed_at=now).where(Card.id == red.card_id).execute()
            record(actor, "redemption.restore", "redemption", red.id, account_id=red.account_id)


def move_sale(sale: Sale, target_account_id: int, actor: str):
    """Move a sale, with the punches its lines hold, to another account (a wrong link corrected)."""
    source_account = sale.account_id
    if source_account is None or source_account == target_account_id:
        Sale.update(account=target_account_id).where(Sale.id == sale.id).execute()
        return
    now = utcnow()
    if sale.kind == "sale":
        line_ids = [row.id for row in sale.lines]
        if line_ids:
            nets = (Punch.select(Punch.line, Punch.program, fn.SUM(Punch.quantity).alias("n"))
                    .where(Punch.line.in_(line_ids) & (Punch.account == source_account))
                    .group_by(Punch.line, Punch.program))
            for row in list(nets):
                n = int(row.n or 0)
                if n <= 0:
                    continue
                program = Program.get_by_id(row.program_id)
                ctx = PunchContext(actor=actor, kind="move", sale=sale.id, line=row.line_id, cause=row.line_id,
                                   note=f"moved from account {source_account} to {target_account_id}")
                take_back(source_account, program, n, ctx, now)
                add_punches(target_account_id, program, n, ctx, now)
    sale.account = target_account_id
    sale.last_hash = None  # the stored answer names the old account
    sale.save()
    record(actor, "sale.move", "sale", sale.id, account_id=target_account_id, from_account=source_account,
           sale_id=sale.pos_sale_id)
