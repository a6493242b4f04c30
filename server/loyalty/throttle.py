"""Lock-outs that parallel requests cannot beat: an attempt is counted (atomically, under a row lock) before its
password or PIN is checked, and a success forgives it afterwards. Counting after the check let 40 concurrent
wrong passwords get 24 argon2 checks where 3 are allowed, and lost updates of the failure counter.

Rows counted: the ``user`` row for a known username, a ``throttle`` row for anything else (an unknown username,
so it locks out exactly like a real one and answers cannot tell them apart; a register's PIN attempts).
"""
from __future__ import annotations

import datetime as dt
import math

from peewee import CharField, DateTimeField, IntegerField

from .db import is_postgres, write_transaction
from .models import BaseModel, register_models, utcnow


class Throttle(BaseModel):
    """Failed attempts of something that is not a user row: ``signin:<username>``, ``pin:<actor>``."""

    key = CharField(max_length=200, unique=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow)


register_models(Throttle)


class Locked(Exception):
    def __init__(self, wait_seconds: int):
        super().__init__(f"locked for {wait_seconds} s")
        self.wait = wait_seconds


def take_attempt(model, where, lock_time, *, create: dict | None = None,
                 forget_after: dt.timedelta | None = None) -> tuple[int, bool]:
    """Count one attempt on the row ``where`` selects, before it is checked: Locked while the row is locked out;
    otherwise (failures counting this attempt, whether this attempt started a lock-out). ``create`` inserts the
    row first when missing; ``forget_after`` starts the count again after that long without an attempt."""
    now = utcnow()
    with write_transaction():  # SQLite: BEGIN IMMEDIATE serialises; PostgreSQL: the row lock below
        if create:
            model.insert(**create).on_conflict_ignore().execute()
        query = model.select().where(where)
        row = (query.for_update() if is_postgres() else query).get_or_none()
        if row is None:
            return 0, False
        if row.locked_until is not None and row.locked_until > now:
            raise Locked(math.ceil((row.locked_until - now).total_seconds()))
        failures = row.failed_logins
        if forget_after is not None and now - row.updated_at > forget_after:
            failures = 0
        failures += 1
        lock = lock_time(failures)
        values = {"failed_logins": failures, "locked_until": now + lock if lock else None}
        if "updated_at" in model._meta.fields:
            values["updated_at"] = now
        model.update(**values).where(where).execute()
    return failures, bool(lock)


def forgive(model, where):
    """The attempt counted by ``take_attempt`` succeeded: the count starts again."""
    with write_transaction():
        model.update(failed_logins=0, locked_until=None).where(where).execute()
