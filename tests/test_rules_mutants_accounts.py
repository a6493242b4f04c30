"""Customer matching and links (domain/accounts.py) where mutation testing (scripts/mutation, docs/testing.md)
showed no test checked: how the resolve answer reads a POS display name and caps its candidates, when it marks a
family, what the linked answer carries; what a register may not change and why it is told; a name blanked by an
edit; and the "incorrect customer map" (unlink): its refusals, which sales it moves and its audit row."""
import pytest

from builders import Api, commit, line, make_app, program_body, sale, statements
from loyalty.auth import create_token
from loyalty.domain.accounts import account_dict, split_display_name
from loyalty.domain.merges import merge_accounts
from loyalty.models import Account, AuditLog, PosLink

ADDRESS = {"line1": "1 Main St", "city": "Portland", "region": "OR", "postal_code": "97205", "country": "us"}


def new_account(api, **kw):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", **kw})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def resolve(api, **customer):
    r = api.post("/api/v1/customers/resolve", {"pos": {"system": "lightspeed-x"}, "customer": customer})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def staff_api(client, tokens):
    return Api(client, tokens["staff"])


# --- resolve: a POS customer's name, candidates, the linked answer ----------------------------------------------

@pytest.mark.parametrize("name,first,last", [("Cher", "Cher", ""), ("Dana Whitfield", "Dana", "Whitfield"),
                                             ("Mary Ann Smith", "Mary Ann", "Smith")])
def test_a_display_name_alone_prefills_first_and_last_name(api, name, first, last):
    prefill = resolve(api, pos_id="c-1", name=name)["prefill"]
    assert (prefill["first_name"], prefill["last_name"]) == (first, last)


def test_no_display_name_splits_into_no_name():
    assert split_display_name("") == ("", "") and split_display_name(None) == ("", "")
    assert split_display_name("  ") == ("", "")


@pytest.mark.parametrize("customer,first,last", [
    ({"first_name": "Dana", "last_name": "Whitfield", "name": "DW Grooming"}, "Dana", "Whitfield"),
    ({"first_name": "Ada", "name": "Ada Okafor"}, "Ada", ""),
    ({"last_name": "Okafor", "name": "Ada Okafor"}, "", "Okafor"),
])
def test_the_display_name_is_split_only_when_the_pos_gave_neither_name(api, customer, first, last):
    prefill = resolve(api, pos_id="c-1", **customer)["prefill"]
    assert (prefill["first_name"], prefill["last_name"]) == (first, last)


def test_a_customer_without_a_pos_id_prefills_no_link(api):
    data = resolve(api, first_name="Sam", last_name="Rivera")
    assert data["status"] == "none" and data["account"] is None and data["candidates"] == []
    assert data["prefill"]["link"] is None


def test_resolve_offers_at_most_ten_candidates(api):
    made = [new_account(api, first_name=f"Pup{i}", phone="555-201-4646")["id"] for i in range(11)]
    data = resolve(api, pos_id="c-1", phone="555-201-4646")
    assert data["status"] == "candidates" and data["account"] is None
    assert [c["account"]["id"] for c in data["candidates"]] == made[:10]


def test_one_account_with_the_phone_is_not_a_family(api):
    only = new_account(api, phone="555-201-4646")
    data = resolve(api, pos_id="c-1", phone="(555) 201-4646")
    assert [(c["account"]["id"], c["match"]) for c in data["candidates"]] == [(only["id"], "phone")]
    assert "family" not in data["candidates"][0]


def test_a_name_match_needs_both_first_and_last_name(api):
    new_account(api, first_name="Ada", last_name="Okafor")
    # One field holding both words (a POS import that put the whole name in the last name) identifies no one.
    assert resolve(api, pos_id="c-1", last_name="Okafor Ada")["status"] == "none"
    assert resolve(api, pos_id="c-1", first_name="Okafor Ada")["status"] == "none"
    assert resolve(api, pos_id="c-1", first_name="Ada", last_name="Okafor")["status"] == "candidates"


def test_the_linked_answer_shows_the_customers_cards_and_no_candidates(api, manager_api, linked):
    program = manager_api.post("/api/v1/programs", program_body(buy_quantity=10)).get_json()
    commit(api, sale("S-1", lines=[line(1)]))
    data = resolve(api, pos_id="c-42", first_name="Dana", last_name="Whitfield", email="dana@example.com")
    assert data["status"] == "linked" and data["account"]["id"] == linked["id"]
    assert [(c["program_id"], c["punches"]) for c in data["account"]["cards"]] == [(program["id"], 1)]
    assert data["candidates"] == []  # the email would have matched: a linked customer is not offered again
    assert data["prefill"]["email"] == "dana@example.com"


