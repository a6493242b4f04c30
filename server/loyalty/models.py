"""The loyalty data model.

Punch counts on a card are a cache of the ``Punch`` ledger (every row says who, when, why and which sale
line); every write also leaves an ``AuditLog`` row. Other features (staff web app, POS integration) add their
own models in their own modules and list them in ``ALL_MODELS`` through ``register_models``.
"""
from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from contextvars import ContextVar

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .db import database


_pinned_now: ContextVar = ContextVar("pinned_now", default=None)


def utcnow() -> dt.datetime:
    # Naive UTC everywhere in storage: SQLite has no time zones and PostgreSQL 'timestamp' matches.
    pinned = _pinned_now.get()
    if pinned is not None:
        return pinned
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@contextmanager
def clock_at(when: dt.datetime):
    """Everything written inside happens at ``when`` (naive UTC): the demo records a year of history this way,
    through the same domain functions as a real sale, so windows and expiry dates follow from the dates."""
    token = _pinned_now.set(when)
    try:
        yield
    finally:
        _pinned_now.reset(token)


class EncodedJSON(str):
    """A value already encoded as JSONField would store it (an answer encoded once for its row and the client)."""


class JSONField(TextField):
    def db_value(self, value):
        if value is None or isinstance(value, EncodedJSON):
            return None if value is None else str(value)
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class Money(DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("auto_round", True)
        super().__init__(*args, **kwargs)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Account(BaseModel):
    """A loyalty account: a pet owner (or a household) known to the store."""

    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    name_key = CharField(max_length=210, index=True)  # "last first", lower-cased, for name matching and search
    email = CharField(max_length=254, null=True, index=True)  # lower-cased
    phone = CharField(max_length=20, null=True, index=True)  # E.164
    address_line1 = CharField(max_length=200, null=True)
    address_line2 = CharField(max_length=200, null=True)
    city = CharField(max_length=100, null=True)
    region = CharField(max_length=100, null=True)
    postal_code = CharField(max_length=20, null=True)
    country = CharField(max_length=2, null=True)
    notes = TextField(default="")
    sms_consent = BooleanField(default=False)
    sms_consent_at = DateTimeField(null=True)
    sms_consent_source = CharField(max_length=100, null=True)
    email_consent = BooleanField(default=False)
    email_consent_at = DateTimeField(null=True)
    email_consent_source = CharField(max_length=100, null=True)
    is_test = BooleanField(default=False)  # a training account: never in reports
    language = CharField(max_length=5, default="en")  # "en" | "fr": the customer page and emails (loyalty.i18n)
    merged_into = ForeignKeyField("self", null=True, backref="merged_accounts", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @staticmethod
    def make_name_key(first: str, last: str) -> str:
        return " ".join(f"{last or ''} {first or ''}".lower().split())

    def has_address(self) -> bool:
        return bool(self.address_line1 and self.city and self.postal_code)


class PosLink(BaseModel):
    """A POS customer mapped to an account. Unlinking keeps the row (the "incorrect customer map" history)."""

    pos_system = CharField(max_length=40)
    pos_customer_id = CharField(max_length=100)
    account = ForeignKeyField(Account, backref="links", on_delete="CASCADE")
    linked_by = CharField(max_length=120)
    linked_at = DateTimeField(default=utcnow)
    unlinked_at = DateTimeField(null=True)
    unlinked_by = CharField(max_length=120, null=True)
    unlink_reason = TextField(null=True)

    class Meta:
        indexes = ()


# Only one live link per POS customer: a partial unique index that SQLite and PostgreSQL both enforce.
PosLink.add_index(
    PosLink.index(PosLink.pos_system, PosLink.pos_customer_id, unique=True, where=PosLink.unlinked_at.is_null())
)


class Program(BaseModel):
    """A program of one ``kind`` (programs/): ``punch``, a manufacturer's frequent-buyer card (buy
    ``buy_quantity``, the next one is free), or ``points`` (its rules in ``settings``)."""

    kind = CharField(max_length=20, default="punch")
    settings = JSONField(null=True)  # what the kind keeps beyond these columns (points: rules, expiry, exclusions)
    name = CharField(max_length=200)
    manufacturer = CharField(max_length=200, default="")
    distributor = CharField(max_length=200, default="")
    buy_quantity = IntegerField()
    reward_rule = CharField(max_length=20, default="lesser_or_equal")
    window_days = IntegerField(null=True)
    requires = JSONField(default=list)  # account fields needed before a redemption: "address", "email", "phone"
    multi_purchase_threshold = IntegerField(default=1)
    status = CharField(max_length=20, default="active", index=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class ProgramCode(BaseModel):
    """A qualifying product code of a program: a UPC or a SKU."""

    program = ForeignKeyField(Program, backref="codes", on_delete="CASCADE")
    kind = CharField(max_length=3)  # "upc" | "sku"
    code = CharField(max_length=64)

    class Meta:
        indexes = ((("kind", "code", "program"), True),)


class Card(BaseModel):
    """One punch card of an account in a program. ``punches`` caches the sum of its ledger rows."""

    account = ForeignKeyField(Account, backref="cards", on_delete="CASCADE")
    program = ForeignKeyField(Program, backref="cards", on_delete="CASCADE")
    seq = IntegerField(default=1)
    punches = IntegerField(default=0)
    # open -> complete (reward available) -> redeemed; open -> expired (window passed); void: emptied by a
    # reversal while an earlier card reopened.
    status = CharField(max_length=10, default="open")
    first_punch_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)
    redeemed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "program", "seq"), True),)


