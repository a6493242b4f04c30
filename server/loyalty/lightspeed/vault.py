"""Secrets at rest: the API token and the webhook secret are encrypted with Fernet (AES-128-CBC + HMAC-SHA256),
keyed from the app's SECRET_KEY. A database dump alone does not reveal them; losing the SECRET_KEY means
running ``loyalty pos connect`` again."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import gettext as _

from ..errors import LoyaltyError

# A fixed context string, so the Fernet key differs from any other use of SECRET_KEY (sessions, etc.).
_CONTEXT = b"loyalty-bridge/lightspeed-secrets/v1"


def _fernet(secret_key: str | None = None) -> Fernet:
    key = (secret_key or current_app.config["SECRET_KEY"]).encode()
    digest = hashlib.sha256(_CONTEXT + b"\0" + key).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str, secret_key: str | None = None) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode()


def decrypt(value: str, secret_key: str | None = None) -> str:
    try:
        return _fernet(secret_key).decrypt(value.encode()).decode()
    except InvalidToken:
        # Never echo the ciphertext: say what to do instead.
        raise LoyaltyError(_("the stored Lightspeed secrets cannot be decrypted (the server's SECRET_KEY changed?): "
                             "run 'loyalty pos connect' again"), code="secret_unreadable", status=500) from None
