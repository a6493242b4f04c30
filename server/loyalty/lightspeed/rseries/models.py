"""Tables of the Lightspeed R-Series integration. The connection itself is a ``PosConnection`` (system
``lightspeed-r``), so the catalog and customers synced from R-Series land in the same tables as X-Series' (what
the punch and points programs match against); what only R-Series has lives here."""
from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ...models import BaseModel, register_models, utcnow
from ..models import PosConnection

SYSTEM = "lightspeed-r"


class RSeriesAccount(BaseModel):
    """The OAuth side of an R-Series connection. The access and refresh tokens are ONE encrypted value (a JSON
    pair): R-Series rotates both on every refresh, and a pair half-written would leave a refresh token that no
    longer works. ``generation`` grows by one per refresh, so a worker that read an older pair knows another one
    refreshed in the meantime."""

    connection = ForeignKeyField(PosConnection, backref="rseries", on_delete="CASCADE", unique=True)
    account_id = CharField(max_length=40)
    api_root = CharField(max_length=300)  # https://api.lightspeedapp.com (a fake's address in tests)
    token_url = CharField(max_length=300)
    client_id = CharField(max_length=200)
    client_secret_encrypted = TextField()
    tokens_encrypted = TextField()
    generation = IntegerField(default=1)
    expires_at = DateTimeField()
    refreshed_at = DateTimeField(default=utcnow)


class TimestampCursor(BaseModel):
    """Where the next R-Series walk of ``resource`` starts: the largest ``timeStamp`` stored (ISO 8601 text, as
    R-Series writes it). Saved in the same transaction as the page it ends."""

    connection = ForeignKeyField(PosConnection, backref="timestamp_cursors", on_delete="CASCADE")
    resource = CharField(max_length=40)
    stamp = CharField(max_length=40)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("connection", "resource"), True),)


class PolledSale(BaseModel):
    """An R-Series sale the poller has handled, at which timeStamp, and what came of it."""

    connection = ForeignKeyField(PosConnection, backref="polled_sales", on_delete="CASCADE")
    sale_id = CharField(max_length=40)
    stamp = CharField(max_length=40)
    outcome = CharField(max_length=40)
    detail = TextField(default="")
    polled_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("connection", "sale_id"), True),)


register_models(RSeriesAccount, TimestampCursor, PolledSale)
