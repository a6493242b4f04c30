"""Accounts, POS-customer resolution and links."""
from flask import g, request
from flask_babel import gettext as _

from ..auth import RANK, approve_with_pin
from ..domain import accounts as dom
from ..bounds import MAX_ID
from ..domain.cards import account_cards, card_summary, iso
from ..errors import Forbidden, ValidationFailed
from ..i18n import current_language
from ..models import AuditLog, Card, Program, Punch, Redemption, Sale
from ..domain.redemptions import redemption_dict
from ..programs.points_history import points_history
from ..schemas import (POS_SYSTEMS, AccountCreateSchema, AccountUpdateSchema, LinkSchema, ResolveSchema,
                       UnlinkSchema)
from . import auth, body, bp, region


@bp.post("/customers/resolve")
@auth("cashier")
def customers_resolve():
    data = body(ResolveSchema)
    return dom.resolve_customer(data["pos"]["system"], data["customer"], region())


@bp.post("/accounts")
@auth("cashier")
def accounts_create():
    data = body(AccountCreateSchema)
    data.setdefault("language", current_language())  # enrolled at a French register: French emails
    account = dom.create_account(data, g.actor, region())
    return dom.account_dict(account, cards=True, links=True), 201


@bp.get("/accounts")
@auth("cashier")
def accounts_search():
    q = request.args.get("q", "")[:200]
    return {"accounts": [dom.account_dict(a) for a in dom.search_accounts(q, region())]}


@bp.get("/accounts/<id:account_id>")
@auth("cashier")
def accounts_get(account_id):
    account = dom.get_account(account_id)
    out = dom.account_dict(account, cards=True, links=True, detail=True)
    if request.args.get("history"):
        out["all_cards"] = account_cards(account.id, include_history=True)
    return out


@bp.patch("/accounts/<id:account_id>")
@auth("cashier")
def accounts_update(account_id):
    """Change an account's details.

    Staff and managers may change any field. A register (cashier token) may only fill in an email, a phone or an
    address the account does not have yet, and record SMS/email consent given or withdrawn at the counter; any
    other change is a 403 naming each refused field in error.fields, and nothing of the request is kept."""
    account = dom.update_account(account_id, body(AccountUpdateSchema, partial=True), g.actor, region(),
                                 register=_is_register())
    return dom.account_dict(account, cards=True, links=True)


def _page_arg(name: str, default, top: int):
    """An optional positive integer query argument (at most ``top``); a 422 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise ValidationFailed(_("invalid query argument %(name)s", name=name),
                               fields={name: [_("a whole number from 1 to %(top)s", top=top)]})
    return int(raw)


def _before(query, column, name):
    before = _page_arg(name, None, MAX_ID)
    return query if before is None else query.where(column < before)


def _next(rows, limit):
    """The cursor for the page after ``rows`` (newest first): the last id, or None when this was the last page."""
    return rows[-1].id if limit is not None and len(rows) == limit else None


@bp.get("/accounts/<id:account_id>/cards")
@auth("cashier")
def accounts_cards(account_id):
    """Every card the account ever had (redeemed, expired and void ones too), newest first, a page at a time.

    ``limit`` (1 to 200, default 50) cards per page; ``before``: the ``next_before`` of the previous page (cards
    with a smaller id). The register's answers carry only the cards to use now; this is the history."""
    account = dom.get_account(account_id)
    limit = _page_arg("limit", 50, 200)
    cards = list(_before(Card.select().where(Card.account == account.id), Card.id, "before")
                 .order_by(Card.id.desc()).limit(limit))
    programs = {p.id: p for p in Program.select().where(Program.id.in_({c.program_id for c in cards} or {0}))}
    return {"cards": [card_summary(c, programs[c.program_id]) for c in cards], "next_before": _next(cards, limit)}


