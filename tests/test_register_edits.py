"""What a register's cashier token may change on an account (issue 9): fill in a missing email, phone or address
and record consent; never names, notes, is_test or a contact detail already there. Staff change anything."""
import pytest

from loyalty.models import Account, AuditLog

ADDRESS = {"line1": "1 Main St", "city": "Portland", "region": "OR", "postal_code": "97205", "country": "us"}


@pytest.fixture
def staff_api(client, tokens):
    from builders import Api

    return Api(client, tokens["staff"])


@pytest.fixture
def bare(api):
    """An account with no email, phone or address yet, as the panel creates one for a walk-in."""
    r = api.post("/api/v1/accounts", {"first_name": "Kit", "last_name": "Moss"})
    assert r.status_code == 201
    return r.get_json()


def refused(r, *fields):
    assert r.status_code == 403, (r.status_code, r.get_json())
    err = r.get_json()["error"]
    assert err["code"] == "forbidden" and set(err["fields"]) == set(fields), err
    return err


def test_a_register_fills_in_missing_contact_details_and_consent(api, bare):
    r = api.patch(f"/api/v1/accounts/{bare['id']}", {"email": "kit@example.com", "phone": "555-201-7777",
                                                     "address": ADDRESS, "sms_consent": True,
                                                     "email_consent": True, "consent_source": "counter"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["email"] == "kit@example.com" and body["sms_consent"] is True and body["address"]["city"] == "Portland"
    r = api.patch(f"/api/v1/accounts/{bare['id']}", {"sms_consent": False})  # withdrawn at the counter
    assert r.status_code == 200 and r.get_json()["sms_consent"] is False
    # Sending again what is already there (a retried request) is not a change.
    assert api.patch(f"/api/v1/accounts/{bare['id']}", {"email": "kit@example.com"}).status_code == 200


@pytest.mark.parametrize("change,field", [({"is_test": True}, "is_test"), ({"first_name": "Mallory"}, "first_name"),
                                          ({"last_name": "X"}, "last_name"), ({"notes": "VIP"}, "notes"),
                                          ({"email": "other@example.com"}, "email"),
                                          ({"phone": "555-000-1111"}, "phone"),
                                          ({"email": None}, "email"), ({"address": None}, "address"),
                                          ({"address": {**ADDRESS, "city": "Salem"}}, "address")])
def test_a_register_cannot_change_what_is_already_there(api, linked, change, field):
    api.patch(f"/api/v1/accounts/{linked['id']}", {"address": ADDRESS})  # filled in while missing: allowed
    before = Account.get_by_id(linked["id"])
    audits = AuditLog.select().count()
    refused(api.patch(f"/api/v1/accounts/{linked['id']}", {**change, "sms_consent": True}), field)
    after = Account.get_by_id(linked["id"])
    assert (after.first_name, after.last_name, after.email, after.phone, after.notes, after.is_test,
            after.city, after.sms_consent) == (before.first_name, before.last_name, before.email, before.phone,
                                               before.notes, before.is_test, before.city, before.sms_consent)
    assert AuditLog.select().count() == audits  # nothing of the refused request was kept


def test_every_refused_field_is_named(api, linked):
    err = refused(api.patch(f"/api/v1/accounts/{linked['id']}", {"is_test": True, "notes": "x",
                                                                 "email": "new@example.com"}),
                  "is_test", "notes", "email")
    assert "staff" in err["fields"]["is_test"][0]


def test_staff_and_managers_change_anything(staff_api, manager_api, linked):
    r = staff_api.patch(f"/api/v1/accounts/{linked['id']}", {"is_test": True, "email": "new@example.com",
                                                              "first_name": "Dane", "notes": "prefers email"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["first_name"] == "Dane"
    assert manager_api.patch(f"/api/v1/accounts/{linked['id']}", {"is_test": False}).status_code == 200
