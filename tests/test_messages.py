"""Email over real SMTP (aiosmtpd on loopback) and SMS through a Twilio-shaped stand-in: consent, the card email
with its QR, unsubscribe, bounces, STOP, and the outbox surviving a server that is down."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from builders import Api, line, sale
from loyalty.auth import create_token
from loyalty.background import OutboxItem, run_once
from loyalty.member_cards.domain import create_batch
from loyalty.messages import sms as sms_api
from loyalty.messages.models import EmailBounce
from loyalty.models import Account, AuditLog, utcnow
from mailsupport import SmtpServer
from sms_standin import SmsStandIn

PUBLIC = "https://rewards.example-petstore.com"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def standin():
    from livesupport import LiveServer

    fake = SmsStandIn()
    with LiveServer(fake.app) as server:
        fake.url = server.url
        yield fake


@pytest.fixture(autouse=True)
def messaging(app, smtp, standin):
    """The app sends through the loopback SMTP server and the SMS stand-in (settings are read at send time)."""
    app.config.update(SMTP_URL=smtp.url, MAIL_FROM="Paws & Co <rewards@example-petstore.com>", PUBLIC_URL=PUBLIC,
                      STORE_NAME="Paws & Co", SMS_BASE_URL=standin.url, SMS_ACCOUNT_SID=standin.sid,
                      SMS_AUTH_TOKEN=standin.token, SMS_FROM="+15145550100")


@pytest.fixture
def staff(client):
    return Api(client, create_token("test staff", "staff")[1])


def later(minutes):
    return utcnow() + dt.timedelta(minutes=minutes)


def new_account(api, **fields):
    body = {"first_name": "Dana", "last_name": "Whitfield", **fields}
    r = api.post("/api/v1/accounts", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def states(account_id):
    return [(m.kind, m.payload.get("template"), m.state) for m in
            OutboxItem.select().where(OutboxItem.account_id == account_id).order_by(OutboxItem.id)]


def test_welcome_email_needs_email_consent_and_carries_one_click_unsubscribe(app, api, smtp):
    with_consent = new_account(api, email="dana@example.com", email_consent=True)
    without = new_account(api, first_name="Sam", email="sam@example.com", email_consent=False)
    run_once()
    assert [m["To"] for m in smtp.messages] == ["dana@example.com"]
    mail = smtp.messages[0]
    assert mail["Subject"] == "Welcome to Paws & Co rewards"
    assert mail["From"] == "Paws & Co <rewards@example-petstore.com>"
    unsubscribe = re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith(PUBLIC + "/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(mail)
    assert PUBLIC + "/me/" in body and PUBLIC + "/me/confirm/" in body and unsubscribe in body
    assert states(without["id"]) == []
    assert states(with_consent["id"]) == [("email", "welcome", "sent")]

    # the mail app's one-click POST (RFC 8058) unsubscribes; the account and its audit trail say so
    path = unsubscribe[len(PUBLIC):]
    page = app.test_client().get(path)
    assert page.status_code == 200 and b"Unsubscribe" in page.data
    assert Account.get_by_id(with_consent["id"]).email_consent is True  # a GET (a mail scanner) changes nothing
    r = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and b"You are unsubscribed" in r.data
    account = Account.get_by_id(with_consent["id"])
    assert account.email_consent is False and account.email_consent_source == "unsubscribe link"
    assert AuditLog.select().where((AuditLog.account_id == account.id) & (AuditLog.actor == "customer")).count() == 1
    tampered = app.test_client().post(path[:-3] + "xyz")
    assert tampered.status_code == 404 and b"does not work" in tampered.data


def test_card_email_has_the_qr_inline_and_attached_and_it_decodes_to_the_code(app, api, staff, smtp):
    import zxingcpp
    from PIL import Image

    dana = new_account(api, email="dana@example.com")  # no marketing consent: the card still goes out
    code = create_batch("Emailed cards", 1, "test")[1][0]
    assert staff.post(f"/api/v1/member-cards/{code}/assign", {"email": "dana@example.com"}).status_code == 200
    run_once()
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "Your member card at Paws & Co" and "List-Unsubscribe" not in mail
    html = mail.get_body(preferencelist=("html",))
    cid = re.search(r'src="cid:([^"]+)"', html.get_content()).group(1)
    inline = [p for p in mail.walk() if p.get("Content-ID") == f"<{cid}>"]
    attached = [p for p in mail.iter_attachments() if p.get_filename() == f"member-card-{code}.png"]
    assert len(inline) == 1 and len(attached) == 1
    for part in (inline[0], attached[0]):
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(part.get_content())))
        assert [(r.text, r.format.name) for r in found] == [(code, "QRCode")]
    assert code[:4] + " " + code[4:8] + " " + code[8:] in text_of(mail)
    assert states(dana["id"]) == [("email", "card", "sent")]


def test_smtp_down_then_up_delivers_once(app, api, smtp):
    smtp.stop()
    dana = new_account(api, email="dana@example.com", email_consent=True)
    run_once()
    row = OutboxItem.get(OutboxItem.account_id == dana["id"])
    assert (row.state, row.attempts) == ("pending", 1) and "unreachable" in row.last_error
    run_once(later(1))  # the first retry is due after 30 s: the server is still down
    assert OutboxItem.get_by_id(row.id).attempts == 2
    smtp.start()
    run_once(later(3))
    run_once(later(60))
    run_once(later(600))
    assert [m["To"] for m in smtp.messages] == ["dana@example.com"]
    row = OutboxItem.get_by_id(row.id)
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, None)
    assert smtp.messages[0]["Message-ID"] == f"<outbox-{row.id}@example-petstore.com>"


def test_a_bounced_address_is_marked_not_retried_and_shown_to_managers(app, api, staff, smtp, client):
    from loyalty.auth import create_user

    bouncy = new_account(api, email="bounce-me@example.com", email_consent=True)
    run_once()
    row = OutboxItem.get(OutboxItem.account_id == bouncy["id"])
    assert row.state == "failed" and row.attempts == 1 and "550" in row.last_error
    assert EmailBounce.get(EmailBounce.address == "bounce-me@example.com")
    code = create_batch("b", 1, "test")[1][0]
    staff.post(f"/api/v1/member-cards/{code}/assign", {"account_id": bouncy["id"]})
    run_once(later(600))
    assert smtp.messages == []
    assert [m.state for m in OutboxItem.select().where(OutboxItem.account_id == bouncy["id"])] == ["failed"]

    create_user("boss", "manager", "correct horse battery")
    client.get("/signin")
    with client.session_transaction() as s:
        csrf = s.get("csrf", "")
    client.post("/signin", data={"username": "boss", "password": "correct horse battery", "csrf_token": csrf})
    page = client.get("/messages/failures").get_data(as_text=True)
    assert "bounce-me@example.com" in page and "550" in page
    account_page = client.get(f"/accounts/{bouncy['id']}").get_data(as_text=True)
    assert "Welcome to Paws &amp; Co rewards" in account_page and "failed" in account_page


def test_consent_withdrawn_before_sending_skips_a_marketing_email(app, api, smtp):
    dana = new_account(api, email="dana@example.com", email_consent=True)
    api.patch(f"/api/v1/accounts/{dana['id']}", {"email_consent": False})
    run_once()
    assert smtp.messages == []
    assert states(dana["id"]) == [("email", "welcome", "skipped")]


def test_reward_available_email_and_sms_when_a_card_completes(app, api, smtp, standin, program, linked):
    api.patch(f"/api/v1/accounts/{linked['id']}", {"email_consent": True, "sms_consent": True})
    r = api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, qty=12)]),
                                          "reasons": {str(program["id"]): {"reason": "Stocking up"}}})
    assert r.status_code == 200, r.get_json()
    run_once()
    assert [m["Subject"] for m in smtp.messages] == ["A reward is waiting for you at Paws & Co"]
    assert "complete" in text_of(smtp.messages[0]) and smtp.messages[0]["List-Unsubscribe"]
    assert len(standin.sent) == 1 and standin.sent[0]["to"] == "+15552013344"
    assert "Reply STOP" in standin.sent[0]["body"]


def test_sms_only_with_consent_in_the_twilio_shape_and_retried_when_the_provider_is_down(app, api, standin):
    new_account(api, first_name="Sam", phone="555-201-7788")  # no SMS consent
    standin.fail_next(1, 503)
    dana = new_account(api, phone="(514) 555-0199", sms_consent=True)
    run_once()
    assert standin.sent == [] and standin.requests == 1
    assert states(dana["id"]) == [("sms", "welcome", "pending")]
    run_once(later(1))
    run_once(later(60))
    assert len(standin.sent) == 1
    sent = standin.sent[0]
    assert (sent["to"], sent["from"]) == ("+15145550199", "+15145550100")
    assert PUBLIC + "/me/" in sent["body"] and sent["body"].endswith("Reply STOP to opt out.")
    assert states(dana["id"]) == [("sms", "welcome", "sent")]


def test_a_refused_number_fails_for_good(app, api, standin):
    standin.refuse("+15145550199", 21211)
    dana = new_account(api, phone="514-555-0199", sms_consent=True)
    run_once()
    row = OutboxItem.get(OutboxItem.account_id == dana["id"])
    assert row.state == "failed" and "21211" in row.last_error


def inbound(client, body, sender="+15145550199", token="standin-auth-token", signature=None):
    params = {"From": sender, "To": "+15145550100", "Body": body, "MessageSid": "SM" + "1" * 32}
    sig = signature or sms_api.signature(token, PUBLIC + "/webhooks/sms", params)
    return client.post("/webhooks/sms", data=params, headers={"X-Twilio-Signature": sig})


def test_inbound_stop_ends_sms_consent_with_an_audit_row(app, api, client, standin):
    dana = new_account(api, phone="514-555-0199", sms_consent=True)
    family = new_account(api, first_name="Lee", phone="+1 514 555 0199", sms_consent=True)
    run_once()
    assert inbound(client, "stop", signature="forged").status_code == 403
    assert Account.get_by_id(dana["id"]).sms_consent is True
    r = inbound(client, "hello")
    assert r.status_code == 200 and Account.get_by_id(dana["id"]).sms_consent is True
    r = inbound(client, " Stop ")
    assert r.status_code == 200 and b"<Response>" in r.data
    for acct in (dana, family):
        account = Account.get_by_id(acct["id"])
        assert account.sms_consent is False and account.sms_consent_source == "SMS reply STOP"
        assert AuditLog.select().where((AuditLog.account_id == acct["id"]) & (AuditLog.actor == "sms")).count() == 1
    api.post(f"/api/v1/accounts/{dana['id']}/links", {})  # unrelated call must not re-enable anything
    assert Account.get_by_id(dana["id"]).sms_consent is False


def test_a_french_account_gets_its_welcome_email_and_sms_in_quebec_french(app, api, smtp, standin):
    josee = new_account(api, first_name="Josée", email="josee@example.com", email_consent=True,
                        phone="514-555-0198", sms_consent=True, language="fr")
    run_once()
    mail = [m for m in smtp.messages if m["To"] == "josee@example.com"][0]
    assert mail["Subject"] == "Bienvenue au programme de récompenses de Paws & Co"
    body = text_of(mail)
    assert "Bonjour Josée," in body and "Se désabonner de ces courriels" in body
    assert "Hello" not in body and "Unsubscribe" not in body and "Welcome" not in body
    html_body = mail.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="fr">' in html_body and "Voir mes cartes et mes récompenses" in html_body
    assert "Hello" not in html_body and "See my cards" not in html_body
    item = OutboxItem.get((OutboxItem.account_id == josee["id"]) & (OutboxItem.kind == "email"))
    assert item.payload["subject"] == "Bienvenue au programme de récompenses de Paws & Co"