def test_resolve_reads_a_phone_in_the_stores_region(db_url):
    app = make_app(db_url, PHONE_REGION="GB")
    with app.app_context():
        api = Api(app.test_client(), create_token("t", "cashier")[1])
        london = new_account(api, phone="020 7946 0018")
        data = resolve(api, pos_id="c-1", phone="020 7946 0018")
        assert data["prefill"]["phone"] == "+442079460018"
        assert [(c["account"]["id"], c["match"]) for c in data["candidates"]] == [(london["id"], "phone")]
        # and the panel shows the number as a London store writes it
        assert data["candidates"][0]["account"]["phone_display"] == "020 7946 0018"


def test_a_phone_is_shown_as_a_us_store_writes_it_outside_a_request():
    # Without an app (a script calling the domain directly) there is no store setting: the region is the US.
    account = Account(first_name="Dana", last_name="Whitfield", phone="+15552013344")
    assert account_dict(account)["phone_display"] == "(555) 201-3344"


# --- what a register may change, and the names an edit leaves -------------------------------------------------

def test_a_register_replacing_an_address_is_refused_even_next_to_a_language_change(api, linked):
    assert api.patch(f"/api/v1/accounts/{linked['id']}", {"address": ADDRESS}).status_code == 200
    r = api.patch(f"/api/v1/accounts/{linked['id']}", {"language": "fr", "address": {**ADDRESS, "city": "Salem"}})
    assert r.status_code == 403, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "forbidden" and list(err["fields"]) == ["address"]
    assert err["message"] == "a register may only fill in missing contact details and record consent"
    account = Account.get_by_id(linked["id"])
    assert (account.city, account.language) == ("Portland", "en")


def test_a_register_is_told_why_it_may_not_replace_an_email(api, linked):
    r = api.patch(f"/api/v1/accounts/{linked['id']}", {"email": "new@example.com"})
    assert r.status_code == 403
    assert r.get_json()["error"]["fields"] == {
        "email": ["a register may fill this in only when the account has none; staff can change it"]}


def test_consent_given_at_the_register_records_who_when_no_source_is_named(api, linked):
    r = api.patch(f"/api/v1/accounts/{linked['id']}", {"sms_consent": True})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["sms_consent_source"] == "token:test cashier" and r.get_json()["sms_consent_at"] is not None
    row = AuditLog.get(AuditLog.action == "account.update")
    assert (row.entity, row.entity_id, row.account_id, row.actor) == (
        "account", str(linked["id"]), linked["id"], "token:test cashier")
    assert row.details["changed"]["sms_consent_source"] == [None, "token:test cashier"]


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_an_edit_cannot_blank_a_name(staff_api, linked, field):
    r = staff_api.patch(f"/api/v1/accounts/{linked['id']}", {field: "   "})
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["message"] == "first and last name cannot be empty" and err["fields"] == {field: ["required"]}
    account = Account.get_by_id(linked["id"])
    assert (account.first_name, account.last_name) == ("Dana", "Whitfield")
    assert not AuditLog.select().where(AuditLog.action == "account.update").exists()


# --- unlink: the "incorrect customer map" ----------------------------------------------------------------------

def test_unlinking_a_customer_that_is_not_linked_says_so(manager_api):
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-none", {"reason": "x"})
    assert r.status_code == 404
    assert r.get_json()["error"]["message"] == "this POS customer is not linked"


def test_moving_sales_to_the_account_already_linked_is_refused_and_the_link_stays(api, manager_api, linked):
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "x", "move_sales_to": linked["id"]})
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["message"] == "move_sales_to is the account already linked"
    assert err["fields"] == {"move_sales_to": ["must be a different account"]}
    assert resolve(api, pos_id="c-42")["status"] == "linked"
    assert not AuditLog.select().where(AuditLog.action == "link.unlink").exists()


def test_unlinking_moves_only_that_customers_sales_and_the_audit_row_says_what_moved(api, manager_api, linked):
    program = manager_api.post("/api/v1/programs", program_body(buy_quantity=10)).get_json()
    other = new_account(api, first_name="Marcus", last_name="Lee",
                        link={"system": "lightspeed-x", "customer_id": "c-7"})
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, sale("S-7", lines=[line(1)], customer="c-7"))
    commit(api, sale("S-2", lines=[line(1)]))
    right = new_account(api, first_name="Danielle")
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Dana's sister", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["moved_sales"] == ["S-1", "S-2"]

    def punches(account):
        cards = api.get(f"/api/v1/accounts/{account['id']}").get_json()["cards"]
        return sum(c["punches"] for c in cards if c["program_id"] == program["id"])

    assert (punches(linked), punches(right), punches(other)) == (0, 2, 1)
    link = PosLink.get(PosLink.pos_customer_id == "c-42")
    row = AuditLog.get(AuditLog.action == "link.unlink")
    assert (row.entity, row.entity_id, row.account_id, row.actor) == (
        "pos_link", str(link.id), linked["id"], "token:test manager")
    assert row.details == {"system": "lightspeed-x", "customer_id": "c-42", "reason": "Dana's sister",
                           "moved_sales": ["S-1", "S-2"], "moved_to": right["id"]}


