"""Sending one SMS through a provider with Twilio's Messages API shape: ``POST {base}/2010-04-01/Accounts/{sid}/
Messages.json`` with form fields ``To``, ``From``, ``Body`` and HTTP basic auth (sid, token); the answer is JSON with
``sid`` and ``status``, errors JSON with ``code`` and ``message``.

Settings: ``LOYALTY_SMS_ACCOUNT_SID``, ``LOYALTY_SMS_AUTH_TOKEN``, ``LOYALTY_SMS_FROM`` and
``LOYALTY_SMS_BASE_URL`` (default ``https://api.twilio.com``; a compatible provider or the tests' stand-in)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import requests

from ..background import PermanentFailure, TemporaryFailure

TIMEOUT = 15
# Twilio's error for a recipient who replied STOP: they can never be texted until they reply START.
UNSUBSCRIBED_RECIPIENT = 21610


class RecipientOptedOut(PermanentFailure):
    pass


@dataclass
class SmsSettings:
    base_url: str
    account_sid: str
    auth_token: str
    sender: str

    @classmethod
    def from_config(cls, config) -> "SmsSettings | None":
        if not (config.get("SMS_ACCOUNT_SID") and config.get("SMS_AUTH_TOKEN") and config.get("SMS_FROM")):
            return None
        return cls(config.get("SMS_BASE_URL") or "https://api.twilio.com", config["SMS_ACCOUNT_SID"],
                   config["SMS_AUTH_TOKEN"], config["SMS_FROM"])


def send(settings: SmsSettings, to: str, body: str) -> dict:
    url = f"{settings.base_url.rstrip('/')}/2010-04-01/Accounts/{settings.account_sid}/Messages.json"
    try:
        r = requests.post(url, data={"To": to, "From": settings.sender, "Body": body},
                          auth=(settings.account_sid, settings.auth_token), timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"SMS provider unreachable: {type(exc).__name__}") from None
    try:
        answer = r.json()
    except ValueError:
        answer = {}
    if r.status_code in (200, 201):
        return answer
    detail = f"{r.status_code} {answer.get('code', '')} {answer.get('message', '')}".strip()
    if r.status_code == 429 or r.status_code >= 500:
        raise TemporaryFailure(f"SMS provider busy: {detail}")
    if r.status_code in (401, 403):
        raise TemporaryFailure(f"SMS provider refused the credentials (check LOYALTY_SMS_*): {r.status_code}")
    if answer.get("code") == UNSUBSCRIBED_RECIPIENT:
        raise RecipientOptedOut(f"recipient opted out: {detail}")
    raise PermanentFailure(f"SMS refused: {detail}")


def signature(auth_token: str, url: str, params: dict) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL followed by each POST field name and value, sorted by
    name, keyed with the auth token, in base64 (the ``X-Twilio-Signature`` header of an inbound message)."""
    data = url + "".join(k + v for k, v in sorted(params.items()))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
