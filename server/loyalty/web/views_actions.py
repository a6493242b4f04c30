"""Manager corrections on an account: unlink a wrong customer map, merge, split a card, exception punch,
adjust punches. Each goes through a confirmation page; the domain function writes the ledger and audit rows."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from ..domain.accounts import get_account, live_link, unlink_customer
from ..domain.adjustments import adjust_punches, exception_punch, parse_quantity, parse_reason, split_card
from ..domain.merges import merge_accounts
from ..errors import NotFound, ValidationFailed
from ..models import Card, Program, Sale
from . import MAX_ID, bp, confirm_or_run, found
from .security import needs


def form_int(name: str, label: str, required: bool = True) -> int | None:
    raw = request.form.get(name, "").strip().lstrip("#")
    if not raw and not required:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(_("%(what)s must be a number", what=label), fields={name: [_("a whole number")]}
                               ) from None
    if not 1 <= value <= MAX_ID:
        raise NotFound(_("%(what)s %(value)s does not exist", what=label, value=value), fields={name: [_("unknown")]})
    return value


def _back(account_id: int, message: str):
    flash(message)
    return redirect(url_for("web.account", account_id=account_id))


@bp.post("/accounts/<id:account_id>/unlink")
@needs("manager")
def unlink(account_id):
    account = get_account(account_id)
    system, customer_id = request.form.get("system", ""), request.form.get("customer_id", "")
    reason = request.form.get("reason", "").strip()[:500]
    if not reason:
        raise ValidationFailed(_("say why this map is wrong"), fields={"reason": [_("required")]})
    link = live_link(system, customer_id)
    if link is None or link.account_id != account.id:
        raise NotFound(_("this POS customer is not linked to this account"))
    move_to = form_int("move_sales_to", _l("The account to move the sales to"), required=False)
    target = get_account(move_to) if move_to is not None else None
    sales = Sale.select().where(Sale.link == link.id).count()

    def run():
        _link, moved = unlink_customer(system, customer_id, g.actor, reason, target.id if target else None)
        if target:
            return _back(account.id, ngettext("POS customer %(customer)s unlinked; %(num)d sale moved to %(name)s.",
                                              "POS customer %(customer)s unlinked; %(num)d sales moved to %(name)s.",
                                              len(moved), customer=customer_id, name=target.full_name))
        return _back(account.id, _("POS customer %(customer)s unlinked.", customer=customer_id))

    summary = [_("Unlink POS customer %(customer)s (%(system)s) from %(name)s (account %(id)s).",
                 customer=customer_id, system=system, name=account.full_name, id=account.id),
               _("Reason: %(reason)s", reason=reason)]
    summary.append(ngettext("Its %(num)d sale, with its punches, moves to %(name)s (account %(id)s).",
                            "Its %(num)d sales, with their punches, move to %(name)s (account %(id)s).", sales,
                            name=target.full_name, id=target.id)
                   if target else ngettext("Its %(num)d sale stays on this account.",
                                           "Its %(num)d sales stay on this account.", sales))
    return confirm_or_run(_("Unlink this customer map?"), summary, run, button=_("Unlink"))


@bp.post("/accounts/<id:account_id>/merge")
@needs("manager")
def merge(account_id):
    this = get_account(account_id)
    other = get_account(form_int("other_account_id", _l("The other account")))
    if other.id == this.id:
        raise ValidationFailed(_("these are the same account"), fields={"other_account_id": [_("same account")]})
    primary, absorbed = (other, this) if request.form.get("primary") == "other" else (this, other)

    def run():
        merge_accounts(primary.id, absorbed.id, g.actor)
        flash(_("%(name)s (account %(id)s) merged into this account.", name=absorbed.full_name, id=absorbed.id))
        return redirect(url_for("web.account", account_id=primary.id))

    def described(a):
        return {"name": a.full_name, "id": a.id, "email": a.email or _("no email"), "phone": a.phone or _("no phone")}

    summary = [_("Keep %(name)s (account %(id)s, %(email)s, %(phone)s) as the primary account.", **described(primary)),
               _("Merge %(name)s (account %(id)s, %(email)s, %(phone)s) into it: its POS links, sales, cards, "
                 "redemptions and history move; cards of the same program combine.", **described(absorbed)),
               _("This cannot be undone from the app.")]
    return confirm_or_run(_("Merge these accounts?"), summary, run, button=_("Merge"))


@bp.post("/cards/<id:card_id>/split")
@needs("manager")
def split(card_id):
    card = found(Card, card_id, "card")
    source = get_account(card.account_id)
    target = get_account(form_int("target_account_id", _l("The account to move punches to")))
    quantity, reason = parse_quantity(request.form.get("quantity")), parse_reason(request.form.get("reason"))
    program = found(Program, card.program_id, "program")

    def run():
        split_card(card.id, target.id, quantity, g.actor, reason=reason)
        return _back(source.id, ngettext("%(num)d punch moved to %(name)s.", "%(num)d punches moved to %(name)s.",
                                         quantity, name=target.full_name))

    summary = [ngettext("Move %(num)d punch of %(program)s from %(source)s (account %(source_id)s) to %(target)s "
                        "(account %(target_id)s).",
                        "Move %(num)d punches of %(program)s from %(source)s (account %(source_id)s) to %(target)s "
                        "(account %(target_id)s).", quantity, program=program.name, source=source.full_name,
                        source_id=source.id, target=target.full_name, target_id=target.id),
               _("Reason: %(reason)s", reason=reason)]
    return confirm_or_run(_("Split this card?"), summary, run, button=_("Move punches"))


@bp.post("/accounts/<id:account_id>/exception")
@needs("manager")
def exception(account_id):
    account = get_account(account_id)
    program = found(Program, form_int("program_id", _l("The program")), "program")
    f = {k: request.form.get(k, "") for k in ("item_name", "upc", "sku", "unit_price", "quantity", "reason", "note")}
    f["quantity"], f["reason"] = parse_quantity(f["quantity"] or 1), parse_reason(f["reason"])

    def run():
        exception_punch(account.id, program.id, g.actor, reason=f["reason"], quantity=f["quantity"],
                        item_name=f["item_name"], upc=f["upc"], sku=f["sku"], unit_price=f["unit_price"],
                        note=f["note"])
        return _back(account.id, _("Exception punch added to %(program)s.", program=program.name))

    item = " ".join(x for x in (f["item_name"], f["upc"] and _("UPC %(code)s", code=f["upc"]),
                                f["sku"] and _("SKU %(code)s", code=f["sku"])) if x)
    summary = [_("Punch %(quantity)s × %(item)s onto the %(program)s card of %(name)s, although it does not qualify.",
                 quantity=f["quantity"], item=item or _("(no item named)"), program=program.name,
                 name=account.full_name),
               _("Reason: %(reason)s", reason=f["reason"])]
    return confirm_or_run(_("Add an exception punch?"), summary, run, button=_("Add exception punch"))


@bp.post("/accounts/<id:account_id>/adjust")
@needs("manager")
def adjust(account_id):
    account = get_account(account_id)
    program = found(Program, form_int("program_id", _l("The program")), "program")
    quantity = parse_quantity(request.form.get("quantity"), allow_negative=True)
    reason, note = parse_reason(request.form.get("reason")), request.form.get("note", "")

    def run():
        adjust_punches(account.id, program.id, quantity, g.actor, reason=reason, note=note)
        return _back(account.id, _("%(program)s: punches adjusted by %(change)s.", program=program.name,
                                   change=f"{quantity:+d}"))

    summary = [_("Adjust the %(program)s punches of %(name)s by %(change)s.", program=program.name,
                 name=account.full_name, change=f"{quantity:+d}"),
               _("Reason: %(reason)s", reason=reason)]
    return confirm_or_run(_("Adjust punches?"), summary, run, button=_("Adjust"))
