"""What staff do with points outside a sale's commit: redeem a reward, cancel a redemption before the sale is
committed, and a manager's adjustment. Each is one transaction with its ledger row and its audit row."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from ..audit import record
from ..db import write_transaction
from ..domain.accounts import get_account
from ..domain.cards import lock_account
from ..errors import Conflict, NotFound, ValidationFailed
from ..models import Program, Sale, utcnow
from .points_ledger import balances, next_key, post
from .points_models import PointsRedemption, PointsReward
from .points_rules import discount_of


def points_program(program_id: int) -> Program:
    program = Program.get_or_none(Program.id == program_id)
    if program is None or program.kind != "points":
        raise NotFound(_("no points program %(id)s", id=program_id),
                       fields={"program_id": [_("not a points program")]})
    return program


def _answer(red: PointsRedemption, balance: int) -> dict:
    return {"redemption_id": red.id, "points_spent": red.cost, "status": red.status,
            "discount": {"kind": red.discount_kind,
                         "amount": None if red.discount_amount is None else f"{Decimal(red.discount_amount):.2f}"},
            "reward": red.reward_id, "line_id": red.line_id, "balance": balance}


def redeem(data: dict, idempotency_key: str | None, actor: str) -> tuple[dict, bool]:
    """Spend a reward's cost; (answer, created). The same Idempotency-Key answers the first request again."""
    with write_transaction():
        if idempotency_key:
            done = PointsRedemption.get_or_none(PointsRedemption.idempotency_key == idempotency_key)
            if done is not None:
                return done.answer, False
        account = get_account(data["account_id"])
        lock_account(account.id)
        if idempotency_key:  # the same key sent twice at once: the second waited for the lock, then finds it
            done = PointsRedemption.get_or_none(PointsRedemption.idempotency_key == idempotency_key)
            if done is not None:
                return done.answer, False
        program = points_program(data["program_id"])
        if program.status != "active":
            raise Conflict(_("%(program)s is archived: its rewards cannot be redeemed", program=program.name),
                           code="program_archived")
        reward = PointsReward.get_or_none((PointsReward.id == data["reward_id"])
                                          & (PointsReward.program == program.id))
        if reward is None or not reward.active:
            raise NotFound(_("no reward %(id)s in %(program)s", id=data["reward_id"], program=program.name),
                           fields={"reward_id": [_("unknown")]})
        balance = balances(account.id, [program.id])[program.id][0]
        if balance < reward.cost:
            raise Conflict(_("%(reward)s costs %(cost)s points; the balance is %(balance)s", reward=reward.name,
                             cost=reward.cost, balance=balance),
                           code="insufficient_points", extra={"balance": balance, "cost": reward.cost})
        sale = data.get("sale") or {}
        discount = discount_of(reward)
        red = PointsRedemption.create(
            account=account.id, program=program.id, reward=reward.id, pos_system=sale.get("system"),
            pos_sale_id=sale.get("sale_id"), line_id=data.get("line_id"), cost=reward.cost,
            discount_kind=discount["kind"], discount_amount=discount["amount"], idempotency_key=idempotency_key,
            status="redeemed", actor=actor)
        post(account.id, program.id, "spend", -reward.cost, f"spend:{red.id}", actor, redemption=red.id,
             reason=reward.name)
        answer = _answer(red, balance - reward.cost)
        red.answer = answer
        red.save()
        record(actor, "points.redeem", "points_redemption", red.id, account_id=account.id, program_id=program.id,
               reward=reward.name, points=reward.cost, sale=sale or None, line_id=data.get("line_id"))
    return answer, True


def cancel_redemption(redemption_id: int, actor: str) -> dict:
    """Give the points back before the sale is committed (the cashier removed the reward)."""
    with write_transaction():
        red = PointsRedemption.get_or_none(PointsRedemption.id == redemption_id)
        if red is None:
            raise NotFound(_("no points redemption %(id)s", id=redemption_id))
        lock_account(red.account_id)
        if red.status == "cancelled":
            return _answer(red, balances(red.account_id, [red.program_id])[red.program_id][0])
        if red.pos_sale_id:
            sale = Sale.get_or_none((Sale.pos_system == red.pos_system) & (Sale.pos_sale_id == red.pos_sale_id))
            if sale is not None and sale.last_response is not None:
                raise Conflict(_("the sale is already committed: return the item with a refund instead"),
                               code="sale_committed")
        red.status, red.cancelled_at = "cancelled", utcnow()
        red.save()
        post(red.account_id, red.program_id, "restore_spend", red.cost, f"cancel:{red.id}", actor,
             redemption=red.id, reason="redemption cancelled")
        record(actor, "points.redeem_cancel", "points_redemption", red.id, account_id=red.account_id,
               program_id=red.program_id, points=red.cost)
        return _answer(red, balances(red.account_id, [red.program_id])[red.program_id][0])


def adjust(account_id: int, program_id: int, points: int, reason: str, actor: str) -> dict:
    """A manager's correction, with its reason; the balance may go below zero only by what was already there."""
    if not points:
        raise ValidationFailed(_("an adjustment of 0 points changes nothing"), fields={"points": [_("not 0")]})
    with write_transaction():
        account = get_account(account_id)
        lock_account(account.id)
        program = points_program(program_id)
        days = (program.settings or {}).get("expiry_days")
        now = utcnow()
        key = next_key(f"adjust:{account.id}:{program.id}", "account_id", account.id)
        post(account.id, program.id, "adjust", points, key, actor, reason=reason,
             expires_at=now + dt.timedelta(days=days) if days and points > 0 else None, now=now)
        balance = balances(account.id, [program.id])[program.id][0]
        record(actor, "points.adjust", "account", account.id, account_id=account.id, program_id=program.id,
               points=points, reason=reason, balance=balance)
    return {"account_id": account.id, "program_id": program.id, "points": points, "reason": reason,
            "balance": balance}
