"""The customer's own page: signed expiring links (valid, expired, tampered), "email me my link" answering the
same for any email, what the page shows (member card QR, punch cards as boxes, rewards, activity) and the
consent switches with their audit rows."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from builders import line, sale
from loyalty.background import OutboxItem
from loyalty.member_cards.domain import assign, create_batch
from loyalty.messages import links
from loyalty.models import Account, AuditLog


@pytest.fixture
def dana(api, program):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "phone": "514-555-0199", "email_consent": True,
                                      "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
    assert r.status_code == 201
    return r.get_json()


def page_path(account_id):
    return f"/me/{links.page_token(account_id)}"


def test_the_page_shows_the_card_qr_punch_boxes_rewards_and_activity(client, api, dana, program):
    code = create_batch("b", 1, "test")[1][0]
    assign(code, "test", account_id=dana["id"])
    commit = api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, qty=15, name="ACANA Wild Prairie")]),
                                               "reasons": {str(program["id"]): {"reason": "Stocking up"}}})
    assert commit.status_code == 200, commit.get_json()
    r = client.get(page_path(dana["id"]))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Hello Dana" in page and "<svg" in page and f"{code[:4]} {code[4:8]} {code[8:]}" in page
    assert page.count('<li class="filled">') == 3 and page.count('<li class="empty">') == 9  # 15 = 12 + 3
    rewards = page.split("Rewards waiting for you")[1].split("</section>")[0]
    assert program["name"] in rewards
    assert f"+15 on {program['name']} (ACANA Wild Prairie)" in page  # recent activity
    assert "<script" not in page and r.headers["Referrer-Policy"] == "no-referrer"


def test_expired_and_tampered_links_say_so_and_offer_a_new_one(app, client, dana):
    token = links.page_token(dana["id"])
    tampered = client.get(f"/me/{token[:-2]}xx")
    assert tampered.status_code == 404 and "This link does not work" in tampered.get_data(as_text=True)
    assert "Email me my link" in tampered.get_data(as_text=True)
    other_key = URLSafeTimedSerializer("not our key", salt="customer-page").dumps({"a": dana["id"]})
    assert client.get(f"/me/{other_key}").status_code == 404
    real_time = time.time
    try:
        time.time = lambda: real_time() - links.PAGE_MAX_AGE - 60
        expired_token = links.page_token(dana["id"])
    finally:
        time.time = real_time
    expired = client.get(f"/me/{expired_token}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    assert "Email me my link" in expired.get_data(as_text=True)
    assert "Dana" not in expired.get_data(as_text=True)


def test_email_me_my_link_answers_the_same_for_any_email(client, dana):
    known = client.post("/me", data={"email": "DANA@example.com"})
    unknown = client.post("/me", data={"email": "nobody@example.com"})
    junk = client.post("/me", data={"email": "@@"})
    bodies = {r.get_data(as_text=True) for r in (known, unknown, junk)}
    assert len(bodies) == 1 and {r.status_code for r in (known, unknown, junk)} == {200}
    client.post("/me", data={"email": "dana@example.com"})  # twice in 10 minutes: one email
    signins = [m for m in OutboxItem.select() if m.payload.get("template") == "signin"]
    assert len(signins) == 1 and signins[0].payload["to"] == "dana@example.com"
    assert signins[0].payload["marketing"] is False


def test_consent_switches_change_the_account_with_audit_rows(client, dana):
    path = page_path(dana["id"])
    r = client.post(path + "/consent", data={"sms_consent": "on"})  # email unticked, SMS ticked
    assert r.status_code == 303 and r.headers["Location"].endswith("saved=1#consent")
    account = Account.get_by_id(dana["id"])
    assert account.email_consent is False and account.sms_consent is True
    assert account.sms_consent_source == "customer page"
    audit = AuditLog.select().where((AuditLog.account_id == dana["id"]) & (AuditLog.actor == "customer")).get()
    assert set(audit.details["changed"]) >= {"email_consent", "sms_consent"}
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Saved." in page and re.search(r'name="sms_consent" checked', page)
    # a changed payload character (the signature's last one may differ only in unused bits and still verify)
    token = links.page_token(dana["id"])
    tampered = token[:2] + ("B" if token[2] != "B" else "C") + token[3:]
    assert client.post(f"/me/{tampered}/consent", data={}).status_code == 404


def test_confirm_email_link(client, dana):
    token = links.confirm_token(dana["id"], "dana@example.com")
    r = client.get(f"/me/confirm/{token}")
    assert r.status_code == 200 and "is confirmed" in r.get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.action == "email.confirm").count() == 1
    client.get(f"/me/confirm/{token}")
    assert AuditLog.select().where(AuditLog.action == "email.confirm").count() == 1
    assert client.get(f"/me/confirm/{token}x").status_code == 404


def test_the_page_of_a_french_account_is_in_quebec_french(client, api, program):
    r = api.post("/api/v1/accounts", {"first_name": "Josée", "last_name": "Tremblay", "email": "josee@example.com",
                                      "email_consent": True, "language": "fr"})
    assert r.status_code == 201, r.get_json()
    josee = r.get_json()
    code = create_batch("b", 1, "test")[1][0]
    assign(code, "test", account_id=josee["id"])
    page = client.get(page_path(josee["id"]), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Bonjour Josée" in page
    assert "Présentez-la à la caisse." in page and "Cartes à points" in page
    assert "Nos messages" in page and "Courriels sur mes récompenses" in page
    for english in ("Hello Josée", "Show this at the counter", "Punch cards", "Messages from us", "Recent activity",
                    "Emails about my rewards", "Text messages", "Nothing yet"):
        assert english not in page
