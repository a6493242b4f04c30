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
