"""Customer matching rules that mutation testing (scripts/mutation, docs/testing.md) showed no test checked."""
from __future__ import annotations

from loyalty.lightspeed.customers import enrich_customer
from loyalty.lightspeed.rseries.sync import sync_all


def test_the_synced_copy_fills_only_what_the_register_left_out_and_only_for_lightspeed(rconnection, rfake,
                                                                                       make_rclient):
    """The register sends the customer's id and a new email: the imported copy fills the names and the phone,
    never replaces what the register sent; a customer id from another POS is not looked up in Lightspeed's."""
    sam = rfake.add_customer("Sam", "Lee", "sam@example.com", "555-999-0000", phone_type="Home")
    sync_all(rconnection, make_rclient(rconnection), "customers", "test")
    customer = {"pos_id": sam["customerID"], "email": "sam.new@example.com"}
    enrich_customer("lightspeed-r", customer)
    assert customer == {"pos_id": sam["customerID"], "email": "sam.new@example.com", "first_name": "Sam",
                        "last_name": "Lee", "phone": "+15559990000"}
    elsewhere = {"pos_id": sam["customerID"]}
    enrich_customer("another-pos", elsewhere)
    assert elsewhere == {"pos_id": sam["customerID"]}


def test_an_r_series_customers_address_prefills_a_new_account(rconnection, rfake, make_rclient):
    """R-Series' contact address (its country given as a name here, which an account cannot take) is the new
    account's mailing address; the register's own data is never replaced."""
    ada = rfake.add_customer("Ada", "Okafor", "ada@example.com", None,
                             address={"address1": "5 Oak Ave", "city": "Eugene", "state": "OR", "zip": "97401",
                                      "country": "United States"})
    sync_all(rconnection, make_rclient(rconnection), "customers", "test")
    customer = {"pos_id": ada["customerID"]}
    enrich_customer("lightspeed-r", customer)
    assert customer["address"] == {"line1": "5 Oak Ave", "city": "Eugene", "region": "OR", "postal_code": "97401"}
    given = {"pos_id": ada["customerID"], "address": {"line1": "1 Other St"}}
    enrich_customer("lightspeed-r", given)
    assert given["address"] == {"line1": "1 Other St"}


def test_a_customer_the_register_sent_whole_is_not_looked_up(rconnection, rfake, make_rclient):
    """Names, email, phone and address all sent: nothing to fill, so the imported copy is not read (the register's
    resolve path); with the address missing it is, for the address alone."""
    from builders import statements

    ada = rfake.add_customer("Ada", "Okafor", "ada@example.com", "555-201-7788",
                             address={"address1": "5 Oak Ave", "city": "Eugene", "state": "OR", "zip": "97401"})
    sync_all(rconnection, make_rclient(rconnection), "customers", "test")
    whole = {"pos_id": ada["customerID"], "first_name": "Ada", "last_name": "O.", "email": "a@example.com",
             "phone": "+15550000000", "address": {"line1": "1 Other St"}}
    sent = dict(whole)
    with statements() as seen:
        enrich_customer("lightspeed-r", whole)
    assert (seen, whole) == ([], sent)
    no_address = {k: v for k, v in sent.items() if k != "address"}
    with statements() as seen:
        enrich_customer("lightspeed-r", no_address)
    assert len(seen) == 1 and no_address == {**{k: v for k, v in sent.items() if k != "address"},
                                             "address": {"line1": "5 Oak Ave", "city": "Eugene", "region": "OR",
                                                         "postal_code": "97401"}}
