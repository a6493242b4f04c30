"""Signed links in messages: the customer's own page (expires), unsubscribe (does not), email confirmation.

Links start with ``LOYALTY_PUBLIC_URL`` (the server as customers reach it), never with the address a request
came in on: a link in an email is read elsewhere, later."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

PAGE_MAX_AGE = 30 * 24 * 3600  # a customer page link works for 30 days; then the page offers a new one


class LinkInvalid(Exception):
    """Tampered with, or not one of ours."""


class LinkExpired(Exception):
    """Genuine but too old."""


def _timed(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _plain(salt):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def public_url(path: str) -> str:
    base = (current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    return base + path


def page_token(account_id: int) -> str:
    return _timed("customer-page").dumps({"a": account_id})


def _read(serializer, token: str, fields: dict, **kwargs) -> dict:
    """The signed data, checked to be ``{name: type}`` as we wrote it; LinkExpired or LinkInvalid otherwise."""
    try:
        data = serializer.loads(token, **kwargs)
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkInvalid() from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in fields.items()):
        raise LinkInvalid()
    return data


def read_page_token(token: str) -> int:
    return _read(_timed("customer-page"), token, {"a": int}, max_age=PAGE_MAX_AGE)["a"]


def page_url(account_id: int) -> str:
    return public_url(f"/me/{page_token(account_id)}")


def unsubscribe_token(account_id: int, email: str) -> str:
    return _plain("unsubscribe").dumps({"a": account_id, "e": email})


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    data = _read(_plain("unsubscribe"), token, {"a": int, "e": str})
    return data["a"], data["e"]


def unsubscribe_url(account_id: int, email: str) -> str:
    return public_url(f"/unsubscribe/{unsubscribe_token(account_id, email)}")


def confirm_token(account_id: int, email: str) -> str:
    return _timed("confirm-email").dumps({"a": account_id, "e": email})


def read_confirm_token(token: str) -> tuple[int, str]:
    data = _read(_timed("confirm-email"), token, {"a": int, "e": str}, max_age=PAGE_MAX_AGE)
    return data["a"], data["e"]


def confirm_url(account_id: int, email: str) -> str:
    return public_url(f"/me/confirm/{confirm_token(account_id, email)}")
