"""Customer search, the account page (cards as boxes, the ledger, links, audit) and editing details."""
from builders import line, sale
from loyalty.models import Account, AuditLog
from webtools import commit, hidden_fields, new_account, text

XSS = "<script>alert(1)</script>"


def test_search_by_name_phone_email_and_pos_id(cashier, api, linked):
    other = new_account(api, "Marcus", "Lee", phone="555-201-7788")
    for q in ("whitfield", "Dana Whit", "(555) 201-3344", "+1 555 201 3344", "DANA@example.com", "c-42"):
        page = text(cashier.get("/", query_string={"q": q}))
        assert f"/accounts/{linked['id']}\"" in page, q
        assert f"/accounts/{other['id']}\"" not in page, q
    assert "No customer matches" in text(cashier.get("/", query_string={"q": "zzz"}))


def test_a_customer_named_like_a_script_is_shown_as_text(cashier, api):
    acct = new_account(api, XSS, XSS, notes=XSS)
    for page in (text(cashier.get(f"/accounts/{acct['id']}")), text(cashier.get("/", query_string={"q": "<script>"}))):
        assert XSS not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_search_query_is_escaped(cashier):
    page = text(cashier.get("/", query_string={"q": XSS}))
    assert XSS not in page and "&lt;script&gt;" in page


def test_account_page_shows_cards_punches_links_and_audit(cashier, api, program, linked):
    commit(api, sale("S-1", lines=[line(1, name="ACANA Wild Prairie 25 lb")]))
    commit(api, sale("S-2", lines=[line(1, qty=2)]), {str(program["id"]): {"reason": "Multiple pets"}})
    page = text(cashier.get(f"/accounts/{linked['id']}"))
    assert page.count('<li class="filled">') == 3
    assert page.count('<li class="empty">') == 9
    assert "3 of 12" in page
    assert "S-1" in page and "S-2" in page and "ACANA Wild Prairie 25 lb" in page
    assert "Multiple pets" in page
    assert "token:test cashier" in page  # who committed each punch
    assert "c-42" in page and "lightspeed-x" in page  # the linked POS customer
    assert "Committed sale S-1." in page and "Created the account." in page  # the audit trail


def test_box_dates_follow_the_ledger():
    from datetime import datetime
    from types import SimpleNamespace as Row

    from loyalty.web.account_view import box_dates

    d1, d2, d3 = datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)
    rows = [Row(quantity=2, created_at=d1), Row(quantity=1, created_at=d2), Row(quantity=-2, created_at=d3),
            Row(quantity=1, created_at=d3)]
    assert box_dates(rows, 4) == [d1, d3, None, None]


def test_unknown_account_is_a_404_page(cashier):
    r = cashier.get("/accounts/999")
    assert r.status_code == 404 and "no account 999" in text(r)


def test_edit_details_asks_for_confirmation_then_saves(staff, api):
    acct = new_account(api)
    form = {"first_name": "Samuel", "last_name": "Rivera", "phone": "(555) 201-5151", "email": "SAM@example.com",
            "address_line1": "1 Main St", "address_city": "Portland", "address_postal_code": "97205",
            "sms_consent": "on", "consent_source": "paper form"}
    r = staff.post(f"/accounts/{acct['id']}/edit", form)
    assert r.status_code == 200 and "Save account details?" in text(r)
    assert Account.get_by_id(acct["id"]).first_name == "Sam"  # nothing saved yet
    assert hidden_fields(text(r))["first_name"] == "Samuel"
    r = staff.post(f"/accounts/{acct['id']}/edit", form, confirm=True)
    assert r.status_code == 302
    saved = Account.get_by_id(acct["id"])
    assert (saved.first_name, saved.phone, saved.email, saved.city) == ("Samuel", "+15552015151",
                                                                        "sam@example.com", "Portland")
    assert saved.sms_consent and saved.sms_consent_source == "paper form" and saved.sms_consent_at
    audit = AuditLog.get((AuditLog.action == "account.update") & (AuditLog.account_id == acct["id"]))
    assert audit.actor == "user:staff1"
    page = text(staff.get(f"/accounts/{acct['id']}"))
    assert "paper form" in page and "Details saved." in page


def test_edit_details_rejects_bad_input_with_a_message(staff, api):
    acct = new_account(api)
    r = staff.post(f"/accounts/{acct['id']}/edit", {"first_name": "Sam", "last_name": "Rivera",
                                                    "email": "not-an-email"}, confirm=True)
    assert r.status_code == 422 and "email" in text(r)
    r = staff.post(f"/accounts/{acct['id']}/edit", {"first_name": "", "last_name": "Rivera"}, confirm=True)
    assert r.status_code == 422 and "<b>first name</b>" in text(r)


def test_a_merged_account_redirects_to_the_primary(cashier, api):
    from loyalty.domain.merges import merge_accounts

    a, b = new_account(api, "Ann", "Ames"), new_account(api, "Ann", "Ames")
    merge_accounts(a["id"], b["id"], "test")
    r = cashier.get(f"/accounts/{b['id']}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/accounts/{a['id']}")


def test_search_page_lists_recent_accounts_before_any_query(cashier, api):
    acct = new_account(api, "Recent", "Person")
    page = text(cashier.get("/"))
    assert "Recently updated" in page and f"/accounts/{acct['id']}\"" in page
