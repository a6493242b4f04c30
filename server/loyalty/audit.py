"""Audit rows: who did what, when, to which record. Written inside the caller's transaction."""
from __future__ import annotations

from . import fastsql
from .models import AuditLog, utcnow


def record(actor: str, action: str, entity: str, entity_id=None, *, account_id=None, **details) -> AuditLog:
    values = dict(actor=actor, action=action, entity=entity, entity_id=None if entity_id is None else str(entity_id),
                  account_id=account_id, details=details, at=utcnow())
    (new_id,) = fastsql.insert(AuditLog, [values])
    return fastsql.instance(AuditLog, {"id": new_id, **values})
