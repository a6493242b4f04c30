"""Writing the points ledger: one function adds a row and keeps the balance cache in the same transaction."""
from __future__ import annotations

import datetime as dt

from .. import fastsql
from ..models import utcnow
from .base import memo_slot
from .points_models import PointsBalance, PointsEntry

EARNING = ("earn", "reverse_earn")  # the kinds that count toward lifetime_earned

# Adds to an account's cached balance, creating its row.
UPSERT_BALANCE = (
    'INSERT INTO "points_balance" ("account_id", "program_id", "balance", "lifetime_earned", "updated_at") '
    'VALUES (?, ?, ?, ?, ?) ON CONFLICT ("account_id", "program_id") DO UPDATE SET '
    '"balance" = "points_balance"."balance" + excluded."balance", '
    '"lifetime_earned" = "points_balance"."lifetime_earned" + excluded."lifetime_earned", '
    '"updated_at" = excluded."updated_at"')


def post(account_id: int, program_id: int, kind: str, points: int, key: str, actor: str, *, sale=None,
         refund=None, line=None, redemption=None, lot=None, expires_at: dt.datetime | None = None,
         reason: str | None = None, now: dt.datetime | None = None) -> int | None:
    """Add a ledger row unless a row with ``key`` exists (a retry); returns the new row's id, or None."""
    if not points:
        return None
    now = now or utcnow()
    values = dict(account=account_id, program=program_id, kind=kind, points=int(points), sale=sale, refund=refund,
                  line=line, redemption=redemption, lot=lot, expires_at=expires_at if points > 0 else None,
                  reason=reason, actor=actor, key=key, created_at=now)
    ids = fastsql.insert(PointsEntry, [values], ignore_conflicts=True)
    if not ids:
        return None
    (after,) = fastsql.rows(UPSERT_BALANCE + ' RETURNING "balance", "lifetime_earned"',
                            (account_id, program_id, int(points), int(points) if kind in EARNING else 0,
                             PointsBalance.updated_at.db_value(now)))
    slot = memo_slot(HELD)
    if slot and account_id in slot:  # the balance as the database has it now, without reading it again
        slot[account_id][program_id] = tuple(after)
    return ids[0]


# An account's every balance row, kept while sale_memo() is open: the plan's state before, the answer's summary and
# the state after read it once. A post keeps it the database's figure (its upsert returns the new balance); moving
# balances between accounts (a merge) drops it.
HELD = "points.held"


def held_balances(account_id: int) -> dict:
    """{program_id: (balance, lifetime_earned)} of every balance row the account has."""
    slot = memo_slot(HELD)
    if slot is not None and account_id in slot:
        return dict(slot[account_id])
    held = {pid: (b, lt) for pid, b, lt in fastsql.rows(
        'SELECT "program_id", "balance", "lifetime_earned" FROM "points_balance" WHERE "account_id" = ?',
        (account_id,))}
    if slot is not None:
        slot[account_id] = dict(held)
    return held


def forget_held():
    slot = memo_slot(HELD)
    if slot:
        slot.clear()


def balances(account_id: int, program_ids) -> dict:
    """{program_id: (balance, lifetime_earned)} from the cache."""
    ids = sorted(program_ids)
    if not ids:
        return {}
    if memo_slot(HELD) is not None:  # in a sale's memo: every balance row at once, kept for the answer
        held = held_balances(account_id)
        return {pid: held.get(pid, (0, 0)) for pid in ids}
    query = ('SELECT "program_id", "balance", "lifetime_earned" FROM "points_balance" WHERE "account_id" = ? '
             f'AND "program_id" IN {fastsql.in_list(len(ids))}')
    out = {pid: (0, 0) for pid in ids}
    for pid, balance, lifetime in fastsql.rows(query, [account_id, *ids]):
        out[pid] = (balance, lifetime)
    return out


def ledger_sum(account_id: int, program_id: int) -> int:
    """The balance as the ledger says (the truth the cache must equal)."""
    return int(fastsql.rows('SELECT COALESCE(SUM("points"), 0) FROM "points_entry" WHERE "account_id" = ? AND '
                            '"program_id" = ?', (account_id, program_id))[0][0])


def next_key(prefix: str, column: str, value) -> str:
    """A key for a row that has no natural one: ``prefix`` numbered after the rows already written for the same
    ``column`` value (an indexed column: the sale, the refund, the redemption, the account). Callers hold the sale
    or account lock, so the count is stable."""
    n = fastsql.rows(f'SELECT COUNT(*) FROM "points_entry" WHERE "{column}" = ?', (value,))[0][0]
    return f"{prefix}:{n + 1}"
