"""Points expiry: points expire ``expiry_days`` after they were earned, oldest first.

Which points are still there is worked out from the ledger alone: positive rows are lots (with the date they
expire), negative rows take from them (a refund's reversal from its own sale's lots first, an expiry row from
the lot it names, everything else oldest first); a debt (a negative balance) is paid by the next lot.
``expire_due`` writes one ``expire`` row per lot that is due, keyed by the lot, so running it twice changes
nothing.
"""
from __future__ import annotations

import datetime as dt

from .. import fastsql
from ..audit import record
from ..db import write_transaction
from ..domain.cards import lock_account
from .points_ledger import post
from .points_models import PointsEntry


def _lots(account_id: int, program_id: int) -> list[dict]:
    rows = fastsql.select(PointsEntry, '"account_id" = ? AND "program_id" = ?', (account_id, program_id),
                          order='"id"')
    lots: list[dict] = []
    debt = 0
    for row in rows:
        if row.points > 0:
            lot = {"id": row.id, "sale": row.sale_id, "left": row.points, "expires_at": row.expires_at}
            paid = min(debt, lot["left"])
            lot["left"] -= paid
            debt -= paid
            lots.append(lot)
            continue
        need = -row.points
        if row.kind == "expire" and row.lot_id:
            order = [lot for lot in lots if lot["id"] == row.lot_id]
        elif row.kind == "reverse_earn" and row.sale_id:
            order = [lot for lot in lots if lot["sale"] == row.sale_id] + \
                    [lot for lot in lots if lot["sale"] != row.sale_id]
        else:
            order = lots
        for lot in order:
            take = min(lot["left"], need)
            lot["left"] -= take
            need -= take
            if not need:
                break
        debt += need
    return [lot for lot in lots if lot["left"] > 0]


def expiring(account_id: int, program_id: int, limit: int = 3) -> list[dict]:
    """The next points to expire: ``[{"points", "on"}]`` by date, soonest first."""
    by_day: dict[dt.date, int] = {}
    for lot in _lots(account_id, program_id):
        if lot["expires_at"] is not None:
            day = lot["expires_at"].date()
            by_day[day] = by_day.get(day, 0) + lot["left"]
    return [{"points": n, "on": day.isoformat()} for day, n in sorted(by_day.items())[:limit]]


def expire_due(as_of: dt.date, actor: str = "system:expiry") -> dict:
    """Write the expiry rows due on or before ``as_of``; returns {"accounts", "points"} expired now."""
    horizon = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    pairs = fastsql.rows(
        'SELECT DISTINCT e."account_id", e."program_id" FROM "points_entry" e WHERE e."expires_at" < ? AND '
        'e."points" > 0 AND NOT EXISTS (SELECT 1 FROM "points_entry" x WHERE x."lot_id" = e."id")',
        (PointsEntry.expires_at.db_value(horizon),))
    total, accounts = 0, set()
    for account_id, program_id in pairs:
        with write_transaction():
            lock_account(account_id)
            expired = 0
            for lot in _lots(account_id, program_id):
                if lot["expires_at"] is not None and lot["expires_at"] < horizon:
                    if post(account_id, program_id, "expire", -lot["left"], f"expire:{lot['id']}", actor,
                            lot=lot["id"], reason=f"earned points expired on {lot['expires_at'].date()}"):
                        expired += lot["left"]
            if expired:
                record(actor, "points.expire", "account", account_id, account_id=account_id,
                       program_id=program_id, points=expired, as_of=as_of.isoformat())
                total += expired
                accounts.add(account_id)
    return {"accounts": len(accounts), "points": total}
