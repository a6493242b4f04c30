"""Checking a webhook's ``X-Signature: signature=<hex>,algorithm=HMAC-SHA256``.

What is signed: Lightspeed computes HMAC-SHA256, keyed with the secret, over the raw request body exactly as
sent (the url-encoded form ``...payload=%7B...%7D...``), and sends the hex digest. Some integrations (and
older Vend documentation) sign the JSON text of the ``payload`` form field instead, after url-decoding; that
variant is accepted too. Both comparisons are constant-time (``hmac.compare_digest``).
"""
from __future__ import annotations

import hashlib
import hmac


def parse_header(value: str | None) -> str | None:
    """The hex signature from the header, or None when it is missing or not HMAC-SHA256."""
    if not value:
        return None
    parts = {}
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key.strip().lower()] = val.strip()
    if not parts:
        return value.strip().lower() or None  # a bare hex digest
    if parts.get("algorithm", "HMAC-SHA256").upper() != "HMAC-SHA256":
        return None
    return (parts.get("signature") or "").lower() or None


def sign(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def is_valid(header: str | None, secret: str, raw_body: bytes, payload_text: str | None) -> bool:
    given = parse_header(header)
    if not given or not secret:
        return False
    ok = hmac.compare_digest(sign(secret, raw_body), given)
    if payload_text is not None:
        # Evaluate both, so the time taken does not tell which variant matched.
        ok = hmac.compare_digest(sign(secret, payload_text.encode()), given) | ok
    return ok