# --- search: the staff's and the register's account search box ------------------------------------------------

def search(api, q):
    r = api.get("/api/v1/accounts", query_string={"q": q})
    assert r.status_code == 200, r.get_json()
    return [a["id"] for a in r.get_json()["accounts"]]


def test_an_empty_search_lists_the_25_most_recently_changed_accounts_without_merged_ones(api, staff_api):
    made = [new_account(api, first_name=f"Pup{i}")["id"] for i in range(27)]
    merge_accounts(made[1], made[2], "user:boss")  # made[2] now answers as made[1]
    assert staff_api.patch(f"/api/v1/accounts/{made[5]}", {"notes": "prefers email"}).status_code == 200
    found = search(api, "")
    assert len(found) == 25 and made[2] not in found
    assert found[0] == made[5]  # changed last


def test_a_search_by_email_phone_or_part_of_a_number_lists_at_most_25(api):
    for i in range(26):
        new_account(api, first_name=f"Pup{i}", email="family@example.com", phone="555-201-4646")
    assert len(search(api, "family@example.com")) == 25
    assert len(search(api, "(555) 201-4646")) == 25
    assert len(search(api, "201-4646")) == 25
    assert len(search(api, "whitfield")) == 25


def test_part_of_a_number_lists_the_accounts_by_name(api):
    young = new_account(api, first_name="Zed", last_name="Young", phone="555-201-4646")
    okafor = new_account(api, first_name="Ada", last_name="Okafor", phone="555-201-4646")
    assert search(api, "201-4646") == [okafor["id"], young["id"]]


def test_a_name_search_lists_the_accounts_by_last_name(api):
    young = new_account(api, first_name="Ada", last_name="Young")
    okafor = new_account(api, first_name="Ada", last_name="Okafor")
    assert search(api, "ada") == [okafor["id"], young["id"]]


def test_a_short_number_is_a_pos_customer_id_not_part_of_a_phone(api):
    dana = new_account(api, link={"system": "lightspeed-x", "customer_id": "1042"})
    new_account(api, first_name="Marcus", last_name="Lee", phone="555-201-1042")
    assert search(api, "1042") == [dana["id"]]


def test_a_search_reads_a_phone_in_the_stores_region(db_url):
    app = make_app(db_url, PHONE_REGION="GB")
    with app.app_context():
        api = Api(app.test_client(), create_token("t", "cashier")[1])
        london = new_account(api, phone="020 7946 0018")
        assert search(api, "020 7946 0018") == [london["id"]]


def test_every_word_of_a_name_search_must_match_and_merged_accounts_are_left_out(api):
    dana = new_account(api)
    new_account(api, first_name="Danielle")
    merged = new_account(api, first_name="Dana", last_name="Whitfield-Old")
    merge_accounts(dana["id"], merged["id"], "user:boss")
    assert search(api, "dana whit") == [dana["id"]]


def test_a_name_search_ignores_case_beyond_ascii(api):
    elodie = new_account(api, first_name="Élodie", last_name="Béranger")
    assert search(api, "ÉLODIE") == [elodie["id"]]
    assert search(api, "élodie bér") == [elodie["id"]]


def test_a_linked_customers_sale_reads_the_catalog_version_with_the_link(api, manager_api, linked):
    manager_api.post("/api/v1/programs", program_body(buy_quantity=10))
    with statements() as seen:
        commit(api, sale("S-1", lines=[line(1)]))
    # The programs' version rides on the link's statement (accounts.live_link_and_account): one statement fewer.
    version_reads = [sql for sql in seen if '"catalog_version"' in sql]
    assert version_reads and all('"pos_link"' in sql for sql in version_reads), version_reads


def test_a_linked_customers_sale_answer_shows_their_whole_account(api, linked):
    assert api.patch(f"/api/v1/accounts/{linked['id']}", {"sms_consent": True, "consent_source": "counter"}).status_code == 200
    answer = commit(api, sale("S-1", lines=[line(1)]))["account"]
    assert (answer["id"], answer["sms_consent"], answer["sms_consent_source"]) == (linked["id"], True, "counter")
    assert answer["created_at"] == linked["created_at"] and answer["language"] == linked["language"]


# --- links and accounts looked up by id -------------------------------------------------------------------------

