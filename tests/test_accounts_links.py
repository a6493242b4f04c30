"""Accounts, resolving a POS customer, links and the "incorrect customer map"."""

from builders import card_of, line, sale
from loyalty.models import AuditLog, PosLink


def new_account(api, **kw):
    body = {"first_name": "Dana", "last_name": "Whitfield"}
    body.update(kw)
    r = api.post("/api/v1/accounts", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def resolve(api, **customer):
    customer.setdefault("pos_id", "c-1")
    return api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"}, "customer": customer})


def test_create_normalises_email_and_phone_and_records_consent(api):
    a = new_account(api, email=" Dana.W@Example.COM ", phone="(555) 201-3344", sms_consent=True,
                    consent_source="register 1")
    assert a["email"] == "dana.w@example.com"
    assert a["phone"] == "+15552013344"
    assert a["sms_consent"] is True and a["sms_consent_at"] and a["sms_consent_source"] == "register 1"
    assert a["email_consent"] is False and a["email_consent_at"] is None


def test_create_requires_names_and_valid_contacts(api):
    r = api.post("/api/v1/accounts", {"first_name": "", "email": "not-an-email", "phone": "12"})
    assert r.status_code == 422
    assert {"first_name", "last_name"} <= set(r.get_json()["error"]["fields"])
    r = api.post("/api/v1/accounts", {"first_name": "A", "last_name": "B", "email": "nope", "phone": "12"})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"email", "phone"}


def test_phone_region_is_configurable(db_url):
    from builders import Api, make_app
    from loyalty.auth import create_token

    app = make_app(db_url, PHONE_REGION="GB")
    with app.app_context():
        api = Api(app.test_client(), create_token("t", "cashier")[1])
        a = new_account(api, phone="020 7946 0018")
        assert a["phone"] == "+442079460018"


