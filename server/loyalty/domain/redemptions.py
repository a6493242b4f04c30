"""Redeeming a complete card: the free item, capped in value by the program's reward rule."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from flask_babel import gettext as _

from ..audit import record
from ..db import is_postgres, write_transaction
from ..errors import Conflict, NotFound, ValidationFailed
from ..models import Card, Program, Punch, Redemption, utcnow
from .accounts import get_account
from .cards import iso, lock_account

FIELD_CHECKS = {
    "address": lambda a: a.has_address(),
    "email": lambda a: bool(a.email),
    "phone": lambda a: bool(a.phone),
}


def missing_fields(account, program: Program) -> list[str]:
    return [f for f in (program.requires or []) if f in FIELD_CHECKS and not FIELD_CHECKS[f](account)]


def reward_value(card: Card, program: Program) -> dict:
    """The value cap and, for ``most_frequent``, the item to give, from the purchases punched on the card."""
    rows = list(Punch.select().where((Punch.card == card.id) & (Punch.quantity > 0)
                                     & Punch.kind.in_(("purchase", "exception", "move", "adjustment"))
                                     ).order_by(Punch.id))
    priced = [r for r in rows if r.unit_price is not None]
    if not priced:
        return {"max_value": Decimal("0"), "item": None}
    if program.reward_rule == "most_frequent":
        counts = Counter()
        for r in priced:
            counts[(r.upc, r.sku, r.item_name)] += r.quantity
        (upc, sku, name), _count = max(counts.items(), key=lambda kv: (kv[1], -_first_index(priced, kv[0])))
        last = [r for r in priced if (r.upc, r.sku, r.item_name) == (upc, sku, name)][-1]
        return {"max_value": Decimal(last.unit_price), "item": {"upc": upc, "sku": sku, "name": name}}
    lowest = min(priced, key=lambda r: Decimal(r.unit_price))
    return {"max_value": Decimal(lowest.unit_price),
            "item": {"upc": lowest.upc, "sku": lowest.sku, "name": lowest.item_name}}


def _first_index(rows, key):
    for i, r in enumerate(rows):
        if (r.upc, r.sku, r.item_name) == key:
            return i
    return len(rows)


def redemption_dict(red: Redemption) -> dict:
    return {
        "id": red.id, "card_id": red.card_id, "account_id": red.account_id, "program_id": red.program_id,
        "sale": {"system": red.pos_system, "sale_id": red.pos_sale_id},
        "item": {"sku": red.item_sku, "upc": red.item_upc, "name": red.item_name,
                 "unit_price": None if red.item_unit_price is None else str(red.item_unit_price)},
        "max_value": str(Decimal(red.max_value).quantize(Decimal("0.01"))),
        "discount": str(min(Decimal(red.max_value), Decimal(red.item_unit_price))
                        .quantize(Decimal("0.01"))) if red.item_unit_price is not None
        else str(Decimal(red.max_value).quantize(Decimal("0.01"))),
        "actor": red.actor, "created_at": iso(red.created_at), "reversed_at": iso(red.reversed_at),
        "credited_at": iso(red.credited_at),
    }


def redeem_card(card_id: int, sale_ref: dict | None, item: dict, actor: str) -> Redemption:
    with write_transaction():
        query = Card.select().where(Card.id == card_id)
        if is_postgres():
            query = query.for_update()
        card = query.first()
        if card is None:
            raise NotFound(_("no card %(id)s", id=card_id))
        program = Program.get_by_id(card.program_id)
        lock_account(card.account_id)
        if card.status != "complete":
            raise Conflict(_("this card has %(punches)s of %(total)s punches: no reward yet", punches=card.punches,
                             total=program.buy_quantity) if card.status == "open" else
                           _("this card is %(status)s: no reward available", status=card.status),
                           code="no_reward_available")
        account = get_account(card.account_id)
        missing = missing_fields(account, program)
        if missing:
            raise ValidationFailed(_("%(who)s requires the customer's %(fields)s before a reward",
                                     who=program.manufacturer or program.name, fields=_(" and ").join(missing)),
                                   code="missing_account_fields",
                                   fields={f: [_("required by the program")] for f in missing})
        value = reward_value(card, program)
        now = utcnow()
        red = Redemption.create(
            card=card.id, account=account.id, program=program.id,
            pos_system=(sale_ref or {}).get("system"), pos_sale_id=(sale_ref or {}).get("sale_id"),
            item_sku=item.get("sku"), item_upc=item.get("upc"), item_name=item.get("name"),
            item_unit_price=item.get("unit_price"), max_value=value["max_value"], actor=actor,
        )
        card.status = "redeemed"
        card.redeemed_at = now
        card.save()
        record(actor, "redemption.create", "redemption", red.id, account_id=account.id, card_id=card.id,
               program_id=program.id, max_value=str(value["max_value"]), item=item,
               sale=sale_ref)
    return red
