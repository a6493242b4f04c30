"""Staff app pages of member cards: batches, the printable sheet, a card, assign/revoke/replace from the account."""
import re

from loyalty.member_cards.codes import grouped
from loyalty.member_cards.models import MemberCard
from webtools import new_account, text


def make_batch(web, n=3, name="Counter cards"):
    r = web.post("/member-cards/batches", {"name": name, "count": str(n)})
    assert r.status_code == 302, text(r)
    return r.headers["Location"]


def test_staff_create_a_batch_print_it_and_assign_a_card_by_email(staff, cashier, api):
    dana = new_account(api, "Dana", "Whitfield", email="dana@example.com")
    page = text(staff.get(make_batch(staff, 3)))
    codes = re.findall(r"/member-cards/([0-9A-Z]{11})\"", page)
    assert len(set(codes)) == 3 and page.count("Assign and email") == 3
    sheet = text(staff.get(page.split('href="')[0] and re.search(r'href="([^"]+/print)"', page).group(1)))
    assert sheet.count('class="bizcard"') == 3 and all(grouped(c) in sheet for c in codes)
    assert sheet.count("<svg") == 6  # a QR and a Code 128 on each card
    r = staff.post(f"/member-cards/{codes[0]}/assign", {"email": "DANA@example.com"})
    assert r.status_code == 302
    card_page = text(staff.get(r.headers["Location"]))
    assert "assigned" in card_page and "Dana Whitfield" in card_page
    account_page = text(cashier.get(f"/accounts/{dana['id']}"))
    assert grouped(codes[0]) in account_page and "<svg" in account_page
    assert "Give a member card" not in account_page  # cashiers see the card, not the actions
    again = text(staff.get(re.search(r'href="([^"]+/print)"', page).group(1)))
    assert again.count('class="bizcard"') == 2  # the sheet prints the cards still unassigned


def test_cashier_cannot_manage_cards(cashier):
    assert cashier.get("/member-cards").status_code == 403
    assert cashier.post("/member-cards/batches", {"name": "x", "count": "2"}).status_code == 403


def test_give_and_replace_from_the_account_page(staff, api):
    sam = new_account(api, "Sam", "Ortiz")
    make_batch(staff, 2)
    r = staff.post("/member-cards/next/assign", {"account_id": str(sam["id"]), "back": "account", "code": ""})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/accounts/{sam['id']}")
    first = MemberCard.get(MemberCard.account == sam["id"])
    page = text(staff.get(f"/accounts/{sam['id']}"))
    assert grouped(first.code) in page and "Replace a lost card" in page
    confirm = text(staff.post(f"/accounts/{sam['id']}/member-card/replace", {"code": "", "reason": "lost"}))
    assert "Replace the member card?" in confirm
    staff.post(f"/accounts/{sam['id']}/member-card/replace", {"code": "", "reason": "lost"}, confirm=True)
    cards = {c.code: c.status for c in MemberCard.select().where(MemberCard.account == sam["id"])}
    assert cards[first.code] == "revoked" and sorted(cards.values()) == ["assigned", "revoked"]


def test_find_revoke_and_bad_codes(staff, api):
    new_account(api, "Dana", "Whitfield", email="dana@example.com")
    page = text(staff.get(make_batch(staff, 1)))
    code = re.findall(r"/member-cards/([0-9A-Z]{11})\"", page)[0]
    staff.post(f"/member-cards/{code}/assign", {"email": "dana@example.com"})
    r = staff.get("/member-cards/find", query_string={"code": code.lower()})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/member-cards/{code}")
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    bad = staff.get("/member-cards/find", query_string={"code": typo})
    assert bad.status_code == 404 and "check character" in text(bad)
    staff.post(f"/member-cards/{code}/revoke", {"reason": "lost"}, confirm=True)
    assert MemberCard.get(MemberCard.code == code).status == "revoked"
    r = staff.post(f"/member-cards/{code}/assign", {"email": "dana@example.com"})
    assert r.status_code == 409 and "revoked" in text(r)
