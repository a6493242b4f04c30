"""Picking the other account of a manager action (merge, the unlink's "move sales to", a card split) from the same
customer search as the search page, instead of typing an account number; and creating an account.

No JavaScript: the account page's form GETs the picker with what was typed so far; each result is a small POST
form carrying those fields and the chosen account's id to the action, which then shows its confirmation page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from ..domain.accounts import create_account, get_account, search_accounts
from ..errors import NotFound
from ..models import Account, Card
from ..schemas import AccountCreateSchema
from . import bp, found
from .security import needs
from .views_accounts import account_form_data


@dataclass(frozen=True)
class Purpose:
    title: str  # "%(name)s" is the account the action starts from
    target_field: str  # the action's form field that takes the chosen account's id
    carried: tuple  # the action's other fields, carried from the account page through the search
    button: str


PURPOSES = {
    "merge": Purpose(_l("Merge %(name)s with another account"), "other_account_id", ("primary",),
                     _l("Merge with this one…")),
    "unlink": Purpose(_l("Move the sales of POS customer %(customer_id)s to another account"), "move_sales_to",
                      ("system", "customer_id", "reason"), _l("Move the sales here…")),
    "split": Purpose(_l("Move punches of %(name)s's card to another account"), "target_account_id",
                     ("card_id", "quantity", "reason"), _l("Move punches here…")),
}


def _action_url(purpose: str, account: Account, carried: dict) -> str:
    if purpose == "split":
        card = found(Card, _int(carried.get("card_id")), "card")
        if card.account_id != account.id:
            raise NotFound(_("this card is not on this account"))
        return url_for("web.split", card_id=card.id)
    return url_for("web." + purpose, account_id=account.id)


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound(_("no such card")) from None


@bp.get("/accounts/<id:account_id>/pick/<purpose>")
@needs("manager")
def pick_account(account_id, purpose):
    if purpose not in PURPOSES:
        raise NotFound(_("nothing to pick an account for: %(purpose)s", purpose=purpose))
    spec = PURPOSES[purpose]
    account = get_account(account_id)
    carried = {k: request.args.get(k, "")[:500] for k in spec.carried}
    q = request.args.get("q", "")[:200]
    results = [a for a in search_accounts(q, current_app.config["PHONE_REGION"]) if a.id != account.id] \
        if q.strip() else []
    return render_template("pick_account.html", account=account, purpose=purpose, spec=spec, carried=carried,
                           q=q, results=results, action=_action_url(purpose, account, carried),
                           title=str(spec.title) % {"name": account.full_name,
                                                            "customer_id": carried.get("customer_id")})


@bp.get("/accounts/new")
@needs("manager")
def account_new():
    blank = Account(first_name=request.args.get("first_name", "")[:100], last_name="", notes="")
    return render_template("account_edit.html", account=blank, creating=True, errors={})


@bp.post("/accounts/new")
@needs("manager")
def account_create():
    data = account_form_data(request.form, AccountCreateSchema)
    account = create_account(data, g.actor, current_app.config["PHONE_REGION"])
    flash(_("Account created for %(name)s.", name=account.full_name))
    return redirect(url_for("web.account", account_id=account.id))
