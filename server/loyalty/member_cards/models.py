"""Tables of member cards: batches (printed or emailed together) and the cards with their status and account."""
from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..models import Account, BaseModel, register_models, utcnow

UNASSIGNED, ASSIGNED, REVOKED = "unassigned", "assigned", "revoked"


class CardBatch(BaseModel):
    name = CharField(max_length=100)
    size = IntegerField()
    created_by = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)


class MemberCard(BaseModel):
    """A member card: an opaque code (QR and Code 128 payload) with a status and, once assigned, an account."""

    code = CharField(max_length=16, unique=True)
    batch = ForeignKeyField(CardBatch, backref="cards", on_delete="CASCADE")
    status = CharField(max_length=12, default=UNASSIGNED, index=True)
    account = ForeignKeyField(Account, null=True, backref="member_cards", on_delete="SET NULL")
    assigned_at = DateTimeField(null=True)
    assigned_by = CharField(max_length=120, null=True)
    revoked_at = DateTimeField(null=True)
    revoked_by = CharField(max_length=120, null=True)
    revoke_reason = CharField(max_length=200, null=True)
    created_at = DateTimeField(default=utcnow)


register_models(CardBatch, MemberCard)
