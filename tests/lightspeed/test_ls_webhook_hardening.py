"""Webhooks under attack (issue 9): odd signatures, deep or NUL-laden payloads, a re-labelled type, and a base URL
with credentials in it, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from fake_xseries import FakeXSeries
from lightspeed_support import TOKEN, WEBHOOK_SECRET, WEBHOOK_URL as URL
from loyalty.lightspeed.models import PosCustomer, WebhookReceipt
from loyalty.models import AuditLog


@pytest.fixture
def hooked(app):
    from loyalty.lightspeed.connections import connect

    return connect("fakeshop", TOKEN, WEBHOOK_SECRET, "test", base_url="http://127.0.0.1:9/api/2.0")


def signed(form: dict, over: str = "body") -> tuple[bytes, dict]:
    body = urlencode(form).encode()
    data = body if over == "body" else form["payload"].encode()
    digest = hmac.new(WEBHOOK_SECRET.encode(), data, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "X-Signature": f"signature={digest},algorithm=HMAC-SHA256"}


@pytest.mark.parametrize("header", ["signature=\u00e9\u00e9\u00e9,algorithm=HMAC-SHA256", "\u00ff" * 64,
                                    "signature=" + "\u00e9" * 64])
def test_a_non_ascii_signature_is_a_401(client, hooked, header):
    body, headers = FakeXSeries.webhook("product.update", {"id": "p-1", "sku": "X"}, WEBHOOK_SECRET)
    headers["X-Signature"] = header.encode("utf-8").decode("latin-1")  # the bytes a client may send
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_signed_deeply_nested_payload_is_a_400(client, hooked, depth):
    payload = '{"id": "p-1", "sku": ' + "[" * depth + "]" * depth + "}"
    body, headers = signed({"type": "product.update", "payload": payload})
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"
    assert WebhookReceipt.select().count() == 0


def test_signed_nul_characters_are_a_400(client, hooked):
    body, headers = signed({"type": "customer.update", "payload": json.dumps({"id": "c-1", "first_name": "\u0000",
                                                                               "customer_code": "X"})})
    assert client.post(URL, data=body, headers=headers).status_code == 400
    body, headers = signed({"type": "customer\u0000", "payload": json.dumps({"id": "c-1"})})
    assert client.post(URL, data=body, headers=headers).status_code == 400
    assert WebhookReceipt.select().count() == 0


def test_a_type_outside_the_signed_payload_cannot_relabel_it(client, hooked):
    """Signed over the payload only, the form's type is not covered: a sale re-labelled customer.update must not
    be stored as a customer. The type is read from the payload instead."""
    sale_payload = json.dumps({"id": "s-1", "customer_id": "c-9", "register_sale_products": [],
                               "status": "CLOSED"})
    body, headers = signed({"type": "customer.update", "payload": sale_payload}, over="payload")
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["type"] == "sale.update"
    assert PosCustomer.select().count() == 0


def test_a_type_inside_the_signed_body_is_trusted(client, hooked):
    body, headers = signed({"type": "customer.update", "payload": json.dumps({"id": "c-1", "first_name": "Dana",
                                                                               "last_name": "W"})})
    r = client.post(URL, data=body, headers=headers)
    assert r.status_code == 200 and r.get_json()["outcome"] == "customer_saved"


def test_credentials_in_a_base_url_never_reach_the_audit_log(app):
    from loyalty.lightspeed.connections import connect

    connect("credshop", TOKEN, WEBHOOK_SECRET, "test", base_url="https://user:hunter2secret@api.example/api/2.0")
    details = [json.dumps(row.details) for row in AuditLog.select().where(AuditLog.action == "pos.connect")]
    assert details and not any("hunter2secret" in d for d in details)
    assert any("api.example" in d for d in details)
