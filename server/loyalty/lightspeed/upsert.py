"""Storing POS objects (X-Series, R-Series) by id, newest version wins: a sync page and a webhook may arrive in any order."""
from __future__ import annotations

from ..models import utcnow


def upsert_by_id(model, id_field, conn, items: list, values_of, id_key: str = "id") -> int:
    """Insert or update ``items`` (POS objects with an id under ``id_key``) as rows of ``model`` for ``conn``; an item
    older than the stored row (by ``version``) is skipped. Returns how many rows were written. The caller holds
    the transaction."""
    by_id = {}
    for item in items:
        if isinstance(item, dict) and item.get(id_key):
            by_id[str(item[id_key])[:100]] = item
    if not by_id:
        return 0
    key = getattr(model, id_field)
    stored = {getattr(row, id_field): row for row in model.select().where(
        (model.connection == conn.id) & key.in_(list(by_id)))}
    written = 0
    now = utcnow()
    for object_id, item in by_id.items():
        values = values_of(item)
        row = stored.get(object_id)
        if row is not None and row.version is not None and values["version"] is not None \
                and values["version"] < row.version:
            continue
        if row is None:
            model.create(connection=conn.id, synced_at=now, **{id_field: object_id}, **values)
        else:
            model.update(synced_at=now, **values).where(model.id == row.id).execute()
        written += 1
    return written
