"""POS customers imported from X-Series or R-Series: fill in what the register sends of a customer, and match
existing accounts by email, then phone. Only a unique email match is linked automatically (and only when asked): a
phone is often shared by a household, so phone matches are left to staff as candidates."""
from __future__ import annotations

from flask import current_app

from .. import fastsql
from ..audit import record
from ..db import write_transaction
from ..domain.accounts import link_customer, live_link
from ..models import Account
from .mapping import account_address, customer_values
from .models import SYSTEM, PosConnection, PosCustomer

RSERIES = "lightspeed-r"
from .upsert import upsert_by_id


def upsert_customers(conn, items: list) -> int:
    region = current_app.config.get("PHONE_REGION", "US")
    return upsert_by_id(PosCustomer, "customer_id", conn, items, lambda obj: customer_values(obj, region))


ENRICHED = ("first_name", "last_name", "email", "phone")


def enrich_customer(system: str, customer: dict) -> None:
    """The resolve path's enricher (see ``domain.accounts.register_customer_enricher``): the sell screen knows
    only the customer's id; the imported copy supplies the names, email and phone that find the account, and the
    address that prefills a new one."""
    if system not in (SYSTEM, RSERIES) or not customer.get("pos_id") \
            or all(customer.get(k) for k in (*ENRICHED, "address")):
        return
    if system == SYSTEM:
        # On the register's resolve path: a pre-built query (see loyalty.fastsql).
        row = fastsql.first(PosCustomer, '"customer_id" = ? AND "deleted" = ?', (customer["pos_id"], False))
    else:
        # R-Series ids are small numbers, unique only within an account: only R-Series connections' rows.
        row = (PosCustomer.select().join(PosConnection)
               .where((PosCustomer.customer_id == customer["pos_id"]) & (PosCustomer.deleted == False)  # noqa: E712
                      & (PosConnection.system == RSERIES)).first())
    if row is None:
        return
    for key in ENRICHED:
        if not customer.get(key) and getattr(row, key):
            customer[key] = getattr(row, key)
    address = None if customer.get("address") else account_address(row.address)
    if address:
        customer["address"] = address


def _matches(customer: PosCustomer) -> tuple[list, str | None]:
    live = Account.merged_into.is_null()
    if customer.email:
        found = list(Account.select(Account.id).where((Account.email == customer.email) & live).limit(2))
        if found:
            return [a.id for a in found], "email"
    if customer.phone:
        found = list(Account.select(Account.id).where((Account.phone == customer.phone) & live).limit(5))
        if found:
            return [a.id for a in found], "phone"
    return [], None


def match_customers(conn, actor: str, link: bool = False) -> dict:
    """Match the imported customers not yet linked to accounts. Returns counts, and with ``link`` links each
    customer whose email belongs to exactly one account (each link with its audit row)."""
    counts = {"linked_already": 0, "linked_now": 0, "email_match": 0, "phone_match": 0, "no_match": 0,
              "walk_in": 0}
    for customer in PosCustomer.select().where((PosCustomer.connection == conn.id) & (PosCustomer.deleted == False)  # noqa: E712
                                               ).order_by(PosCustomer.id):
        if (customer.customer_code or "").upper() == "WALKIN":
            counts["walk_in"] += 1
            continue
        if live_link(conn.system, customer.customer_id) is not None:
            counts["linked_already"] += 1
            continue
        ids, how = _matches(customer)
        if how is None:
            counts["no_match"] += 1
        elif how == "email" and len(ids) == 1 and link:
            link_customer(conn.system, customer.customer_id, ids[0], actor)  # its own transaction and audit row
            counts["linked_now"] += 1
        else:
            counts[f"{how}_match"] += 1
    with write_transaction():
        record(actor, "pos.match_customers", "pos_connection", conn.id, link=link, **counts)
    return counts
