"""Catalog and customer sync: walk an X-Series list endpoint page by page from the stored cursor.

Each page is stored in one transaction together with the cursor (its ``version.max``) and an audit row, so a
walk that fails half-way keeps every page it finished and the next run resumes after the last one, without
duplicates (rows are keyed by X-Series id and the newest version wins). ``deleted=true`` asks for deleted
objects too, so an incremental run also learns what was removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from flask_babel import gettext as _

from ..audit import record
from ..db import write_transaction
from ..errors import LoyaltyError, ValidationFailed
from ..models import utcnow
from .catalog import upsert_products
from .client import RetryPolicy, XSeriesError
from .connections import client_for
from .customers import upsert_customers
from .models import CatalogProduct, PosCustomer, SyncCursor

RESOURCES = {"products": upsert_products, "customers": upsert_customers}


@dataclass
class PageDone:
    resource: str
    received: int
    written: int
    cursor: int


def cursor_of(conn, resource: str) -> int:
    row = SyncCursor.get_or_none((SyncCursor.connection == conn.id) & (SyncCursor.resource == resource))
    return row.version if row else 0


def _save_cursor(conn, resource: str, version: int):
    updated = SyncCursor.update(version=version, updated_at=utcnow()).where(
        (SyncCursor.connection == conn.id) & (SyncCursor.resource == resource)).execute()
    if not updated:
        SyncCursor.create(connection=conn.id, resource=resource, version=version)


def sync(conn, client, resource: str, actor: str, *, full: bool = False, page_size: int = 200) -> Iterator[PageDone]:
    """Yield one ``PageDone`` per page stored. ``full`` starts from the beginning instead of the cursor."""
    store = RESOURCES[resource]
    after = 0 if full else cursor_of(conn, resource)
    for page in client.pages(resource, after=after, page_size=page_size, deleted="true"):
        with write_transaction():
            written = store(conn, page.data)
            _save_cursor(conn, resource, page.version_max)
            record(actor, f"pos.sync.{resource}", "pos_connection", conn.id, received=len(page.data),
                   written=written, after=after, cursor=page.version_max)
        after = page.version_max
        yield PageDone(resource, len(page.data), written, page.version_max)


def sync_all(conn, client, resource: str, actor: str, *, totals: dict | None = None, **kwargs) -> dict:
    """Run ``sync`` to the end; the totals. A ``totals`` dict passed in is updated page by page, so a caller
    still knows what was stored when a page fails."""
    totals = totals if totals is not None else {}
    totals.update(pages=0, received=0, written=0, cursor=cursor_of(conn, resource))
    for done in sync(conn, client, resource, actor, **kwargs):
        totals["pages"] += 1
        totals["received"] += done.received
        totals["written"] += done.written
        totals["cursor"] = done.cursor
    return totals


def run_sync(conn, resource: str, actor: str, *, full: bool = False, policy: RetryPolicy | None = None,
             page_size: int = 200) -> dict:
    """One sync of ``resource`` with its own client, for callers that report instead of raising (the staff
    app): the totals and ``error`` (None, or why it stopped: the API's refusal or unavailability, never the
    token). Pages stored before a failure stay stored. Leaves one ``pos.sync_run`` audit row."""
    if resource not in RESOURCES:
        raise ValidationFailed(_("nothing to sync called '%(resource)s'", resource=resource),
                               fields={"resource": list(RESOURCES)})
    totals = {"error": None}
    try:
        with client_for(conn, policy=policy) as client:
            sync_all(conn, client, resource, actor, full=full, page_size=page_size, totals=totals)
    except (XSeriesError, LoyaltyError) as exc:
        totals["error"] = getattr(exc, "message", None) or str(exc)
    with write_transaction():
        record(actor, "pos.sync_run", "pos_connection", conn.id, resource=resource, full=full, **totals)
    return totals


def sync_status(conn) -> dict:
    """Per resource: how many live objects are stored, the cursor and when it last moved (None: never)."""
    cursors = {c.resource: c for c in SyncCursor.select().where(SyncCursor.connection == conn.id)}
    status = {}
    for resource, model in (("products", CatalogProduct), ("customers", PosCustomer)):
        count = model.select().where((model.connection == conn.id) & (model.deleted == False)).count()  # noqa: E712
        cursor = cursors.get(resource)
        status[resource] = {"count": count, "cursor": cursor.version if cursor else None,
                            "synced_at": cursor.updated_at if cursor else None}
    return status
