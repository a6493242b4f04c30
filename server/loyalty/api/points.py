"""Points: redeem a reward, cancel a redemption before the sale is committed, a manager's adjustment."""
from flask import g, request

from ..programs.points_actions import adjust, cancel_redemption, redeem
from ..schemas import PointsAdjustSchema, PointsRedeemSchema
from . import auth, body, bp


@bp.post("/points/redeem")
@auth("cashier")
def points_redeem():
    """Spend a reward's points. Send an ``Idempotency-Key`` header: the same key twice spends once."""
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    answer, created = redeem(body(PointsRedeemSchema), key, g.actor)
    return answer, 201 if created else 200


@bp.post("/points/redemptions/<id:redemption_id>/cancel")
@auth("cashier")
def points_redemption_cancel(redemption_id):
    """Give the points back while the sale is not committed yet."""
    return cancel_redemption(redemption_id, g.actor)


@bp.post("/accounts/<id:account_id>/points/adjust")
@auth("manager")
def points_adjust(account_id):
    data = body(PointsAdjustSchema)
    return adjust(account_id, data["program_id"], data["points"], data["reason"], g.actor)
