"""Public routes of the messages feature: one-click unsubscribe and the SMS provider's inbound webhook (STOP).
The staff app's pages are in web.py."""
from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from ..domain.accounts import update_account
from ..i18n import in_language
from ..domain.contacts import ContactError, normalize_phone
from ..models import Account
from ..web import SECURITY_HEADERS
from . import links, outbox, sms

bp = Blueprint("messages", __name__, template_folder="templates")

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRÊT"}
# The staff app's headers (no script, no framing, no cache), and no Referer: on these pages the link is the key.
PUBLIC_HEADERS = {**SECURITY_HEADERS, "Referrer-Policy": "no-referrer"}


def public_headers(response):
    for name, value in PUBLIC_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


bp.after_request(public_headers)


def _unsubscribe_target(token):
    try:
        account_id, email = links.read_unsubscribe_token(token)
    except links.LinkInvalid:
        return None, None
    return Account.get_or_none(Account.id == account_id), email


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token):
    account, email = _unsubscribe_target(token)
    if account is None:
        return render_template("messages/unsubscribe.html", state="invalid"), 404
    # GET only asks (mail scanners follow links); the button, or the mail app's one-click POST, unsubscribes.
    with in_language(account.language):
        return render_template("messages/unsubscribe.html", state="ask", email=email, token=token)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token):
    account, email = _unsubscribe_target(token)
    if account is None:
        return render_template("messages/unsubscribe.html", state="invalid"), 404
    if account.email_consent and (account.email or "").lower() == email.lower():
        update_account(account.id, {"email_consent": False, "consent_source": "unsubscribe link"},
                       "customer", current_app.config["PHONE_REGION"])
    with in_language(account.language):
        return render_template("messages/unsubscribe.html", state="done", email=email)


@bp.post("/webhooks/sms")
def sms_inbound():
    """An inbound SMS from the provider (Twilio's webhook shape: form fields From, To, Body; signed with
    X-Twilio-Signature over LOYALTY_PUBLIC_URL + this path). STOP and its synonyms end SMS consent."""
    token = current_app.config.get("SMS_AUTH_TOKEN")
    if not token:
        abort(404)
    params = request.form.to_dict()
    expected = sms.signature(token, links.public_url(request.path), params)
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
        abort(403, description=_("bad signature"))
    word = (params.get("Body") or "").strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        try:
            phone = normalize_phone(params.get("From", ""), current_app.config["PHONE_REGION"])
        except ContactError:
            phone = None
        if phone:
            outbox.end_sms_consent(phone, "SMS reply STOP")
    # An empty TwiML answer: the provider sends its own opt-out confirmation.
    return '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', 200, {"Content-Type": "text/xml"}
