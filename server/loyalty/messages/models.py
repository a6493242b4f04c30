"""Tables of the messages feature: addresses that bounced, and emails their owner confirmed."""
from __future__ import annotations

from peewee import CharField, DateTimeField, IntegerField

from ..models import BaseModel, register_models, utcnow


class EmailBounce(BaseModel):
    """An address the mail server refused for good: nothing more is sent to it (a new address starts clean)."""

    address = CharField(max_length=254, unique=True)
    reason = CharField(max_length=500)
    at = DateTimeField(default=utcnow)


class EmailConfirmation(BaseModel):
    account_id = IntegerField(index=True)
    address = CharField(max_length=254)
    confirmed_at = DateTimeField(default=utcnow)


register_models(EmailBounce, EmailConfirmation)
