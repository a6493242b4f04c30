"""Tables of points programs: rewards, the append-only ledger, its balance cache and reward redemptions.

The balance of an account in a program is the sum of its ``PointsEntry`` rows; ``PointsBalance`` only caches it
and is written in the same transaction as every ledger row (see ``points_ledger.post``). Every ledger row has a
unique ``key``: writing the same key twice is a no-op, so a retried request never counts twice.
"""
from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..models import Account, BaseModel, JSONField, Money, Program, Sale, SaleLine, register_models, utcnow

LEDGER_KINDS = ("earn", "spend", "reverse_earn", "restore_spend", "adjust", "expire")


class PointsReward(BaseModel):
    """A reward bought with points. Removing a reward from a program archives it (redemptions keep it)."""

    program = ForeignKeyField(Program, backref="points_rewards", on_delete="CASCADE")
    name = CharField(max_length=200)
    cost = IntegerField()
    kind = CharField(max_length=20)  # amount_off | percent_off | free_item
    value = Money(null=True)  # dollars off, or the percentage
    upcs = JSONField(default=list)  # free_item: the products it gives
    skus = JSONField(default=list)
    max_value = Money(null=True)  # free_item: the most it is worth
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)


class PointsRedemption(BaseModel):
    """A reward redeemed for a sale. ``status``: held (points spent, sale not committed yet), cancelled."""

    account = ForeignKeyField(Account, backref="points_redemptions", on_delete="CASCADE")
    program = ForeignKeyField(Program, on_delete="CASCADE")
    reward = ForeignKeyField(PointsReward, on_delete="CASCADE")
    pos_system = CharField(max_length=40, null=True)
    pos_sale_id = CharField(max_length=100, null=True)
    line_id = CharField(max_length=100, null=True)  # the sale line the reward discounts, if one
    cost = IntegerField()
    discount_kind = CharField(max_length=20)
    discount_amount = Money(null=True)
    idempotency_key = CharField(max_length=200, null=True, unique=True)
    answer = JSONField(null=True)  # what the first request answered, for a repeated Idempotency-Key
    status = CharField(max_length=12, default="held")
    actor = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)
    cancelled_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("pos_system", "pos_sale_id"), False),)


class PointsEntry(BaseModel):
    """The points ledger. ``sale`` is the sale whose points a row earns or reverses (the original sale on a
    refund); ``refund`` the refund sale that caused a reversal; ``line`` a sale line when one line is the cause."""

    account = ForeignKeyField(Account, backref="points_rows", on_delete="CASCADE")
    program = ForeignKeyField(Program, on_delete="CASCADE")
    kind = CharField(max_length=16)  # one of LEDGER_KINDS
    points = IntegerField()  # signed
    sale = ForeignKeyField(Sale, null=True, backref="points_rows", on_delete="SET NULL")
    refund = ForeignKeyField(Sale, null=True, backref="points_reversals", on_delete="SET NULL")
    line = ForeignKeyField(SaleLine, null=True, on_delete="SET NULL")
    redemption = ForeignKeyField(PointsRedemption, null=True, backref="ledger", on_delete="SET NULL")
    lot = ForeignKeyField("self", null=True, on_delete="SET NULL")  # an expire row: the earn row it expires
    expires_at = DateTimeField(null=True)  # a positive row: when what is left of it expires
    reason = TextField(null=True)
    actor = CharField(max_length=120)
    key = CharField(max_length=200, unique=True)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("account", "program"), False),)


class PointsBalance(BaseModel):
    """Cache of the ledger's sum per account and program, kept in the ledger's transaction."""

    account = ForeignKeyField(Account, on_delete="CASCADE")
    program = ForeignKeyField(Program, on_delete="CASCADE")
    balance = IntegerField(default=0)
    lifetime_earned = IntegerField(default=0)  # earned net of reversals
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "program"), True),)


register_models(PointsReward, PointsRedemption, PointsEntry, PointsBalance)