# One open card per account and program, enforced by the database.
Card.add_index(Card.index(Card.account, Card.program, unique=True, where=Card.status == "open"))
# The complete cards of an account (rewards to redeem) without reading its redeemed and expired ones (issue 15).
Card.add_index(Card.index(Card.account, Card.program, Card.seq, where=Card.status == "complete",
                          name="card_complete"))


class Sale(BaseModel):
    """The server's record of a POS sale, identified by (pos_system, pos_sale_id)."""

    pos_system = CharField(max_length=40)
    pos_sale_id = CharField(max_length=100)
    kind = CharField(max_length=10, default="sale")  # sale | refund
    account = ForeignKeyField(Account, null=True, backref="sales", on_delete="SET NULL")
    link = ForeignKeyField(PosLink, null=True, backref="sales", on_delete="SET NULL")
    pos_customer_id = CharField(max_length=100, null=True)
    store = CharField(max_length=100, null=True)
    register = CharField(max_length=100, null=True)
    return_for = CharField(max_length=100, null=True)
    original = ForeignKeyField("self", null=True, backref="refunds", on_delete="SET NULL")
    source = CharField(max_length=20, default="register")  # register | webhook
    last_hash = CharField(max_length=64, null=True)
    last_response = JSONField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    committed_by = CharField(max_length=120, null=True)

    class Meta:
        indexes = ((("pos_system", "pos_sale_id"), True),)


class SaleLine(BaseModel):
    """A line of a sale as last committed."""

    sale = ForeignKeyField(Sale, backref="lines", on_delete="CASCADE")
    line_id = CharField(max_length=100)
    product_id = CharField(max_length=100, null=True)
    sku = CharField(max_length=64, null=True)
    upc = CharField(max_length=64, null=True)
    name = CharField(max_length=300, null=True)
    quantity = DecimalField(max_digits=14, decimal_places=4, auto_round=True)
    unit_price = Money(null=True)
    # For a refund line: the original sale's line it returns.
    original_line = ForeignKeyField("self", null=True, backref="returns", on_delete="SET NULL")

    class Meta:
        indexes = ((("sale", "line_id"), True),)


