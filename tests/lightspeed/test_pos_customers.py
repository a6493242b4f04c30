"""An account made in loyalty, made in the POS: looked for first (never a duplicate), created otherwise (X-Series
POST /api/2.0/customers, R-Series Customer with its Contact), linked; a POS failure leaves the account alone."""
from __future__ import annotations

import pytest

from loyalty.domain.accounts import live_link
from loyalty.lightspeed.client import Unavailable
from loyalty.lightspeed.pos_customers import create_in_pos
from loyalty.models import AuditLog


@pytest.fixture
def dana(api):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "phone": "555-201-3344", "email_consent": True, "sms_consent": False,
                                      "consent_source": "test"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _created(fake):
    return [body for kind, body in fake.requests_seen if kind == "create customers"]


def test_xseries_creates_the_customer_with_consent_flags_and_links_it_once(connection, fake, dana):
    assert create_in_pos(connection.id, dana["id"]) == "created"
    (body,) = _created(fake)
    assert body == {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                    "mobile": "+15552013344", "enable_loyalty": False, "do_not_email": False,
                    "enable_promotional_sms": False}
    (made,) = [c for c in fake.objects["customers"].values() if c["email"] == "dana@example.com"]
    assert live_link("lightspeed-x", made["id"]).account_id == dana["id"]
    assert AuditLog.get(AuditLog.action == "pos.customer_created").details["pos_customer_id"] == made["id"]
    # Run again (an outbox retry): nothing more in the POS.
    assert create_in_pos(connection.id, dana["id"]) == "already_linked"
    assert len(_created(fake)) == 1


def test_xseries_links_an_existing_customer_with_that_email_instead_of_a_duplicate(connection, fake, dana):
    existing = fake.add_customer("Dana", "W.", "Dana@Example.com", None)
    assert create_in_pos(connection.id, dana["id"]) == "linked_existing"
    assert _created(fake) == []
    assert live_link("lightspeed-x", existing["id"]).account_id == dana["id"]


def test_xseries_finds_by_phone_when_the_email_is_unknown(connection, fake, dana):
    existing = fake.add_customer("Dana", "Whitfield", None, None, mobile="+15552013344")
    assert create_in_pos(connection.id, dana["id"]) == "linked_existing"
    assert live_link("lightspeed-x", existing["id"]).account_id == dana["id"]


def test_a_pos_customer_linked_to_another_account_is_left_to_staff(connection, fake, dana, api):
    existing = fake.add_customer("Dana", "Whitfield", "dana@example.com", None)
    r = api.post("/api/v1/accounts", {"first_name": "Other", "last_name": "Person",
                                      "link": {"system": "lightspeed-x", "customer_id": existing["id"]}})
    assert r.status_code == 201
    assert create_in_pos(connection.id, dana["id"]) == "exists_linked_elsewhere"
    assert _created(fake) == []


def test_a_pos_that_fails_raises_for_a_retry_and_the_account_stays(connection, fake, dana, api):
    fake.fail(500, times=99, resource="create customers")
    with pytest.raises(Unavailable):
        create_in_pos(connection.id, dana["id"])
    assert api.get(f"/api/v1/accounts/{dana['id']}").status_code == 200
    fake.failures.clear()
    assert create_in_pos(connection.id, dana["id"]) == "created"


def test_rseries_creates_a_customer_with_its_contact(rconnection, rfake, dana):
    assert create_in_pos(rconnection.id, dana["id"]) == "created"
    posts = [q for method, resource, q in rfake.requests_seen if method == "POST"]
    assert len(posts) == 1
    (made,) = rfake.objects["Customer"].values()
    assert (made["firstName"], made["lastName"]) == ("Dana", "Whitfield")
    contact = made["Contact"]
    assert contact["Emails"]["ContactEmail"]["address"] == "dana@example.com"
    assert contact["Phones"]["ContactPhone"]["number"] == "+15552013344"
    assert (contact["noEmail"], contact["noPhone"]) == ("false", "true")
    assert live_link("lightspeed-r", made["customerID"]).account_id == dana["id"]


def test_rseries_links_the_customer_with_that_email(rconnection, rfake, dana):
    existing = rfake.add_customer("Dana", "Whitfield", "dana@example.com", None)
    assert create_in_pos(rconnection.id, dana["id"]) == "linked_existing"
    assert [m for m, _, _ in rfake.requests_seen if m == "POST"] == []
    assert live_link("lightspeed-r", existing["customerID"]).account_id == dana["id"]
