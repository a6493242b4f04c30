"""Committing a POS sale: make the server's record of the sale equal to the sale sent.

The pipeline is shared by every program kind (``programs/``): lock the sale, resolve the account, match refund
lines to the lines they return, ask each kind for its plan, check it (reasons), apply it, answer, and store the
answer for a replay. Added or increased lines earn, reduced or removed lines take back what they earned, a refund
(``pos.return_for``) reverses what the original sale's lines earned and never more. A replay of the same sale
answers as the first commit did. The sale row is the lock: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR
UPDATE`` on PostgreSQL, so concurrent commits of one sale are applied one after the other.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from .. import fastsql
from ..audit import record
from ..db import is_postgres, write_transaction
from ..errors import Conflict
from ..models import EncodedJSON, Sale, SaleLine, utcnow
from ..programs import KINDS
from ..programs.base import RefundLine, SaleContext, sale_memo
from ..programs.punch import OTHER  # noqa: F401  (the reason that needs a note; adjustments use it)
from .accounts import account_dict, get_account, live_link_and_account
from .cards import lock_account
from .moves import move_sale  # noqa: F401  (moving a sale is in moves.py; kept importable from here)

DEFAULT_REASONS = ("Multiple pets", "Stocking up", "Buying for another household", "Other")

# Functions that fill a line's missing UPC/SKU (e.g. from the POS catalog by product_id); see register_enricher.
_LINE_ENRICHERS = []


def register_enricher(func):
    """``func(system, lines)`` mutates line dicts in place, filling ``upc``/``sku`` it knows for a product id."""
    if func not in _LINE_ENRICHERS:
        _LINE_ENRICHERS.append(func)
    return func


def enrich_lines(system: str, lines: list) -> list:
    """The lines (dicts, changed in place) with the UPC/SKU the registered enrichers know."""
    for enrich in _LINE_ENRICHERS:
        enrich(system, lines)
    return lines


@dataclass
class Options:
    actor: str
    reasons_allowed: tuple = DEFAULT_REASONS
    # A webhook never asks: multi-purchases are punched and flagged for staff review instead.
    ask_reasons: bool = True
    source: str = "register"
    # False (LOYALTY_REGISTER_SYNCHRONOUS_COMMIT=off, PostgreSQL): this commit does not wait for its WAL flush.
    synchronous_commit: bool = True


@dataclass
class Plan:
    """What a commit would change: the shared context and one plan per program kind."""

    ctx: SaleContext
    kinds: dict = field(default_factory=dict)  # kind name -> that kind's plan
    uncommitted: list = field(default_factory=list)

    @property
    def account(self):
        return self.ctx.account


SALE_STATE = ("kind", "account", "link", "pos_customer_id", "store", "register", "return_for", "original", "source",
              "committed_by", "updated_at", "last_hash", "last_response")


def sale_hash(sale: dict) -> str:
    return hashlib.sha256(json.dumps(sale, sort_keys=True, default=str).encode()).hexdigest()


# Whether a reward was redeemed on the sale (a free item, punch.free_units), asked by the statement that creates
# the sale's row: a new sale with none skips that read.
_REDEEMED_ON_SALE = ('EXISTS (SELECT 1 FROM "redemption" WHERE "redemption"."pos_system" = ? AND '
                     '"redemption"."pos_sale_id" = ?)')


def _lock_sale(system: str, sale_id: str) -> tuple[Sale, bool, bool]:
    """(the sale's row, locked for this transaction; whether this transaction created it; whether a reward may have
    been redeemed on it). A row this transaction inserted is locked by that and comes back from the INSERT itself:
    one statement for a new sale."""
    created = fastsql.insert(Sale, [{"pos_system": system, "pos_sale_id": sale_id}], ignore_conflicts=True,
                             returning="rows", also=(_REDEEMED_ON_SALE, (system, sale_id)))
    if created:
        sale, (redeemed,) = created[0]
        return sale, True, bool(redeemed)
    return fastsql.first(Sale, '"pos_system" = ? AND "pos_sale_id" = ?', (system, sale_id),
                         for_update=is_postgres()), False, True


def _account_for(sale_in: dict, sale: Sale | None):
    """(account, link) for a sale: account_id wins, then the POS customer's live link, then the sale's record."""
    system = sale_in["pos"]["system"]
    customer = sale_in.get("customer") or {}
    link, linked = live_link_and_account(system, customer["pos_id"]) if customer.get("pos_id") else (None, None)
    if sale_in.get("account_id") is not None:
        return get_account(sale_in["account_id"]), link if link and link.account_id == sale_in["account_id"] else None
    if link is not None:
        return linked, link
    if sale is not None and sale.account_id is not None and not customer.get("pos_id"):
        return get_account(sale.account_id), None
    return None, None


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


def _match_refunds(ctx: SaleContext, return_for: Sale | None):
    """Pair each returned (negative) line with the original line it returns, and how many of its units are
    still left to return after the other refunds of that line. A line's own ``original`` names its sale (one
    refund may return lines of several sales); the others return lines of ``return_for``."""
    own_ids = {row.id for row in ctx.existing.values()}
    sales: dict[str, Sale | None] = {}
    originals: dict[int, list] = {}
    taken: dict[int, Decimal] = {}

    def lines_of(sale: Sale) -> list:
        if sale.id not in originals:
            originals[sale.id] = list(sale.lines.order_by(SaleLine.id))
            # Units of each original line already returned by other refund lines (this sale's are re-planned).
            ids = [o.id for o in originals[sale.id]]
            for r in SaleLine.select().where(SaleLine.original_line.in_(ids or [0])):
                if r.id not in own_ids:
                    taken[r.original_line_id] = taken.get(r.original_line_id, 0) + (-r.quantity)
        return originals[sale.id]

    # A line this refund returned before and returns no more (set to 0, or left out of the sale sent again): it is
    # planned with nothing returned, so that each kind gives back what its reversal took.
    sent = {line["line_id"] for line in ctx.lines}
    ctx.lines.extend({"line_id": row.line_id, "product_id": row.product_id, "sku": row.sku, "upc": row.upc,
                      "name": row.name, "quantity": Decimal(0), "unit_price": row.unit_price}
                     for row in ctx.existing.values()
                     if row.line_id not in sent and row.original_line_id and row.quantity != 0)
    for line in ctx.lines:
        q = line["quantity"]
        if q >= 0:
            prior = ctx.existing.get(line["line_id"])
            if q == 0 and prior is not None and prior.original_line_id and prior.quantity != 0:
                ctx.refunds[line["line_id"]] = RefundLine(original=SaleLine.get_by_id(prior.original_line_id),
                                                          returned=Decimal(0))
            continue
        ref = line.get("original") or {}
        sale = return_for
        if ref.get("sale_id"):
            if ref["sale_id"] not in sales:
                found = Sale.get_or_none((Sale.pos_system == ctx.system) & (Sale.pos_sale_id == ref["sale_id"]))
                sales[ref["sale_id"]] = found if found is not None and found.account_id is not None else None
            sale = sales[ref["sale_id"]]
            if sale is None:
                ctx.warn("original_not_committed", _("sale %(id)s was never committed: nothing to reverse",
                                                     id=ref["sale_id"]),
                         line["line_id"])
                continue
        if sale is None:
            continue
        if ctx.account is None:  # a refund of other sales' lines only: the account of the first one
            ctx.account = get_account(sale.account_id)
        if sale.account_id != ctx.account.id and get_account(sale.account_id).id != ctx.account.id:
            ctx.warn("original_other_account", _("sale %(id)s belongs to another account: nothing reversed here",
                                                 id=sale.pos_sale_id), line["line_id"])
            continue
        candidates = lines_of(sale)
        prior = ctx.existing.get(line["line_id"])
        by_id = {o.id: o for o in candidates}
        o = by_id.get(prior.original_line_id) if prior is not None and prior.original_line_id else None
        if o is None and ref.get("line_id"):
            o = next((c for c in candidates if c.line_id == ref["line_id"]), None)
        o = o or _match_original(line, candidates, taken)
        if o is None:
            ctx.warn("not_in_original", _("this returned item is not on the original sale: nothing to reverse"),
                     line["line_id"])
            continue
        returned = max(Decimal(0), min(-q, o.quantity - taken.get(o.id, 0)))
        taken[o.id] = taken.get(o.id, 0) + returned
        ctx.refunds[line["line_id"]] = RefundLine(original=o, returned=returned)


def _uncommitted(plan: Plan, moving: set = frozenset()) -> list:
    """The lines a commit would change; with ``moving`` (line ids whose earnings a move to this account brings),
    those lines too, flagged ``moving``."""
    out = []
    ctx = plan.ctx
    for line in ctx.lines:
        prior = ctx.existing.get(line["line_id"])
        committed = prior.quantity if prior is not None else Decimal(0)
        moves = line["line_id"] in moving
        if prior is not None and committed == line["quantity"] and not moves:
            continue
        entry = {"line_id": line["line_id"], "name": line.get("name"), "quantity": str(line["quantity"]),
                 "committed_quantity": str(Decimal(0) if moves else committed), "moving": moves}
        for name, kind in KINDS.items():
            entry[kind.answer_key] = kind.line_effects(plan.kinds[name], line["line_id"])
        out.append(entry)
    return out


def _plan(sale_in: dict, sale: Sale | None, account, new_sale: bool = False,
          redeemed: bool = True) -> tuple[Plan, dict, Sale | None]:
    """``new_sale``: the sale's row was created by this transaction, so nothing refers to it yet (no lines, no
    ledger rows): the reads of what it holds are skipped. ``redeemed`` False: no reward was redeemed on the sale
    (no free item to read)."""
    system = sale_in["pos"]["system"]
    lines = enrich_lines(system, [dict(line) for line in sale_in["lines"]])
    existing = {row.line_id: row for row in fastsql.select(SaleLine, '"sale_id" = ?', (sale.id,))} \
        if sale is not None and sale.id and not new_sale else {}
    ctx = SaleContext(system=system, sale_id=sale_in["pos"]["sale_id"], lines=lines, existing=existing,
                      account=account, sale=sale, new_sale=new_sale,
                      # still a refund when sent again with no line returning anything: its lines on record do
                      is_refund=_is_refund(sale_in) or any(row.original_line_id for row in existing.values()),
                      when=sale.created_at if sale is not None and sale.created_at else utcnow(),
                      free=None if redeemed else {})
    original = None
    if sale_in["pos"].get("return_for"):
        original = Sale.get_or_none((Sale.pos_system == system) & (Sale.pos_sale_id == sale_in["pos"]["return_for"]))
        if original is None or original.account_id is None:
            ctx.warn("original_not_committed", _("the original sale was never committed: nothing to reverse"))
        else:
            ctx.account = get_account(original.account_id)
    if ctx.is_refund:
        _match_refunds(ctx, original if original is not None and original.account_id is not None else None)
    plan = Plan(ctx=ctx, kinds={name: kind.plan(ctx) for name, kind in KINDS.items()})
    return plan, existing, original


def _is_refund(sale_in: dict) -> bool:
    """A refund returns lines of earlier sales: ``pos.return_for``, or returned lines naming their original."""
    return bool(sale_in["pos"].get("return_for")) or any(
        line.get("original") and line["quantity"] < 0 for line in sale_in["lines"])


def _moves_account(sale_in: dict, sale: Sale | None, account) -> bool:
    """Whether committing moves a sale committed to another account (its customer was relinked)."""
    return (account is not None and sale is not None and sale.id is not None
            and sale.account_id not in (None, account.id) and not _is_refund(sale_in))


def _add_moving(plan: Plan) -> dict:
    """A relink at the register (incorrect customer map, then the right account): what moving this sale to the
    plan's account brings, added to the plan so that the lines and cards show it. {line_id: units moved}."""
    moving: dict[str, int] = {}
    for name, kind in KINDS.items():
        for line_id, n in kind.add_moving(plan.kinds[name], plan.ctx).items():
            moving[line_id] = moving.get(line_id, 0) + n
    plan.uncommitted = _uncommitted(plan, set(moving))
    return moving


