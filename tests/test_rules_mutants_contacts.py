"""Contact normalisation (domain/contacts.py) where mutation testing (scripts/mutation, docs/testing.md) showed
no test checked: blank input is no contact, a refused phone or email says why, and a phone is read in the
store's region."""
from loyalty.domain.contacts import normalize_email, normalize_phone, try_normalize_phone


def test_blank_contacts_are_none():
    assert normalize_phone("   ") is None and normalize_email(" \t") is None and try_normalize_phone(" ") is None


def test_a_phone_is_read_in_the_region_given():
    assert try_normalize_phone("01 42 68 53 00", "FR") == "+33142685300"
    assert try_normalize_phone("(555) 201-3344", "US") == "+15552013344"


def test_a_refused_phone_or_email_says_why_in_the_account_form(api):
    for phone in ("call me", "12"):
        r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "phone": phone})
        assert r.status_code == 422, r.get_json()
        assert "phone number" in r.get_json()["error"]["fields"]["phone"][0]
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana-at-example.com"})
    assert r.status_code == 422, r.get_json()
    assert "@" in r.get_json()["error"]["fields"]["email"][0]