def test_update_changes_contact_fields_and_audits(api):
    a = new_account(api)
    r = api.patch(f"/api/v1/accounts/{a['id']}", {"phone": "555.201.9999", "email_consent": True,
                                                   "address": {"line1": "1 Main", "city": "Portland",
                                                               "postal_code": "97205", "country": "us"}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["phone"] == "+15552019999" and body["email_consent"] is True
    assert body["address"]["country"] == "US"
    row = AuditLog.select().where(AuditLog.action == "account.update").get()
    assert row.details["changed"]["phone"] == [None, "+15552019999"]


def test_resolve_linked_customer(api, linked):
    r = resolve(api, pos_id="c-42").get_json()
    assert r["status"] == "linked" and r["account"]["id"] == linked["id"]
    assert r["account"]["links"][0]["customer_id"] == "c-42"


def test_resolve_ranks_email_then_phone_then_name_and_marks_families(api):
    by_email = new_account(api, first_name="Priya", last_name="Shah", email="priya@example.com")
    fam1 = new_account(api, first_name="Ada", last_name="Okafor", phone="555-201-4646")
    fam2 = new_account(api, first_name="Chidi", last_name="Okafor", phone="(555) 201 4646")
    by_name = new_account(api, first_name="Tomi", last_name="Okafor")
    r = resolve(api, first_name="Tomi", last_name="Okafor", email="PRIYA@example.com", phone="+1 555 201 4646")
    data = r.get_json()
    assert data["status"] == "candidates"
    assert [(c["account"]["id"], c["match"]) for c in data["candidates"]] == [
        (by_email["id"], "email"), (fam1["id"], "phone"), (fam2["id"], "phone"), (by_name["id"], "name")]
    assert data["candidates"][1]["family"] is True and data["candidates"][2]["family"] is True
    assert data["prefill"]["email"] == "priya@example.com" and data["prefill"]["phone"] == "+15552014646"


def test_resolve_unknown_customer_prefills_a_new_account(api):
    data = resolve(api, first_name="Sam", last_name="Rivera", email="sam@example.com", phone="555-201-5151").get_json()
    assert data["status"] == "none" and data["candidates"] == []
    assert data["prefill"] == {"first_name": "Sam", "last_name": "Rivera", "email": "sam@example.com",
                               "phone": "+15552015151", "link": {"system": "lightspeed-x", "customer_id": "c-1"},
                               "address": None}


def test_resolve_tolerates_junk_contact_data_from_the_pos(api):
    r = resolve(api, first_name="X", last_name="Y", email="not an email", phone="n/a")
    assert r.status_code == 200 and r.get_json()["status"] == "none"


def test_link_and_409_when_linked_elsewhere(api):
    a, b = new_account(api), new_account(api, first_name="Other")
    assert api.put("/api/v1/links/lightspeed-x/c-9", {"account_id": a["id"]}).status_code == 200
    again = api.put("/api/v1/links/lightspeed-x/c-9", {"account_id": a["id"]})
    assert again.status_code == 200  # linking again to the same account is harmless
    r = api.put("/api/v1/links/lightspeed-x/c-9", {"account_id": b["id"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_linked"


def test_several_pos_customers_may_share_one_account(api):
    a = new_account(api)
    api.put("/api/v1/links/lightspeed-x/c-1", {"account_id": a["id"]})
    api.put("/api/v1/links/demo/c-1", {"account_id": a["id"]})
    links = api.get(f"/api/v1/accounts/{a['id']}").get_json()["links"]
    assert {(l["system"], l["customer_id"]) for l in links} == {("lightspeed-x", "c-1"), ("demo", "c-1")}


def test_unlink_needs_a_manager(api, linked):
    r = api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong person"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "manager_approval_required"


def test_unlink_with_a_manager_pin_from_a_register(api, linked, manager_user):
    bad = api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong person", "manager_pin": "0000"})
    assert bad.status_code == 403 and bad.get_json()["error"]["code"] == "pin_invalid"
    r = api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong person", "manager_pin": "4321"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["link"]["unlinked_by"] == "token:test cashier approved by boss"
    assert resolve(api, pos_id="c-42").get_json()["status"] != "linked"


def test_repeated_wrong_pins_lock_the_register_out(api, linked, manager_user):
    for _ in range(5):
        api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "x", "manager_pin": "0000"})
    r = api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "x", "manager_pin": "4321"})
    assert r.status_code == 429


def test_unlink_keeps_history_and_moves_sales_with_their_punches(api, manager_api, program, linked):
    api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1)])})
    api.post("/api/v1/sales/commit", {"sale": sale("S-2", lines=[line(1)])})
    right = new_account(api, first_name="Danielle", last_name="Whitfield")
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Dana's sister", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    assert sorted(r.get_json()["moved_sales"]) == ["S-1", "S-2"]
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 0
    assert card_of(api, right["id"], program["id"])[0]["punches"] == 2
    old = PosLink.get()
    assert old.unlinked_at is not None and old.unlink_reason == "Dana's sister"
    # map again, to the right account; the moved sale replays without punching twice
    api.put("/api/v1/links/lightspeed-x/c-42", {"account_id": right["id"]})
    assert api.post("/api/v1/sales/commit", {"sale": sale("S-2", lines=[line(1)])}).status_code == 200
    assert card_of(api, right["id"], program["id"])[0]["punches"] == 2
    actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert actions.count("sale.move") == 2 and "link.unlink" in actions


def test_unlink_unknown_link_is_404(manager_api):
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-none", {"reason": "x"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_linked"


def test_search_by_name_phone_email_and_pos_id(api, linked):
    new_account(api, first_name="Marcus", last_name="Lee", email="marcus@example.com")
    def ids(q):
        return [a["id"] for a in api.get("/api/v1/accounts", query_string={"q": q}).get_json()["accounts"]]
    assert ids("whit") == [linked["id"]]
    assert ids("dana whitfield") == [linked["id"]]
    assert ids("(555) 201-3344") == [linked["id"]]
    assert ids("DANA@example.com") == [linked["id"]]
    assert ids("c-42") == [linked["id"]]
    assert ids("100%_") == []


def test_history_explains_the_card(api, program, linked):
    api.post("/api/v1/sales/commit", {"sale": sale("S-1", lines=[line(1, name="ACANA 25 lb")])})
    h = api.get(f"/api/v1/accounts/{linked['id']}/history").get_json()
    p = h["punches"][0]
    assert p["sale"] == {"system": "lightspeed-x", "sale_id": "S-1"}
    assert p["item"]["name"] == "ACANA 25 lb" and p["quantity"] == 1 and p["actor"] == "token:test cashier"
    assert any(a["action"] == "sale.commit" for a in h["audit"])