def _resolve_for(sale_in, sale):
    account, link = _account_for(sale_in, sale)
    if account is None and not _is_refund(sale_in):
        raise Conflict(_("this POS customer is not linked to a loyalty account: select or create one first"),
                       code="customer_not_linked")
    return account, link


def _states(plan: Plan) -> dict:
    account = plan.account
    return {name: kind.state(account.id, plan.kinds[name]) if account else {} for name, kind in KINDS.items()}


def _reports(plan: Plan, before: dict, after: dict | None) -> dict:
    return {kind.answer_key: kind.report(plan.kinds[name], before[name], None if after is None else after[name])
            for name, kind in KINDS.items()}


def preview_sale(sale_in: dict, opts: Options) -> dict:
    with sale_memo():
        return _preview_sale(sale_in, opts)


def _preview_sale(sale_in: dict, opts: Options) -> dict:
    system, sale_id = sale_in["pos"]["system"], sale_in["pos"]["sale_id"]
    sale = fastsql.first(Sale, '"pos_system" = ? AND "pos_sale_id" = ?', (system, sale_id))
    account, _link = _resolve_for(sale_in, sale)
    plan, existing, _original = _plan(sale_in, sale, account)
    plan.uncommitted = _uncommitted(plan)  # the panel's list: a preview's alone (a commit answers none)
    for name, kind in KINDS.items():
        kind.check(plan.kinds[name], {}, opts, committing=False)
    moves_from = None
    if _moves_account(sale_in, sale, plan.account):
        n = sum(_add_moving(plan).values())
        old = get_account(sale.account_id)
        moves_from = {"id": old.id, "name": old.full_name, "punches": n}
        plan.ctx.warn("account_changed", _("This sale was committed to %(old)s: Commit moves its punches to %(new)s.",
                                           old=old.full_name, new=plan.account.full_name))
    return {
        "account": account_dict(plan.account, cards=True) if plan.account else None,
        "sale": {"system": system, "sale_id": sale_id, "committed": sale is not None, "moves_from": moves_from},
        **_reports(plan, _states(plan), None),
        "uncommitted_lines": plan.uncommitted,
        "warnings": plan.ctx.warnings,
        "reasons": list(opts.reasons_allowed),
    }


