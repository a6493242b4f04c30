"""Item and Customer sync from R-Series into the shared catalog and customer tables, by ``timeStamp``.

R-Series lists have no version cursor: a walk asks for objects stamped at or after the last stamp stored
(``timeStamp=>=,<stamp>``, sorted by timeStamp, archived ones included so a removal is learnt too), and each page
is stored in one transaction with the page's largest stamp and an audit row. Objects stamped exactly at the
cursor are read again next time; storing one twice writes the same row.
"""
from __future__ import annotations

from flask import current_app

from ...audit import record
from ...db import write_transaction
from ...models import utcnow
from ..models import CatalogProduct, PosCustomer
from ..upsert import upsert_by_id
from .mapping import customer_values, item_values
from .models import TimestampCursor

ITEM_RELATIONS = ["Manufacturer"]


def stamp_of(conn, resource: str) -> str | None:
    row = TimestampCursor.get_or_none((TimestampCursor.connection == conn.id) & (TimestampCursor.resource == resource))
    return row.stamp if row else None


def save_stamp(conn, resource: str, stamp: str):
    """The caller holds the page's transaction."""
    updated = TimestampCursor.update(stamp=stamp, updated_at=utcnow()).where(
        (TimestampCursor.connection == conn.id) & (TimestampCursor.resource == resource)).execute()
    if not updated:
        TimestampCursor.create(connection=conn.id, resource=resource, stamp=stamp)


def upsert_items(conn, items: list) -> int:
    return upsert_by_id(CatalogProduct, "product_id", conn, items, item_values, id_key="itemID")


def upsert_customers(conn, items: list) -> int:
    region = current_app.config.get("PHONE_REGION", "US")
    return upsert_by_id(PosCustomer, "customer_id", conn, items, lambda obj: customer_values(obj, region),
                        id_key="customerID")


RESOURCES = {"products": ("Item", upsert_items, ITEM_RELATIONS),
             "customers": ("Customer", upsert_customers, ["Contact"])}


def sync_all(conn, client, resource: str, actor: str, *, full: bool = False, limit: int = 100,
             totals: dict | None = None) -> dict:
    """Walk ``resource`` (products or customers) from the stored stamp to the end; the totals. A ``totals``
    dict passed in is updated page by page, so a caller still knows what was stored when a page fails."""
    name, store, relations = RESOURCES[resource]
    totals = totals if totals is not None else {}
    since = None if full else stamp_of(conn, resource)
    totals.update(pages=0, received=0, written=0, cursor=since)
    params = {"sort": "timeStamp", "archived": "true"}
    if since:
        params["timeStamp"] = f">=,{since}"
    for page in client.pages(name, params, relations=relations, limit=limit):
        newest = max(str(obj.get("timeStamp") or "") for obj in page)
        with write_transaction():
            written = store(conn, page)
            if newest:
                save_stamp(conn, resource, newest)
            record(actor, f"pos.sync.{resource}", "pos_connection", conn.id, received=len(page), written=written,
                   since=since, cursor=newest)
        totals["pages"] += 1
        totals["received"] += len(page)
        totals["written"] += written
        totals["cursor"] = newest
    return totals
