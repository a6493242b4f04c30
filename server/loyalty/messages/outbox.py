"""Queueing messages with their event, and the worker's handlers that send them.

The rules, checked when a message is queued and again when it is sent (consent may be withdrawn in between):
- marketing email (welcome, reward available) needs email consent; SMS needs SMS consent;
- transactional email (the member card, a sign-in link) needs only an address;
- nothing goes to an address that bounced, or to an address the account no longer has.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app

from .. import events
from ..audit import record
from ..background import Skipped, TemporaryFailure, enqueue, register_handler
from ..db import write_transaction
from ..models import Account, utcnow
from . import compose, sms, smtp
from .models import EmailBounce

EMAIL, SMS = "email", "sms"


def bounced(address: str | None) -> bool:
    return bool(address) and EmailBounce.select().where(EmailBounce.address == address.lower()).exists()


def queue_email(account: Account, template: str, *, params: dict | None = None,
                dedupe_key: str | None = None):
    """Queue an email to the account's address in the caller's transaction; returns the row or None when the
    rules say it must not be sent."""
    if not account.email or bounced(account.email):
        return None
    marketing = compose.is_marketing(template)
    if marketing and not account.email_consent:
        return None
    return enqueue(EMAIL, {"template": template, "to": account.email, "marketing": marketing,
                           "subject": compose.subject(template, account), "params": params or {}},
                   account_id=account.id, dedupe_key=dedupe_key)


def queue_sms(account: Account, template: str, *, params: dict | None = None, dedupe_key: str | None = None):
    if not account.phone or not account.sms_consent:
        return None
    body = compose.sms_body(template, account, params or {}, with_link=False)
    return enqueue(SMS, {"template": template, "to": account.phone, "body": body, "params": params or {}},
                   account_id=account.id, dedupe_key=dedupe_key)


def _account(item) -> Account:
    account = Account.get_or_none(Account.id == item.account_id) if item.account_id else None
    if account is None:
        raise Skipped("the account no longer exists")
    return account


def send_email(item):
    payload = item.payload
    account = _account(item)
    to = payload["to"]
    if (account.email or "").lower() != to.lower():
        raise Skipped("the account's email changed before this was sent")
    if payload.get("marketing") and not account.email_consent:
        raise Skipped("email consent was withdrawn before this was sent")
    if bounced(to):
        raise Skipped("this address bounced earlier")
    url = current_app.config.get("SMTP_URL")
    if not url:
        raise TemporaryFailure("LOYALTY_SMTP_URL is not set: the email waits until it is")
    message = compose.build_email(item.id, payload["template"], to, account, payload.get("params") or {})
    try:
        smtp.send(smtp.SmtpSettings.from_url(url), message)
    except smtp.Bounced as exc:
        with write_transaction():
            EmailBounce.insert(address=to.lower(), reason=str(exc)[:500]).on_conflict_ignore().execute()
            record("worker", "email.bounce", "account", account.id, account_id=account.id, address=to,
                   reason=str(exc)[:500])
        raise


def send_sms(item):
    payload = item.payload
    account = _account(item)
    if account.phone != payload["to"]:
        raise Skipped("the account's phone changed before this was sent")
    if not account.sms_consent:
        raise Skipped("SMS consent was withdrawn before this was sent")
    settings = sms.SmsSettings.from_config(current_app.config)
    if settings is None:
        raise TemporaryFailure("LOYALTY_SMS_* is not set: the SMS waits until it is")
    try:
        body = compose.sms_body(payload["template"], account, payload.get("params") or {})
        sms.send(settings, payload["to"], body)
    except sms.RecipientOptedOut:
        # The carrier knows they replied STOP (maybe to another of our numbers): record it as we would a STOP.
        end_sms_consent(payload["to"], "carrier: recipient opted out")
        raise


def end_sms_consent(phone: str, source: str) -> list[int]:
    """An inbound STOP (or the provider's opt-out error): every account with this phone loses SMS consent."""
    now = utcnow()
    changed = []
    with write_transaction():
        for account in Account.select().where((Account.phone == phone) & (Account.sms_consent == True)):  # noqa: E712
            Account.update(sms_consent=False, sms_consent_at=now, sms_consent_source=source, updated_at=now).where(
                Account.id == account.id).execute()
            record("sms", "account.update", "account", account.id, account_id=account.id,
                   changed={"sms_consent": [True, False], "sms_consent_source": [None, source]})
            changed.append(account.id)
    return changed


# --- events ----------------------------------------------------------------------------------------------------

def _on_account_created(account: Account, actor: str, **_):
    queue_email(account, "welcome")
    queue_sms(account, "welcome")


def _on_card_completed(card, account_id: int, program, **_):
    if not current_app.config.get("REWARD_MESSAGES", True):
        return
    account = Account.get_or_none(Account.id == account_id)
    if account is None or account.is_test:
        return
    params = {"program": program.name}
    queue_email(account, "reward", params=params, dedupe_key=f"reward:card:{card.id}:email")
    queue_sms(account, "reward", params=params, dedupe_key=f"reward:card:{card.id}:sms")


def _on_member_card_assigned(card, account: Account, actor: str, **_):
    queue_email(account, "card", params={"code": card.code})


def install():
    register_handler(EMAIL, send_email, max_attempts=10)
    register_handler(SMS, send_sms, max_attempts=10)
    events.on("account.created", _on_account_created)
    events.on("card.completed", _on_card_completed)
    events.on("member_card.assigned", _on_member_card_assigned)


def account_messages(account_id: int, limit: int = 50):
    from ..background import OutboxItem

    return list(OutboxItem.select().where((OutboxItem.account_id == account_id) & OutboxItem.kind.in_((EMAIL, SMS)))
                .order_by(OutboxItem.id.desc()).limit(limit))


def failed_messages(days: int = 30, limit: int = 200):
    from ..background import FAILED, OutboxItem

    since = utcnow() - dt.timedelta(days=days)
    return list(OutboxItem.select().where((OutboxItem.state == FAILED) & OutboxItem.kind.in_((EMAIL, SMS))
                                          & (OutboxItem.created_at >= since))
                .order_by(OutboxItem.id.desc()).limit(limit))
