"""Routes of the customer page (public: the signed link is the key)."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..programs import KINDS
from ..audit import record
from ..db import write_transaction
from ..domain.accounts import get_account, update_account
from ..domain.cards import account_cards
from ..domain.contacts import ContactError, normalize_email
from ..errors import NotFound
from ..i18n import in_language
from ..member_cards.domain import active_cards
from ..member_cards.codes import grouped
from ..member_cards.render import qr_svg
from ..messages import links
from ..messages.models import EmailConfirmation
from ..messages.outbox import queue_email
from ..messages.views import public_headers
from ..models import Account, Program, Punch, Redemption

bp = Blueprint("customer", __name__, template_folder="templates", static_folder="static",
               static_url_path="/me-static")
SIGNIN_WINDOW = 600  # one sign-in email per account per 10 minutes, however often the form is sent


bp.after_request(public_headers)


def _bad_link(state: str):
    status = 410 if state == "expired" else 404
    return render_template("customer/ask_link.html", state=state), status


@bp.get("/me")
def ask_link():
    return render_template("customer/ask_link.html", state="ask")


@bp.post("/me")
def send_link():
    """The same answer whether or not an account has this email: the page must not tell who is a customer."""
    try:
        email = normalize_email(request.form.get("email", "")[:254])
    except ContactError:
        email = None
    if email:
        window = int(time.time()) // SIGNIN_WINDOW
        with write_transaction():
            for account in Account.select().where((Account.email == email) & Account.merged_into.is_null()):
                queue_email(account, "signin", dedupe_key=f"signin:{account.id}:{window}")
    return render_template("customer/ask_link.html", state="sent")


def _account_from(token):
    try:
        account_id = links.read_page_token(token)
    except links.LinkExpired:
        return None, "expired"
    except links.LinkInvalid:
        return None, "invalid"
    try:
        return get_account(account_id), None
    except NotFound:
        return None, "invalid"


def recent_activity(account_id: int, limit: int = 10) -> list[dict]:
    """Punches and rewards, newest first; the punches of one sale line count once even when they filled one card
    and started the next (two ledger rows)."""
    programs = {p.id: p.name for p in Program.select(Program.id, Program.name)}
    grouped_rows: dict[tuple, dict] = {}
    for p in Punch.select().where(Punch.account == account_id).order_by(Punch.id.desc()).limit(limit * 4):
        key = (p.line_id or f"row{p.id}", p.program_id, p.kind)
        row = grouped_rows.setdefault(key, {"at": p.created_at, "what": p.kind, "quantity": 0,
                                            "program": programs.get(p.program_id, ""), "item": p.item_name})
        row["quantity"] += p.quantity
    rows = list(grouped_rows.values())
    rows += [{"at": r.created_at, "what": "reward", "quantity": None, "program": programs.get(r.program_id, ""),
              "item": r.item_name} for r in Redemption.select().where(
                  (Redemption.account == account_id) & Redemption.reversed_at.is_null())
             .order_by(Redemption.id.desc()).limit(limit)]
    return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]


@bp.get("/me/<token>")
def page(token):
    account, problem = _account_from(token)
    if account is None:
        return _bad_link(problem)
    cards = account_cards(account.id)
    member = active_cards(account.id)
    points = [p for p in KINDS["points"].account_summary(account.id, True) if p["balance"] or p["status"] == "active"] \
        if "points" in KINDS else []
    with in_language(account.language):
        return render_template(
            "customer/page.html", account=account, token=token, cards=[c for c in cards if c["status"] == "open"],
            rewards=[c for c in cards if c["status"] == "complete"], points=points,
            member=[{"code": c.code, "display": grouped(c.code), "qr": qr_svg(c.code, scale=8)} for c in member],
            activity=recent_activity(account.id), saved=request.args.get("saved"))


@bp.post("/me/<token>/consent")
def consent(token):
    account, problem = _account_from(token)
    if account is None:
        return _bad_link(problem)
    wanted = {"email_consent": request.form.get("email_consent") == "on",
              "sms_consent": request.form.get("sms_consent") == "on"}
    changes = {k: v for k, v in wanted.items() if getattr(account, k) != v}
    if changes:
        # update_account writes the audit row, and when and where consent was given or withdrawn
        update_account(account.id, {**changes, "consent_source": "customer page"}, "customer",
                       current_app.config["PHONE_REGION"])
    return redirect(url_for("customer.page", token=token, saved=1) + "#consent", 303)


@bp.get("/me/confirm/<token>")
def confirm_email(token):
    try:
        account_id, email = links.read_confirm_token(token)
    except links.LinkExpired:
        return _bad_link("expired")
    except links.LinkInvalid:
        return _bad_link("invalid")
    account = Account.get_or_none(Account.id == account_id)
    if account is None or (account.email or "").lower() != email.lower():
        return _bad_link("invalid")
    with write_transaction():
        if not EmailConfirmation.select().where((EmailConfirmation.account_id == account.id)
                                                & (EmailConfirmation.address == email)).exists():
            EmailConfirmation.create(account_id=account.id, address=email)
            record("customer", "email.confirm", "account", account.id, account_id=account.id, address=email)
    with in_language(account.language):
        return render_template("customer/confirmed.html", email=email,
                               page_url=url_for("customer.page", token=links.page_token(account.id)))
