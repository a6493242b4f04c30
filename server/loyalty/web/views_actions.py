"""Manager corrections on an account: unlink a wrong customer map, merge, split a card, exception punch,
adjust punches. Each goes through a confirmation page; the domain function writes the ledger and audit rows."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for

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
        raise ValidationFailed(f"{label} must be a number", fields={name: ["a whole number"]}) from None
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"{label} {value} does not exist", fields={name: ["unknown"]})
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
        raise ValidationFailed("say why this map is wrong", fields={"reason": ["required"]})
    link = live_link(system, customer_id)
    if link is None or link.account_id != account.id:
        raise NotFound("this POS customer is not linked to this account")
    move_to = form_int("move_sales_to", "The account to move the sales to", required=False)
    target = get_account(move_to) if move_to is not None else None
    sales = Sale.select().where(Sale.link == link.id).count()

    def run():
        _, moved = unlink_customer(system, customer_id, g.actor, reason, target.id if target else None)
        return _back(account.id, f"POS customer {customer_id} unlinked" +
                     (f"; {len(moved)} sale(s) moved to {target.full_name}." if target else "."))

    summary = [f"Unlink POS customer {customer_id} ({system}) from {account.full_name} (account {account.id}).",
               f"Reason: {reason}"]
    summary.append(f"Its {sales} sale(s), with their punches, move to {target.full_name} (account {target.id})."
                   if target else f"Its {sales} sale(s) stay on this account.")
    return confirm_or_run("Unlink this customer map?", summary, run, button="Unlink")


@bp.post("/accounts/<id:account_id>/merge")
@needs("manager")
def merge(account_id):
    this = get_account(account_id)
    other = get_account(form_int("other_account_id", "The other account"))
    if other.id == this.id:
        raise ValidationFailed("these are the same account", fields={"other_account_id": ["same account"]})
    primary, absorbed = (other, this) if request.form.get("primary") == "other" else (this, other)

    def run():
        merge_accounts(primary.id, absorbed.id, g.actor)
        flash(f"{absorbed.full_name} (account {absorbed.id}) merged into this account.")
        return redirect(url_for("web.account", account_id=primary.id))

    summary = [f"Keep {primary.full_name} (account {primary.id}, {primary.email or 'no email'}, "
               f"{primary.phone or 'no phone'}) as the primary account.",
               f"Merge {absorbed.full_name} (account {absorbed.id}, {absorbed.email or 'no email'}, "
               f"{absorbed.phone or 'no phone'}) into it: its POS links, sales, cards, redemptions and history move; "
               "cards of the same program combine.",
               "This cannot be undone from the app."]
    return confirm_or_run("Merge these accounts?", summary, run, button="Merge")


@bp.post("/cards/<id:card_id>/split")
@needs("manager")
def split(card_id):
    card = found(Card, card_id, "card")
    source = get_account(card.account_id)
    target = get_account(form_int("target_account_id", "The account to move punches to"))
    quantity, reason = parse_quantity(request.form.get("quantity")), parse_reason(request.form.get("reason"))
    program = found(Program, card.program_id, "program")

    def run():
        split_card(card.id, target.id, quantity, g.actor, reason=reason)
        return _back(source.id, f"{quantity} punch(es) moved to {target.full_name}.")

    summary = [f"Move {quantity} punch(es) of {program.name} from {source.full_name} (account {source.id}) "
               f"to {target.full_name} (account {target.id}).", f"Reason: {reason}"]
    return confirm_or_run("Split this card?", summary, run, button="Move punches")


@bp.post("/accounts/<id:account_id>/exception")
@needs("manager")
def exception(account_id):
    account = get_account(account_id)
    program = found(Program, form_int("program_id", "The program"), "program")
    f = {k: request.form.get(k, "") for k in ("item_name", "upc", "sku", "unit_price", "quantity", "reason", "note")}
    f["quantity"], f["reason"] = parse_quantity(f["quantity"] or 1), parse_reason(f["reason"])

    def run():
        exception_punch(account.id, program.id, g.actor, reason=f["reason"], quantity=f["quantity"],
                        item_name=f["item_name"], upc=f["upc"], sku=f["sku"], unit_price=f["unit_price"],
                        note=f["note"])
        return _back(account.id, f"Exception punch added to {program.name}.")

    item = " ".join(x for x in (f["item_name"], f["upc"] and f"UPC {f['upc']}", f["sku"] and f"SKU {f['sku']}") if x)
    summary = [f"Punch {f['quantity']} × {item or '(no item named)'} onto {account.full_name}'s "
               f"{program.name} card, although it does not qualify.", f"Reason: {f['reason']}"]
    return confirm_or_run("Add an exception punch?", summary, run, button="Add exception punch")


@bp.post("/accounts/<id:account_id>/adjust")
@needs("manager")
def adjust(account_id):
    account = get_account(account_id)
    program = found(Program, form_int("program_id", "The program"), "program")
    quantity = parse_quantity(request.form.get("quantity"), allow_negative=True)
    reason, note = parse_reason(request.form.get("reason")), request.form.get("note", "")

    def run():
        adjust_punches(account.id, program.id, quantity, g.actor, reason=reason, note=note)
        return _back(account.id, f"{program.name}: punches adjusted by {quantity:+d}.")

    summary = [f"Adjust {account.full_name}'s {program.name} punches by {quantity:+d}.", f"Reason: {reason}"]
    return confirm_or_run("Adjust punches?", summary, run, button="Adjust")
