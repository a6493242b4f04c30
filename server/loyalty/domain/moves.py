"""Moving a committed sale to another account (a wrong customer link corrected).

It belongs to neither accounts (which calls it on unlink) nor sales (which calls it when a sale is re-committed
to another account): each program kind moves what the sale holds in it.
"""
from __future__ import annotations

from ..audit import record
from ..models import Sale, utcnow
from ..programs import KINDS


def move_sale(sale: Sale, target_account_id: int, actor: str):
    """Move a sale, with what its lines hold in every program, to another account."""
    source_account = sale.account_id
    if source_account is None or source_account == target_account_id:
        Sale.update(account=target_account_id).where(Sale.id == sale.id).execute()
        return
    now = utcnow()
    for kind in KINDS.values():
        kind.move_sale(sale, source_account, target_account_id, actor, now)
    sale.account = target_account_id
    sale.last_hash = None  # the stored answer names the old account
    sale.save()
    record(actor, "sale.move", "sale", sale.id, account_id=target_account_id, from_account=source_account,
           sale_id=sale.pos_sale_id)
