"""An account made in loyalty, made in the POS too (a per-connection setting, ``create_pos_customers``).

``create_in_pos(connection_id, account_id)`` is idempotent and safe to retry (the outbox runs it, again after a
failure): an account already linked to a customer of that POS is left alone; otherwise a POS customer with the
account's email, then phone, is looked for (the synced copy first, then the POS itself) and linked; only when
there is none is one created (X-Series ``POST /api/2.0/customers``, R-Series ``Customer`` with its ``Contact``)
and linked. A POS customer with that email who is already linked to another account is never duplicated: that
is left to staff. A failure never touches the loyalty account; it is raised for the outbox to retry.
"""
from __future__ import annotations

from ..audit import record
from ..db import write_transaction
from ..domain.accounts import link_customer, live_link
from ..domain.contacts import try_normalize_email, try_normalize_phone
from ..models import Account, PosLink
from .client import RetryPolicy
from .models import PosConnection, PosCustomer

OUTBOX_KIND = "pos.create_customer"


def _linked_to(conn, account) -> PosLink | None:
    return PosLink.get_or_none((PosLink.account == account.id) & (PosLink.pos_system == conn.system)
                               & PosLink.unlinked_at.is_null())


def _synced_match(conn, account) -> str | None:
    for field, value in (("email", account.email), ("phone", account.phone)):
        if not value:
            continue
        row = (PosCustomer.select().where((PosCustomer.connection == conn.id) & (getattr(PosCustomer, field) == value)
                                          & (PosCustomer.deleted == False))  # noqa: E712
               .order_by(PosCustomer.id).first())
        if row is not None:
            return row.customer_id
    return None


# --- X-Series ---------------------------------------------------------------------------------------------------

def _xseries_find(client, account, region: str) -> str | None:
    for field, value in (("email", account.email), ("mobile", account.phone), ("phone", account.phone)):
        if not value:
            continue
        found = client.get("search", {"type": "customers", field: value}).get("data") or []
        for customer in found:
            same = (try_normalize_email(customer.get("email")) == account.email if field == "email" else
                    try_normalize_phone(customer.get(field), region) == account.phone)
            if same and not customer.get("deleted_at"):
                return str(customer["id"])
    return None


def _xseries_create(client, account) -> dict:
    body = {"first_name": account.first_name, "last_name": account.last_name, "email": account.email,
            "mobile": account.phone, "enable_loyalty": False, "do_not_email": not account.email_consent,
            "enable_promotional_sms": bool(account.sms_consent)}
    return client.request("POST", "customers", json={k: v for k, v in body.items() if v is not None})["data"]


# --- R-Series ---------------------------------------------------------------------------------------------------

def _rseries_find(client, account) -> str | None:
    if not account.email:
        return None  # R-Series searches a Contact's email; phones are matched on the synced copy only
    for page in client.pages("Customer", {"Contact.email": account.email}, relations=["Contact"], limit=5):
        for customer in page:
            return str(customer["customerID"])
    return None


def _rseries_create(client, account) -> dict:
    contact = {"noEmail": "false" if account.email_consent else "true",
               "noPhone": "false" if account.sms_consent else "true", "noMail": "true"}
    if account.email:
        contact["Emails"] = {"ContactEmail": [{"address": account.email, "useType": "Primary"}]}
    if account.phone:
        contact["Phones"] = {"ContactPhone": [{"number": account.phone, "useType": "Mobile"}]}
    answer = client.post("Customer", {"firstName": account.first_name, "lastName": account.last_name,
                                      "Contact": contact})
    customer = answer.get("Customer")
    return customer[0] if isinstance(customer, list) else customer


# The outbox retries with its own back-off: one quick retry here is enough.
POLICY = RetryPolicy(attempts=2, base_delay=1.0, timeout=20.0, longest_wait=30.0)


def _client(conn):
    if conn.system == "lightspeed-r":
        from .rseries.client import client_for
    else:
        from .connections import client_for
    return client_for(conn, policy=POLICY)


def create_in_pos(connection_id: int, account_id: int, actor: str = "outbox", region: str = "US") -> str:
    """What happened: already_linked, linked_existing, created, or exists_linked_elsewhere. Raises the client's
    errors (Unavailable: try again later; XSeriesError/BadToken: the POS refused)."""
    conn = PosConnection.get_by_id(connection_id)
    account = Account.get_by_id(account_id)
    while account.merged_into_id is not None:  # merged since: the surviving account is the customer
        account = Account.get_by_id(account.merged_into_id)
    if _linked_to(conn, account) is not None:
        return "already_linked"
    existing = _synced_match(conn, account)
    with _client(conn) as client:
        if existing is None:
            existing = (_rseries_find(client, account) if conn.system == "lightspeed-r"
                        else _xseries_find(client, account, region))
        if existing is not None:
            link = live_link(conn.system, existing)
            if link is not None and link.account_id != account.id:
                with write_transaction():
                    record(actor, "pos.customer_exists", "account", account.id, system=conn.system,
                           pos_customer_id=existing, linked_account_id=link.account_id)
                return "exists_linked_elsewhere"
            link_customer(conn.system, existing, account.id, actor)
            return "linked_existing"
        created = (_rseries_create(client, account) if conn.system == "lightspeed-r"
                   else _xseries_create(client, account))
    customer_id = str(created.get("customerID") or created.get("id"))
    _store_created(conn, created)
    link_customer(conn.system, customer_id, account.id, actor)
    with write_transaction():
        record(actor, "pos.customer_created", "account", account.id, system=conn.system, connection=conn.prefix,
               pos_customer_id=customer_id)
    return "created"


def _store_created(conn, created: dict):
    """The new POS customer in the synced copy at once (the next sync would bring it anyway)."""
    from .customers import upsert_customers

    with write_transaction():
        if conn.system == "lightspeed-r":
            from .rseries.sync import upsert_customers as upsert_rseries

            upsert_rseries(conn, [created])
        else:
            upsert_customers(conn, [created])


def connections_creating_customers() -> list:
    return list(PosConnection.select().where(PosConnection.create_pos_customers == True)  # noqa: E712
                .order_by(PosConnection.id))
