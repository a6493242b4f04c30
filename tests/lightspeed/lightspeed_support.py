"""Constants and helpers shared by the Lightspeed tests (a unique module name: test folders share sys.path)."""
from __future__ import annotations

from fake_xseries import FakeXSeries

TOKEN = "lsxs_pt_S3cr3tT0kenValue"
WEBHOOK_SECRET = "whsec-test-0123456789"
ACANA = "064992523251"  # the UPC of the root conftest's program_body()
WEBHOOK_URL = "/webhooks/lightspeed/fakeshop"


def deliver(client, event_type, payload, secret=WEBHOOK_SECRET, sign="body"):
    """Post a webhook as X-Series does (form field ``payload``, signed over the body unless told otherwise)."""
    body, headers = FakeXSeries.webhook(event_type, payload, secret, sign=sign)
    return client.post(WEBHOOK_URL, data=body, headers=headers)


def signed_in(client, role="cashier", username="kim", password="correct horse battery") -> str:
    """Sign ``client`` in to the staff app as a new user of ``role``; the session's CSRF token."""
    from loyalty.auth import create_user

    create_user(username, role, password)  # with quick test hashes (conftest.quick_hashes)
    client.get("/signin")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    r = client.post("/signin", data={"username": username, "password": password, "csrf_token": csrf})
    assert r.status_code == 302, r.get_data(as_text=True)
    with client.session_transaction() as s:
        return s["csrf"]
