"""Tables of the Lightspeed X-Series integration: the store's connection, its catalog and customers as last
synced, the sync cursors and the webhooks received."""
from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..models import BaseModel, JSONField, register_models, utcnow

SYSTEM = "lightspeed-x"


class PosConnection(BaseModel):
    """One POS account: an X-Series domain prefix, or an R-Series account (with its ``RSeriesAccount``). Secrets are stored encrypted (see secrets.py) and are
    never shown again after ``loyalty pos connect``."""

    prefix = CharField(max_length=100, unique=True)
    system = CharField(max_length=20, default=SYSTEM)  # lightspeed-x, or lightspeed-r (see rseries/)
    create_pos_customers = BooleanField(default=False)  # an account made in loyalty is made in the POS too
    base_url = CharField(max_length=300)
    api_version = CharField(max_length=20, default="2.0")
    token_encrypted = TextField()
    webhook_secret_encrypted = TextField()
    created_by = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_webhook_at = DateTimeField(null=True)


class CatalogProduct(BaseModel):
    """A POS product as last synced: how a sale line's product id becomes a UPC/SKU."""

    connection = ForeignKeyField(PosConnection, backref="products", on_delete="CASCADE")
    product_id = CharField(max_length=100)
    sku = CharField(max_length=64, null=True)
    upc = CharField(max_length=64, null=True)  # the primary barcode (first UPC, else first code)
    barcodes = JSONField(default=list)  # every product code, for matching a program's UPC list
    name = CharField(max_length=300, default="")
    variant_name = CharField(max_length=300, null=True)
    brand = CharField(max_length=200, null=True)
    supplier = CharField(max_length=200, null=True)
    version = IntegerField(null=True)
    deleted = BooleanField(default=False)
    synced_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("connection", "product_id"), True), (("product_id",), False))


class PosCustomer(BaseModel):
    """A POS customer as last synced: to prefill a new account and to match one by email or phone."""

    connection = ForeignKeyField(PosConnection, backref="customers", on_delete="CASCADE")
    customer_id = CharField(max_length=100, index=True)  # resolve looks it up alone
    customer_code = CharField(max_length=100, null=True)
    first_name = CharField(max_length=100, default="")
    last_name = CharField(max_length=100, default="")
    email = CharField(max_length=254, null=True, index=True)  # normalized, or None
    phone = CharField(max_length=20, null=True, index=True)  # E.164, or None
    address = JSONField(default=dict)
    version = IntegerField(null=True)
    deleted = BooleanField(default=False)
    synced_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("connection", "customer_id"), True),)


class SyncCursor(BaseModel):
    """The ``version.max`` of the last page stored, per connection and resource: the next run's ``after``."""

    connection = ForeignKeyField(PosConnection, backref="cursors", on_delete="CASCADE")
    resource = CharField(max_length=40)
    version = IntegerField(default=0)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("connection", "resource"), True),)


class WebhookReceipt(BaseModel):
    """A webhook delivery processed, keyed by a digest of its type and payload: Lightspeed retries a delivery
    up to 20 times, and a replay answers from here without doing the work again."""

    connection = ForeignKeyField(PosConnection, backref="webhooks", on_delete="CASCADE")
    digest = CharField(max_length=64)
    event_type = CharField(max_length=40)
    object_id = CharField(max_length=100, null=True)
    outcome = CharField(max_length=40)
    result = JSONField(default=dict)
    received_at = DateTimeField(default=utcnow)
    replays = IntegerField(default=0)

    class Meta:
        indexes = ((("connection", "digest"), True),)


register_models(PosConnection, CatalogProduct, PosCustomer, SyncCursor, WebhookReceipt)
