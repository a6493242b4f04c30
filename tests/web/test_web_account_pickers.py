"""Move, merge and the unlink's "move sales to" pick the other account from the customer search (no typed account
numbers); managers create accounts from the staff app."""
import re

from builders import line, sale
from loyalty.models import Account, Card, PosLink, Sale
from webtools import commit, hidden_fields, new_account, punch, text


def forms_of(page: str) -> list[str]:
    return re.findall(r"<form.*?</form>", page, re.S)


def pick(web, page_path, form_marker, q, **fields):
    """Fill the account page's form (found by a marker in it), search, and return the picker page."""
    page = text(web.get(page_path))
    [form] = [f for f in forms_of(page) if form_marker in f]
    action = re.search(r'action="([^"]+)"', form)[1]
    assert 'method="get"' in form and 'name="q"' in form and "account #" not in form
    query = {**hidden_fields(form), **fields, "q": q}
    return web.get(action, query_string=query)


def choose(web, picker_page: str, name: str):
    """Press the picker's button on the row of ``name``: the action's confirmation page comes back."""
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", picker_page, re.S) if name in r]
    form = forms_of(row)[0]
    fields = hidden_fields(form)
    fields.pop("csrf_token")
    return web.post(re.search(r'action="([^"]+)"', form)[1], fields)


def test_merge_picks_the_other_account_from_a_search(manager, api):
    a = new_account(api, "Ann", "Ames", phone="555-201-3344")
    b = new_account(api, "Anne", "Ames", email="anne@example.com")
    picker = text(pick(manager, f"/accounts/{a['id']}", "name=\"primary\"", "ames", primary="this"))
    assert "Anne Ames" in picker and "anne@example.com" in picker
    assert f"<td>{a['id']}</td>" not in picker  # never offers the account itself
    r = choose(manager, picker, "Anne Ames")
    assert "Merge these accounts?" in text(r) and f"Merge Anne Ames (account {b['id']}" in text(r)
    fields = hidden_fields(text(r))
    fields.pop("csrf_token"), fields.pop("confirmed")
    manager.post(f"/accounts/{a['id']}/merge", fields, confirm=True)
    assert Account.get_by_id(b["id"]).merged_into_id == a["id"]


def test_unlink_moves_sales_to_a_picked_account_or_keeps_them(manager, api, program, linked):
    commit(api, sale("S-1", lines=[line(1)]))
    right = new_account(api, "Dana", "Other", phone="555-777-1234")
    picker = text(pick(manager, f"/accounts/{linked['id']}", "Why is this map wrong", "777-1234",
                       reason="wrong Dana"))
    assert "Move the sales of POS customer c-42 to another account" in picker and "Dana Other" in picker
    assert "Unlink without moving its sales" in picker
    r = choose(manager, picker, "Dana Other")
    assert "Its 1 sale, with its punches, moves to Dana Other" in text(r)
    fields = hidden_fields(text(r))
    fields.pop("csrf_token"), fields.pop("confirmed")
    manager.post(f"/accounts/{linked['id']}/unlink", fields, confirm=True)
    assert PosLink.get(PosLink.pos_customer_id == "c-42").unlinked_at is not None
    assert {s.account_id for s in Sale.select()} == {right["id"]}


def test_split_moves_punches_to_a_picked_account(manager, api, program):
    a = new_account(api, "Ann", "Ames")
    b = new_account(api, "Bo", "Banks", phone="555-201-8888")
    punch(api, a["id"], 3)
    picker = text(pick(manager, f"/accounts/{a['id']}", "name=\"card_id\"", "Banks", quantity="2",
                       reason="Shared card"))
    r = choose(manager, picker, "Bo Banks")
    assert "Split this card?" in text(r) and "Move 2 punches" in text(r) and "to Bo Banks" in text(r)
    fields = hidden_fields(text(r))
    fields.pop("csrf_token"), fields.pop("confirmed")
    card = Card.get(Card.account == a["id"])
    manager.post(f"/cards/{card.id}/split", fields, confirm=True)
    assert Card.get(Card.account == b["id"]).punches == 2


def test_the_picker_is_for_managers_and_known_purposes(staff, manager, api):
    a = new_account(api)
    assert staff.get(f"/accounts/{a['id']}/pick/merge?q=x").status_code == 403
    assert manager.get(f"/accounts/{a['id']}/pick/delete?q=x").status_code == 404
    assert manager.get(f"/accounts/{a['id']}/pick/split?card_id=abc&q=x").status_code == 404
    assert "No other customer matches" in text(manager.get(f"/accounts/{a['id']}/pick/merge?q=zzz"))


def test_a_manager_creates_an_account_from_the_staff_app(manager, staff):
    assert 'href="/accounts/new"' in text(manager.get("/"))
    assert 'href="/accounts/new"' not in text(staff.get("/"))
    assert staff.get("/accounts/new").status_code == 403
    form = text(manager.get("/accounts/new"))
    assert "New account" in form and 'name="first_name"' in form
    r = manager.post("/accounts/new", {"first_name": "Kim", "last_name": "Lee", "phone": "(555) 201-4242",
                                       "email": "kim@example.com", "email_consent": "on",
                                       "consent_source": "in store"})
    kim = Account.get(Account.first_name == "Kim")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/accounts/{kim.id}")
    assert kim.phone == "+15552014242" and kim.email_consent
    assert "Account created for Kim Lee." in text(manager.get(r.headers["Location"]))
    assert manager.post("/accounts/new", {"first_name": "", "last_name": "Lee"}).status_code == 422