class Punch(BaseModel):
    """The punch ledger. ``line`` is the purchase line whose punches these are (also on reversals);
    ``cause`` the line that caused this row (the purchase line itself, or a refund line)."""

    account = ForeignKeyField(Account, backref="punch_rows", on_delete="CASCADE")
    program = ForeignKeyField(Program, on_delete="CASCADE")
    card = ForeignKeyField(Card, backref="ledger", on_delete="CASCADE")
    # purchase | reversal | refund | exception | adjustment | move
    kind = CharField(max_length=12)
    quantity = IntegerField()
    sale = ForeignKeyField(Sale, null=True, backref="punch_rows", on_delete="SET NULL")
    line = ForeignKeyField(SaleLine, null=True, backref="punch_rows", on_delete="SET NULL")
    cause = ForeignKeyField(SaleLine, null=True, backref="caused_rows", on_delete="SET NULL")
    unit_price = Money(null=True)
    upc = CharField(max_length=64, null=True)
    sku = CharField(max_length=64, null=True)
    item_name = CharField(max_length=300, null=True)
    reason = CharField(max_length=100, null=True)
    note = TextField(null=True)
    needs_review = BooleanField(default=False)
    actor = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)


class Redemption(BaseModel):
    """A reward given: the free item, its value cap, the sale it was given in."""

    card = ForeignKeyField(Card, backref="redemptions", on_delete="CASCADE")
    account = ForeignKeyField(Account, backref="redemptions", on_delete="CASCADE")
    program = ForeignKeyField(Program, backref="redemptions", on_delete="CASCADE")
    pos_system = CharField(max_length=40, null=True)
    pos_sale_id = CharField(max_length=100, null=True)
    item_sku = CharField(max_length=64, null=True)
    item_upc = CharField(max_length=64, null=True)
    item_name = CharField(max_length=300, null=True)
    item_unit_price = Money(null=True)
    max_value = Money()
    actor = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)
    reversed_at = DateTimeField(null=True)
    reversed_by = ForeignKeyField(SaleLine, null=True, on_delete="SET NULL")
    credited_at = DateTimeField(null=True)
    credited_by = CharField(max_length=120, null=True)

    class Meta:
        indexes = ((("pos_system", "pos_sale_id"), False),)


class AuditLog(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    actor = CharField(max_length=120)
    action = CharField(max_length=60)
    entity = CharField(max_length=40)
    entity_id = CharField(max_length=100, null=True)
    account_id = IntegerField(null=True, index=True)
    details = JSONField(default=dict)


class ApiToken(BaseModel):
    """A device token (one per register) or an integration token. Only a hash is stored."""

    name = CharField(max_length=120)
    role = CharField(max_length=20)
    token_hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=16)
    created_at = DateTimeField(default=utcnow)
    created_by = CharField(max_length=120, default="cli")
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)


class User(BaseModel):
    """A person who signs in to the staff app; a manager's PIN approves register actions."""

    username = CharField(max_length=80, unique=True)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20)
    pin_hash = CharField(max_length=255, null=True)
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    session_gen = IntegerField(default=0)  # raised to end every session of this user (web/security.py)
    language = CharField(max_length=5, null=True)  # "en" | "fr"; None: the store's default (loyalty.i18n)


ALL_MODELS = [
    Account, PosLink, Program, ProgramCode, Card, Sale, SaleLine, Punch, Redemption, AuditLog, ApiToken, User,
]


def register_models(*models):
    """Feature modules call this at import time so ``create_tables`` knows their tables."""
    for model in models:
        if model not in ALL_MODELS:
            ALL_MODELS.append(model)


# Run after the tables exist (e.g. triggers on them): feature modules add theirs at import time.
_AFTER_CREATE: list = []


def after_create_tables(func):
    if func not in _AFTER_CREATE:
        _AFTER_CREATE.append(func)
    return func


def create_tables():
    database.create_tables(ALL_MODELS, safe=True)
    for func in _AFTER_CREATE:
        func()


def drop_tables():
    from .db import is_postgres

    kwargs = {"cascade": True} if is_postgres() else {}
    for model in reversed(ALL_MODELS):
        model.drop_table(safe=True, **kwargs)
