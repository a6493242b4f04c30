"""``POST /webhooks/lightspeed/<prefix>``: X-Series webhooks (sale.update, product.update, customer.update).

Lightspeed posts ``application/x-www-form-urlencoded`` with the JSON object in the form field ``payload`` (and
the event in ``type``), signed in ``X-Signature`` (see signature.py for exactly which bytes). An unsigned or
badly signed request is a 401 before anything is read. The work is done in the request because it is a few
local queries (well inside Lightspeed's 5 s); a delivery Lightspeed retries (up to 20 times) is recognized by
a digest of its type and payload and answered from the first result, without doing anything twice.
"""
from __future__ import annotations

import hashlib
import logging
from urllib.parse import parse_qs

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _, lazy_gettext as _l

from .. import bounds
from ..audit import record
from ..db import write_transaction
from ..errors import LoyaltyError, NotFound, Unauthorized
from ..models import utcnow
from . import signature
from .catalog import upsert_products
from .connections import webhook_secret
from .customers import upsert_customers
from .models import SYSTEM, PosConnection, WebhookReceipt
from .sale_events import handle_sale

log = logging.getLogger("loyalty.lightspeed")

bp = Blueprint("lightspeed_webhooks", __name__, url_prefix="/webhooks/lightspeed")


def _form(raw: bytes) -> dict:
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise LoyaltyError(_("the body is not UTF-8"), code="bad_request") from None
    form = {key: values[0] for key, values in parsed.items()}
    if any(bounds.has_nul(key) or bounds.has_nul(value) for key, value in form.items()):
        raise bounds.InputRefused(_("the form holds a NUL character"))
    return form


def _infer_type(payload: dict) -> str | None:
    if "register_sale_products" in payload or "line_items" in payload:
        return "sale.update"
    if "customer_code" in payload:
        return "customer.update"
    if "sku" in payload or "product_codes" in payload:
        return "product.update"
    return None


OBJECT_NAMES = {"product": _l("product"), "customer": _l("customer")}


def _saved(kind):
    def handle(conn, payload: dict) -> dict:
        if not payload.get("id"):
            raise LoyaltyError(_("the %(kind)s has no id", kind=OBJECT_NAMES[kind]), code="invalid", status=422)
        store = upsert_products if kind == "product" else upsert_customers
        written = store(conn, [payload])
        return {f"{kind}_id": str(payload["id"]), "outcome": f"{kind}_saved" if written else f"{kind}_stale"}
    return handle


HANDLERS = {"sale.update": handle_sale, "product.update": _saved("product"), "customer.update": _saved("customer")}


@bp.post("/<prefix>")
def receive(prefix: str):
    conn = PosConnection.get_or_none(PosConnection.prefix == prefix.lower())
    if conn is None or conn.system != SYSTEM:  # R-Series sends no webhooks: its sales are polled
        raise NotFound(_("no Lightspeed connection for this address"), code="not_connected")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise LoyaltyError(_("expected application/x-www-form-urlencoded with a 'payload' field"),
                           code="unsupported_media_type", status=415)
    raw = request.get_data(cache=True)
    form = _form(raw)
    signed = signature.signed_part(request.headers.get("X-Signature"), webhook_secret(conn), raw,
                                    form.get("payload"))
    if signed is None:
        log.warning("Lightspeed webhook for %s refused: missing or wrong X-Signature", conn.prefix)
        raise Unauthorized(_("missing or wrong X-Signature"), code="bad_signature")
    try:
        payload = bounds.loads(form.get("payload") or "")
    except bounds.InputRefused as exc:
        raise LoyaltyError(_("the 'payload' field is refused: %(reason)s", reason=exc),
                           code="malformed_json") from None
    except ValueError:
        raise LoyaltyError(_("the 'payload' field is not JSON"), code="malformed_json") from None
    if not isinstance(payload, dict):
        raise LoyaltyError(_("the 'payload' field must be a JSON object"), code="malformed_json")
    # The form's type is trusted only when the signature covers it: a body signed over its payload alone and
    # re-labelled (a sale posted as customer.update) would otherwise store junk under the wrong handler.
    event_type = ((form.get("type") or "").strip().lower() if signed == "body" else "") or _infer_type(payload)
    return jsonify(process(conn, event_type, form["payload"], payload))


def process(conn, event_type: str | None, payload_text: str, payload: dict) -> dict:
    digest = hashlib.sha256(f"{event_type}\0{payload_text}".encode()).hexdigest()
    handler = HANDLERS.get(event_type or "")
    with write_transaction():
        receipt = WebhookReceipt.get_or_none((WebhookReceipt.connection == conn.id)
                                             & (WebhookReceipt.digest == digest))
        if receipt is not None:
            WebhookReceipt.update(replays=WebhookReceipt.replays + 1).where(
                WebhookReceipt.id == receipt.id).execute()
            return {**receipt.result, "replay": True}
        result = handler(conn, payload) if handler else {"outcome": "ignored_type"}
        result = {"type": event_type, **result}
        object_id = str(payload.get("id"))[:100] if payload.get("id") else None
        WebhookReceipt.insert(connection=conn.id, digest=digest, event_type=(event_type or "?")[:40],
                              object_id=object_id, outcome=result["outcome"], result=result
                              ).on_conflict_ignore().execute()
        PosConnection.update(last_webhook_at=utcnow()).where(PosConnection.id == conn.id).execute()
        record(f"webhook:{conn.prefix}", "pos.webhook", "pos_connection", conn.id, type=event_type,
               object_id=object_id, outcome=result["outcome"],
               warnings=[w.get("code") for w in result.get("warnings", [])])
    return result