def test_a_customer_linked_elsewhere_is_refused_naming_the_account_it_is_linked_to(api, linked):
    other = new_account(api, first_name="Marcus", last_name="Lee")
    r = api.put("/api/v1/links/lightspeed-x/c-42", {"account_id": other["id"]})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert (err["code"], err["account_id"]) == ("already_linked", linked["id"])
    assert err["message"] == "this POS customer is already linked to another account"
    assert api.get(f"/api/v1/accounts/{other['id']}").get_json()["links"] == []


def test_a_new_link_names_who_made_it_with_an_audit_row(api):
    dana = new_account(api)
    r = api.put("/api/v1/links/lightspeed-x/c-9", {"account_id": dana["id"]})
    assert r.status_code == 200, r.get_json()
    links = api.get(f"/api/v1/accounts/{dana['id']}").get_json()["links"]
    assert [(l["system"], l["customer_id"], l["linked_by"]) for l in links] == [
        ("lightspeed-x", "c-9", "token:test cashier")]
    link = PosLink.get(PosLink.pos_customer_id == "c-9")
    row = AuditLog.get(AuditLog.action == "link.create")
    assert (row.entity, row.entity_id, row.account_id, row.actor) == (
        "pos_link", str(link.id), dana["id"], "token:test cashier")
    assert row.details == {"system": "lightspeed-x", "customer_id": "c-9"}


def test_an_unknown_account_is_a_404_naming_the_field(api):
    r = api.get("/api/v1/accounts/987654")
    assert r.status_code == 404
    err = r.get_json()["error"]
    assert err["message"] == "no account 987654" and err["fields"] == {"account_id": ["unknown account"]}


def test_a_merged_account_answers_as_the_one_it_was_merged_into(api):
    dana, old = new_account(api), new_account(api, first_name="Dana", last_name="Whitfield-Old")
    merge_accounts(dana["id"], old["id"], "user:boss")
    assert api.get(f"/api/v1/accounts/{old['id']}").get_json()["id"] == dana["id"]


# --- a new account: its names, its audit row -----------------------------------------------------------------------

@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_new_account_needs_a_name_that_is_not_only_spaces(api, field):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", field: "   "})
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["message"] == "first and last name are required" and err["fields"] == {field: ["required"]}
    assert Account.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action == "account.create").exists()


def test_a_new_account_has_an_audit_row_with_what_was_given(api):
    dana = new_account(api, first_name=" Dana ", email="Dana@Example.com", sms_consent=True, consent_source="counter",
                       link={"system": "lightspeed-x", "customer_id": "c-42"})
    row = AuditLog.get(AuditLog.action == "account.create")
    assert (row.entity, row.entity_id, row.account_id, row.actor) == (
        "account", str(dana["id"]), dana["id"], "token:test cashier")
    assert row.details["fields"] == {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                     "sms_consent": True, "sms_consent_source": "counter"}
    assert [l["customer_id"] for l in dana["links"]] == ["c-42"] and dana["sms_consent_at"] is not None


def test_consent_given_at_enrolment_names_who_recorded_it_when_no_source_is_named(api):
    dana = new_account(api, sms_consent=True)
    assert (dana["sms_consent_source"], dana["email_consent_source"]) == ("token:test cashier", None)


def test_invalid_contact_details_are_refused_together_with_one_message(api):
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "nope", "phone": "12"})
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["message"] == "some fields are not valid" and set(err["fields"]) == {"email", "phone"}
    assert "@" in err["fields"]["email"][0] and "phone number" in err["fields"]["phone"][0]


def test_staff_record_email_consent_and_an_address_with_its_country_in_capitals(staff_api, linked):
    r = staff_api.patch(f"/api/v1/accounts/{linked['id']}", {"email_consent": True, "consent_source": "signed form",
                                                              "address": ADDRESS})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["email_consent"], body["email_consent_source"]) == (True, "signed form")
    assert body["email_consent_at"] is not None and body["sms_consent_at"] is None
    assert body["address"] == {"line1": "1 Main St", "line2": None, "city": "Portland", "region": "OR",
                               "postal_code": "97205", "country": "US"}


def test_a_registered_customer_enricher_fills_in_what_the_register_left_out_once(api):
    # The Lightspeed enricher stays registered from whichever app the process made first, so whether registering
    # works at all is checked with an enricher of the test's own.
    from loyalty.domain import accounts

    def fill(system, customer):
        customer["email"] = customer.get("email") or f"{customer['pos_id']}@{system}.example.com"

    try:
        accounts.register_customer_enricher(fill)
        accounts.register_customer_enricher(fill)
        assert accounts._CUSTOMER_ENRICHERS.count(fill) == 1
        assert resolve(api, pos_id="c-1", first_name="Sam", last_name="Rivera")["prefill"]["email"] == \
            "c-1@lightspeed-x.example.com"
    finally:
        accounts._CUSTOMER_ENRICHERS.remove(fill)
