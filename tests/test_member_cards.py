"""Member cards: batches, codes with a check character, assign/revoke/replace, the register's scan look-up."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from loyalty.member_cards import codes, render
from loyalty.member_cards.domain import create_batch, replace
from loyalty.member_cards.models import MemberCard
from loyalty.models import AuditLog


def batch_codes(n=3, name="Spring plastic cards"):
    return create_batch(name, n, "test")[1]


def staff_api(client, tokens):
    from builders import Api

    return Api(client, tokens["staff"])


def test_codes_are_crockford_letters_and_digits_with_a_check_character():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 11 and set(code) <= set(codes.ALPHABET)
        assert codes.normalize(code) == code
    code = "82M8HE07MD7"
    assert codes.normalize("82m8-he07-md7") == code  # as a person types it
    assert codes.normalize("82M8 HEO7 MD7") == code  # O read as 0 (Crockford)


def test_every_single_wrong_character_fails_the_check():
    code = codes.new_code()
    for i in range(len(code)):
        for c in codes.ALPHABET:
            if c != code[i]:
                assert not codes.is_valid(code[:i] + c + code[i + 1:])


def test_most_swaps_of_neighbours_fail_the_check():
    caught = total = 0
    for _ in range(200):
        code = codes.new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                total += 1
                caught += not codes.is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2:])
    assert caught / total > 0.95


@pytest.mark.parametrize("text", ["", "82M8HE07MD", "82M8HE07MD77", "82M8HE07MD-", "82M8HE07MDU", "ÉCOLE123456"])
def test_malformed_codes_are_refused(text):
    assert not codes.is_valid(text)


def test_cli_batch_create_prints_the_codes_last(tmp_path, monkeypatch):
    from loyalty.cli import main

    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cards.sqlite3"))
    result = CliRunner().invoke(main, ["cards", "batch", "create", "--count", "5", "--name", "Counter cards"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].endswith("'Counter cards': 5 cards")
    printed = lines[-5:]
    assert len(set(printed)) == 5 and all(codes.is_valid(c) for c in printed)
    listed = CliRunner().invoke(main, ["cards", "batch", "list"])
    assert "Counter cards\t5 cards\t5 unassigned" in listed.output
    bad = CliRunner().invoke(main, ["cards", "batch", "create", "--count", "0", "--name", "x"])
    assert bad.exit_code != 0


def test_assign_by_email_then_scan_at_the_register(app, api, client, tokens, linked):
    code = batch_codes()[0]
    staff = staff_api(client, tokens)
    r = staff.post(f"/api/v1/member-cards/{code}/assign", {"email": "DANA@example.com"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["card"]["status"] == "assigned" and r.get_json()["account"]["id"] == linked["id"]
    scanned = api.get(f"/api/v1/member-cards/{code}")
    assert scanned.status_code == 200
    body = scanned.get_json()
    assert body["account"]["name"] == "Dana Whitfield" and body["card"]["code"] == code
    assert body["account"]["links"][0]["customer_id"] == "c-42"
    assert "cards" in body["account"] and body["account"]["rewards_available"] == 0
    # a person typing it in lower case with spaces finds the same account
    assert api.get(f"/api/v1/member-cards/{code[:4].lower()} {code[4:]}").get_json()["account"]["id"] == linked["id"]
    assert AuditLog.select().where(AuditLog.action == "member_card.assign").count() == 1


def test_assign_refusals(app, api, client, tokens, linked):
    first, second = batch_codes(2)
    staff = staff_api(client, tokens)
    other = api.post("/api/v1/accounts", {"first_name": "Sam", "last_name": "Ortiz", "email": "sam@example.com"})
    assert api.post(f"/api/v1/member-cards/{first}/assign", {"email": "dana@example.com"}).status_code == 403
    r = staff.post(f"/api/v1/member-cards/{first}/assign", {"email": "nobody@example.com"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_email"
    assert staff.post(f"/api/v1/member-cards/{first}/assign", {}).status_code == 422
    assert staff.post(f"/api/v1/member-cards/{first}/assign", {"account_id": linked["id"]}).status_code == 200
    again = staff.post(f"/api/v1/member-cards/{first}/assign", {"account_id": linked["id"]})
    assert again.status_code == 200 and again.get_json()["changed"] is False
    taken = staff.post(f"/api/v1/member-cards/{first}/assign", {"account_id": other.get_json()["id"]})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "card_assigned"
    one_card = staff.post(f"/api/v1/member-cards/{second}/assign", {"account_id": linked["id"]})
    assert one_card.status_code == 409 and one_card.get_json()["error"]["code"] == "account_has_card"


def test_mistyped_unknown_revoked_and_unassigned_codes(app, api, client, tokens, linked):
    code, spare = batch_codes(2)
    staff = staff_api(client, tokens)
    staff.post(f"/api/v1/member-cards/{code}/assign", {"email": "dana@example.com"})
    typo = code[:3] + ("X" if code[3] != "X" else "Y") + code[4:]
    r = api.get(f"/api/v1/member-cards/{typo}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "invalid_card_code"
    unknown_body = "ZZZZZZZZZZ"
    unknown = unknown_body + codes.check_character(unknown_body)
    r = api.get(f"/api/v1/member-cards/{unknown}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_card"
    r = api.get(f"/api/v1/member-cards/{spare}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "card_unassigned"
    assert api.post(f"/api/v1/member-cards/{code}/revoke", {}).status_code == 403
    r = staff.post(f"/api/v1/member-cards/{code}/revoke", {"reason": "lost at the dog park"})
    assert r.status_code == 200 and r.get_json()["card"]["status"] == "revoked"
    r = api.get(f"/api/v1/member-cards/{code}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "card_revoked"
    assert "account" not in r.get_json()["error"]
    r = staff.post(f"/api/v1/member-cards/{code}/assign", {"email": "dana@example.com"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "card_revoked"
    assert staff.post(f"/api/v1/member-cards/{code}/revoke").status_code == 200  # again: no body, no change


def test_replace_a_lost_card(app, api, client, tokens, linked):
    old, new = batch_codes(2)
    staff_api(client, tokens).post(f"/api/v1/member-cards/{old}/assign", {"account_id": linked["id"]})
    card = replace(linked["id"], "kim", new)
    assert card.code == new and card.account_id == linked["id"]
    assert MemberCard.get(MemberCard.code == old).status == "revoked"
    assert api.get(f"/api/v1/member-cards/{new}").get_json()["account"]["id"] == linked["id"]


def test_images_decode_back_to_the_code():
    import zxingcpp
    from PIL import Image

    code = codes.new_code()
    qr = zxingcpp.read_barcodes(Image.open(io.BytesIO(render.qr_png(code))))
    bar = zxingcpp.read_barcodes(Image.open(io.BytesIO(render.code128_png(code))))
    assert [(r.text, r.format.name) for r in qr] == [(code, "QRCode")]  # a full QR, never Micro QR
    assert [(r.text, r.format.name) for r in bar] == [(code, "Code128")]
    assert render.qr_svg(code).startswith("<svg") and render.code128_svg(code).startswith("<svg")