@bp.get("/accounts/<id:account_id>/history")
@auth("cashier")
def accounts_history(account_id):
    """Every punch row, redemption and audit entry: the answer to "why does my card say 7?".

    Newest first, a page at a time: ``limit`` rows of each list (1 to 500; by default 500 punches, points rows
    and redemptions and 200 audit entries), and ``punches_before``, ``points_before``, ``redemptions_before``,
    ``audit_before``: the matching value of the previous page's ``next`` (null in ``next``: no more rows)."""
    account = dom.get_account(account_id)
    limit = _page_arg("limit", None, 500)
    punches = list(_before(Punch.select().where(Punch.account == account.id), Punch.id, "punches_before")
                   .order_by(Punch.id.desc()).limit(limit or 500))
    cards = {c.id: c for c in Card.select().where(Card.id.in_({p.card_id for p in punches} or {0}))}
    programs = {p.id: p for p in Program.select().where(Program.id.in_({p.program_id for p in punches} or {0}))}
    sales = {s.id: s for s in Sale.select().where(Sale.id.in_({p.sale_id for p in punches if p.sale_id} or {0}))}
    points = points_history(account.id, limit or 500, before=_page_arg("points_before", None, MAX_ID))
    redemptions = list(_before(Redemption.select().where(Redemption.account == account.id), Redemption.id,
                               "redemptions_before").order_by(Redemption.id.desc()).limit(limit or 500))
    audit = list(_before(AuditLog.select().where(AuditLog.account_id == account.id), AuditLog.id, "audit_before")
                 .order_by(AuditLog.id.desc()).limit(limit or 200))
    return {
        "punches": [{
            "id": p.id, "card_id": p.card_id, "card_seq": cards[p.card_id].seq, "program_id": p.program_id,
            "program": programs[p.program_id].name, "kind": p.kind, "quantity": p.quantity,
            "sale": {"system": sales[p.sale_id].pos_system, "sale_id": sales[p.sale_id].pos_sale_id}
            if p.sale_id in sales else None,
            "item": {"name": p.item_name, "upc": p.upc, "sku": p.sku,
                     "unit_price": None if p.unit_price is None else str(p.unit_price)},
            "reason": p.reason, "note": p.note, "needs_review": p.needs_review, "actor": p.actor,
            "at": iso(p.created_at)} for p in punches],
        "points": points,
        "redemptions": [redemption_dict(r) for r in redemptions],
        "audit": [{"at": iso(a.at), "actor": a.actor, "action": a.action, "details": a.details} for a in audit],
        "next": {"punches": _next(punches, limit or 500),
                 "points": points[-1]["id"] if len(points) == (limit or 500) else None,
                 "redemptions": _next(redemptions, limit or 500), "audit": _next(audit, limit or 200)},
    }


def _is_register() -> bool:
    return RANK[g.role] < RANK["staff"]


def _check_system(system):
    if system not in POS_SYSTEMS:
        raise ValidationFailed(_("unknown POS system %(system)r", system=system),
                               fields={"system": [_("one of %(systems)s", systems=", ".join(POS_SYSTEMS))]})


@bp.put("/links/<system>/<customer_id>")
@auth("cashier")
def links_put(system, customer_id):
    _check_system(system)
    data = body(LinkSchema)
    link = dom.link_customer(system, customer_id, data["account_id"], g.actor)
    return dom.link_dict(link)


@bp.delete("/links/<system>/<customer_id>")
@auth("cashier")
def links_delete(system, customer_id):
    """The "incorrect customer map". A manager token may do it; a register's cashier token needs a manager's
    PIN in the body."""
    _check_system(system)
    data = body(UnlinkSchema)
    actor = g.actor
    if RANK[g.role] < RANK["manager"]:
        if not data.get("manager_pin"):
            raise Forbidden(_("a manager must approve this: send a manager token or a manager PIN"),
                            code="manager_approval_required")
        manager = approve_with_pin(data["manager_pin"], g.actor)
        actor = f"{g.actor} approved by {manager.username}"
    link, moved = dom.unlink_customer(system, customer_id, actor, data["reason"], data.get("move_sales_to"))
    return {"link": dom.link_dict(link), "moved_sales": moved}