def commit_sale(sale_in: dict, reasons: dict | None, opts: Options) -> dict:
    with sale_memo():
        return _commit_sale(sale_in, reasons, opts)


def _commit_sale(sale_in: dict, reasons: dict | None, opts: Options) -> dict:
    system, sale_id = sale_in["pos"]["system"], sale_in["pos"]["sale_id"]
    digest = sale_hash(sale_in)
    with write_transaction():
        if not opts.synchronous_commit and is_postgres():
            fastsql.execute("SET LOCAL synchronous_commit = off")  # this transaction only; see docs/performance.md
        sale, new_sale, redeemed = _lock_sale(system, sale_id)
        account, link = _resolve_for(sale_in, sale)
        moves = _moves_account(sale_in, sale, account)
        # A replay answers as the first commit did, unless the customer was relinked to another account since.
        if sale.last_hash == digest and sale.last_response is not None and not moves:
            return sale.last_response
        if account is not None:
            lock_account(account.id)  # before reading its balances: the plan must see every earlier commit
        now = utcnow()
        shown = None  # a moved sale's answer counts what the move brought, from the balances before it
        if moves:
            shown = _plan(sale_in, sale, account)[0]
            _add_moving(shown)
            shown_before = _states(shown)
            move_sale(sale, account.id, opts.actor)
        plan, existing, original = _plan(sale_in, sale, account, new_sale, redeemed)
        if plan.account is not None and (account is None or plan.account.id != account.id):
            # a refund works on its original sale's account: lock it, then plan again with what it holds now
            lock_account(plan.account.id)
            plan, existing, original = _plan(sale_in, sale, account, new_sale, redeemed)
        for name, kind in KINDS.items():
            kind.check(plan.kinds[name], reasons, opts, committing=True)
        account = plan.account
        before = _states(plan)

        sale.kind = "refund" if plan.ctx.is_refund else "sale"
        sale.account = account.id if account else None
        sale.link = link.id if link else (original.link_id if original is not None else sale.link_id)
        sale.pos_customer_id = (sale_in.get("customer") or {}).get("pos_id")
        sale.store, sale.register = sale_in["pos"].get("store"), sale_in["pos"].get("register")
        sale.return_for = sale_in["pos"].get("return_for")
        sale.original = original.id if original is not None else None
        sale.source = opts.source
        sale.committed_by = opts.actor
        sale.updated_at = now

        rows = _save_lines(sale, plan.ctx, existing)
        changes = []
        if account is not None:
            for name, kind in KINDS.items():
                changes += kind.apply(plan.kinds[name], plan.ctx, sale, rows, opts, now)
        response = {
            "account": account_dict(account, cards=True) if account else None,
            "sale": {"system": system, "sale_id": sale_id, "committed": True, "kind": sale.kind},
            **(_reports(shown, shown_before, _states(shown)) if shown else _reports(plan, before, _states(plan))),
            "uncommitted_lines": [],
            "warnings": plan.ctx.warnings,
        }
        sale.last_hash = digest
        encoded = _encode(response)
        sale.last_response = response if encoded is None else EncodedJSON(encoded)
        fastsql.save(sale, *SALE_STATE)
        record(opts.actor, "sale.refund" if sale.kind == "refund" else "sale.commit", "sale", sale.id,
               account_id=account.id if account else None, system=system, sale_id=sale_id, changes=changes,
               warnings=[w["code"] for w in plan.ctx.warnings], source=opts.source)
    return response if encoded is None else EncodedAnswer(response, encoded)


