"""Checking a webhook's ``X-Signature: signature=<hex>,algorithm=HMAC-SHA256``.

What is signed: Lightspeed computes HMAC-SHA256, keyed with the secret, over the raw request body exactly as
sent (the url-encoded form ``...payload=%7B...%7D...``), and sends the hex digest. Some integrations (and
older Vend documentation) sign the JSON text of the ``payload`` form field instead, after url-decoding; that
variant is accepted too, but then the form's ``type`` field is not signed, so the event type is read from the
payload itself (webhooks.py). Both comparisons are constant-time (``hmac.compare_digest``).
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


def signed_part(header: str | None, secret: str, raw_body: bytes, payload_text: str | None) -> str | None:
    """What the valid signature covers: "body" (the whole form, ``type`` included), "payload" (only the payload
    field's JSON, so the form's ``type`` is not covered), or None when the signature is missing or wrong."""
    given = parse_header(header)
    if not given or not secret:
        return None
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters (a TypeError, once a 500), and the
    # header is whatever the sender put there.
    given_bytes = given.encode("utf-8", "surrogateescape")
    body_ok = hmac.compare_digest(sign(secret, raw_body).encode(), given_bytes)
    payload_ok = False
    if payload_text is not None:
        # Evaluate both, so the time taken does not tell which variant matched.
        payload_ok = hmac.compare_digest(sign(secret, payload_text.encode()).encode(), given_bytes)
    return "body" if body_ok else "payload" if payload_ok else None
