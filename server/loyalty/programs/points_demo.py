"""The demo store's points program, beside the punch programs: "1 point per $1, 10 extra points on Acana,
500 points = $5 off", and months of history for the demo sales."""
from __future__ import annotations

import datetime as dt

from ..models import Sale, utcnow
from .points_models import PointsEntry

ACANA_25 = "064992523251"

PROGRAM = {
    "kind": "points", "name": "Paws Points", "expiry_days": 365, "exclude_skus": ["GIFT-CARD"],
    "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1.00"},
                   {"type": "item", "points": 10, "upcs": [ACANA_25]}],
    "rewards": [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5.00"},
                {"name": "10% off the sale", "cost": 900, "kind": "percent_off", "value": "10"}],
}


def create(actor: str):
    from ..domain.programs import create_program
    from .points_rules import PointsProgramSchema

    return create_program(PointsProgramSchema().load(PROGRAM), actor)


def spread_history(days_between: int = 21):
    """Date the points of the demo's history sales as their sales are dated; sales committed just now (the
    demo loads in one go) are spread back over the past months, one every ``days_between`` days, so the
    ledger, the expiry dates and the monthly report read as a store's real history."""
    now = utcnow()
    rows = list(PointsEntry.select(PointsEntry, Sale).join(Sale, on=(PointsEntry.sale == Sale.id))
                .where(Sale.pos_sale_id.startswith("demo-hist")).order_by(PointsEntry.id))
    for i, row in enumerate(rows):
        sale_at = row.sale.created_at
        recent = sale_at >= now - dt.timedelta(days=1)
        at = now - dt.timedelta(days=days_between * (len(rows) - i)) if recent else sale_at
        shift = at - row.created_at
        row.created_at = at
        if row.expires_at is not None:
            row.expires_at += shift
        row.save()
