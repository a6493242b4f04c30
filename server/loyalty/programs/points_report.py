"""Points outstanding (the store's liability) and what was earned, spent and expired per month."""
from __future__ import annotations

from .. import fastsql
from ..db import is_postgres

MONTH_KINDS = ("earn", "reverse_earn", "spend", "restore_spend", "adjust", "expire")


def outstanding() -> list[dict]:
    """Per points program: points held by customers (test accounts left out) and by how many accounts."""
    rows = fastsql.rows(
        'SELECT p."id", p."name", p."status", COALESCE(SUM(b."balance"), 0), '
        'COALESCE(SUM(CASE WHEN b."balance" > 0 THEN 1 ELSE 0 END), 0), '
        'COALESCE(SUM(CASE WHEN b."balance" < 0 THEN b."balance" ELSE 0 END), 0) '
        'FROM "program" p LEFT JOIN "points_balance" b ON b."program_id" = p."id" AND b."account_id" IN '
        '(SELECT "id" FROM "account" WHERE "is_test" = ?) WHERE p."kind" = ? GROUP BY p."id", p."name", p."status" '
        'ORDER BY p."name"', (False, "points"))
    return [{"program_id": pid, "program": name, "status": status, "outstanding": int(total),
             "accounts_with_points": int(holders), "negative": int(negative)}
            for pid, name, status, total, holders, negative in rows]


def by_month(program_id: int | None = None) -> list[dict]:
    """Per program and month: points earned (net of refunds), spent (net of points given back), adjusted and
    expired. Months are UTC."""
    where, params = '"kind" IN (?, ?, ?, ?, ?, ?)', list(MONTH_KINDS)
    if program_id:
        where += ' AND "program_id" = ?'
        params.append(program_id)
    out: dict[tuple, dict] = {}
    names = {pid: name for pid, name in fastsql.rows('SELECT "id", "name" FROM "program" WHERE "kind" = ?',
                                                     ("points",))}
    month_of = """to_char(e."created_at", 'YYYY-MM')""" if is_postgres() else \
        """strftime('%Y-%m', e."created_at")"""
    for pid, kind, month, points in fastsql.rows(
            f'SELECT e."program_id", e."kind", {month_of} AS m, SUM(e."points") FROM "points_entry" e '
            f'JOIN "account" a ON a."id" = e."account_id" WHERE a."is_test" = ? AND {where} '
            'GROUP BY e."program_id", e."kind", m', [False, *params]):
        points = int(points or 0)
        row = out.setdefault((month, pid), {"month": month, "program_id": pid, "program": names.get(pid, pid),
                                            "earned": 0, "spent": 0, "adjusted": 0, "expired": 0})
        if kind in ("earn", "reverse_earn"):
            row["earned"] += points
        elif kind in ("spend", "restore_spend"):
            row["spent"] -= points
        elif kind == "adjust":
            row["adjusted"] += points
        else:
            row["expired"] -= points
    return [out[k] for k in sorted(out, reverse=True)]