class EncodedAnswer(dict):
    """A commit's answer with ``json``, its text as the sale's row stores it for replays, which is also what
    Flask's JSON would send (compact, sorted keys, ASCII): encoded once for both (api.json_answer)."""

    def __init__(self, answer: dict, json_text: str):
        super().__init__(answer)
        self.json = json_text


def _only_decimals(value):
    if isinstance(value, Decimal):  # str() in the row's JSONField and in Flask's JSON alike
        return str(value)
    raise TypeError(type(value).__name__)


def _encode(answer: dict) -> str | None:
    """The answer's JSON text, or None when it holds a value the row and Flask would write differently (a date:
    str() against an HTTP date): that answer is encoded by each, as before."""
    try:
        return json.dumps(answer, separators=(",", ":"), sort_keys=True, default=_only_decimals)
    except (TypeError, ValueError):
        return None


def _save_lines(sale: Sale, ctx: SaleContext, existing: dict) -> dict:
    rows = dict(existing)
    seen, new = set(), []
    for line in ctx.lines:
        seen.add(line["line_id"])
        values = {k: line.get(k) for k in ("product_id", "sku", "upc", "name", "unit_price")}
        values["quantity"] = line["quantity"]
        match = ctx.refunds.get(line["line_id"])
        values["original_line"] = match.original.id if match is not None else None
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
        rows[values["line_id"]] = fastsql.instance(SaleLine, {"id": new_id, **values})
    return rows


