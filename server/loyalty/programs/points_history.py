"""An account's points ledger as people read it: why the balance is what it is, row by row."""
from __future__ import annotations

from ..domain.cards import iso
from ..models import Program, Sale
from .points_models import PointsEntry, PointsRedemption, PointsReward


def points_history(account_id: int, limit: int = 500, before: int | None = None) -> list[dict]:
    """The newest ``limit`` rows (with ``before``: of the rows with a smaller id), newest first."""
    query = PointsEntry.select().where(PointsEntry.account == account_id)
    if before is not None:
        query = query.where(PointsEntry.id < before)
    rows = list(query.order_by(PointsEntry.id.desc()).limit(limit))
    programs = {p.id: p.name for p in Program.select(Program.id, Program.name)
                .where(Program.id.in_({r.program_id for r in rows} or {0}))}
    sale_ids = {r.sale_id for r in rows if r.sale_id} | {r.refund_id for r in rows if r.refund_id}
    sales = {s.id: s for s in Sale.select().where(Sale.id.in_(sale_ids or {0}))}
    reds = {r.id: r for r in PointsRedemption.select().where(
        PointsRedemption.id.in_({r.redemption_id for r in rows if r.redemption_id} or {0}))}
    rewards = {r.id: r.name for r in PointsReward.select().where(
        PointsReward.id.in_({r.reward_id for r in reds.values()} or {0}))}

    def sale_ref(sale_id):
        sale = sales.get(sale_id)
        return {"system": sale.pos_system, "sale_id": sale.pos_sale_id} if sale else None

    out = []
    for r in rows:
        red = reds.get(r.redemption_id)
        out.append({
            "id": r.id, "program_id": r.program_id, "program": programs.get(r.program_id), "kind": r.kind,
            "points": r.points, "sale": sale_ref(r.sale_id), "refund": sale_ref(r.refund_id),
            "redemption_id": r.redemption_id,
            "reward": rewards.get(red.reward_id) if red else None, "reason": r.reason, "actor": r.actor,
            "expires_at": iso(r.expires_at), "at": iso(r.created_at)})
    return out
