"""Matching imported POS customers (lightspeed/customers.py) where mutation testing (scripts/mutation,
docs/testing.md) showed no test checked: every kind of customer counted however many there are, whatever
comes first, deleted ones left out; the audit row of a match run; phones read in the store's region."""
from __future__ import annotations

from loyalty.lightspeed.customers import match_customers
from loyalty.lightspeed.models import PosCustomer
from loyalty.lightspeed.sync import sync_all
from loyalty.models import AuditLog, PosLink


def account(api, first, **contact):
    r = api.post("/api/v1/accounts", {"first_name": first, "last_name": "Test", **contact})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_match_run_counts_every_customer_of_each_kind_and_leaves_deleted_ones_out(connection, fake, make_client,
                                                                                     api):
    for name in ("Walk", "Stroll"):  # first in the import: counting goes on after them
        fake.add_customer(name, "In", code="WALKIN")
    linked = [fake.add_customer(name, "Linked", f"{name.lower()}@pos.example.com") for name in ("Lee", "Lou")]
    for c in linked:
        api.put(f"/api/v1/links/lightspeed-x/{c['id']}", {"account_id": account(api, c["first_name"])["id"]})
    account(api, "Ann", email="ann@example.com")
    account(api, "Bob", email="bob@example.com")
    account(api, "Cat", phone="555-777-1212")
    account(api, "Dan", phone="555-777-1313")
    fake.add_customer("Ann", "Test", "Ann@Example.com")
    fake.add_customer("Bob", "Test", "bob@example.com")
    fake.add_customer("Cat", "Test", None, "(555) 777-1212")
    fake.add_customer("Dan", "Test", None, "555 777 1313")
    fake.add_customer("Nobody", "Known", "nobody@example.com")
    fake.add_customer("Nemo", "Known", None, "555-000-1111")
    gone = fake.add_customer("Gone", "Test", "ann@example.com")
    fake.delete("customers", gone["id"])
    sync_all(connection, make_client(connection), "customers", "test")

    counts = match_customers(connection, "test manager", link=False)
    assert counts == {"linked_already": 2, "linked_now": 0, "email_match": 2, "phone_match": 2, "no_match": 2,
                      "walk_in": 2}
    audit = AuditLog.get(AuditLog.action == "pos.match_customers")
    assert (audit.entity, audit.entity_id, audit.actor) == ("pos_connection", str(connection.id), "test manager")
    assert audit.details == {"link": False, **counts}
    counts = match_customers(connection, "test manager", link=True)
    assert (counts["linked_now"], counts["linked_already"], counts["email_match"]) == (2, 2, 0)
    assert PosLink.select().where(PosLink.pos_customer_id == gone["id"]).count() == 0


def test_imported_phones_are_read_in_the_stores_region(app, connection, fake, make_client):
    app.config["PHONE_REGION"] = "FR"
    c = fake.add_customer("Amélie", "Poulain", None, "01 42 68 53 00")
    sync_all(connection, make_client(connection), "customers", "test")
    assert PosCustomer.get(PosCustomer.customer_id == c["id"]).phone == "+33142685300"