def lock_committed_sale(system: str, sale_id: str) -> Sale | None:
    """The sale's row if it was ever committed, locked for this transaction (taken before the account's lock,
    in the same order as a commit)."""
    return fastsql.first(Sale, '"pos_system" = ? AND "pos_sale_id" = ?', (system, sale_id), for_update=is_postgres())


def settle_free_items(sale: Sale, actor: str) -> list:
    """A reward redeemed on a sale already committed: its lines, as committed, are planned again, so the line
    now given free gives back what it earned (a free item never earns). Runs in the redemption's transaction."""
    if sale.account_id is None or sale.kind != "sale":
        return []
    existing = {row.line_id: row for row in fastsql.select(SaleLine, '"sale_id" = ?', (sale.id,))}
    lines = [{"line_id": r.line_id, "product_id": r.product_id, "sku": r.sku, "upc": r.upc, "name": r.name,
              "quantity": r.quantity, "unit_price": r.unit_price} for r in existing.values()]
    ctx = SaleContext(system=sale.pos_system, sale_id=sale.pos_sale_id, lines=lines, existing=existing,
                      account=get_account(sale.account_id), sale=sale, when=sale.created_at or utcnow())
    opts, now, changes = Options(actor=actor, source="redemption"), utcnow(), []
    for kind in KINDS.values():
        kplan = kind.plan(ctx)
        kind.check(kplan, {}, opts, committing=False)
        changes += kind.apply(kplan, ctx, sale, existing, opts, now)
    if changes:
        sale.last_hash = None  # the stored answer counted the free line's earnings
        fastsql.save(sale, "last_hash")
        record(actor, "sale.free_item", "sale", sale.id, account_id=sale.account_id, system=sale.pos_system,
               sale_id=sale.pos_sale_id, changes=changes)
    return changes
