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
from .programs import qualifying_programs

CENT = Decimal("0.01")

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


def _card_counts(card: Card) -> Counter:
    """Units per (upc, sku) punched on the card: how often each item was bought on it."""
    counts = Counter()
    for r in Punch.select().where((Punch.card == card.id) & (Punch.quantity > 0)
                                  & Punch.kind.in_(("purchase", "exception", "move", "adjustment"))):
        counts[(r.upc, r.sku)] += r.quantity
    return counts


def reward_choices(card: Card, program: Program, system: str, sale_id: str, lines: list) -> dict:
    """The lines of the current sale that can be the free item, each with the discount it would get, and the
    default one: the cheapest qualifying line under ``lesser_or_equal``, the one bought most often on the card
    under ``most_frequent``. None when no line of the sale qualifies (the cashier then chooses explicitly)."""
    from ..programs.punch import free_units
    from .sales import enrich_lines  # sales imports the card modules

    lines = enrich_lines(system, [dict(line) for line in lines])
    value = reward_value(card, program)
    qualifying = qualifying_programs(lines)
    free = free_units(system, sale_id, lines)
    counts = _card_counts(card)
    choices = []
    for i, line in enumerate(lines):
        quantity = Decimal(str(line.get("quantity") or 0))
        if program.id not in {p.id for p in qualifying.get(i, [])} or quantity <= free.get(line["line_id"], 0):
            continue
        price = None if line.get("unit_price") in (None, "") else Decimal(str(line["unit_price"]))
        discount = value["max_value"] if price is None else min(value["max_value"], price)
        bought = sum(n for (upc, sku), n in counts.items()
                     if (upc and upc == line.get("upc")) or (sku and sku == line.get("sku")))
        choices.append({"line_id": line["line_id"], "product_id": line.get("product_id"), "upc": line.get("upc"),
                        "sku": line.get("sku"), "name": line.get("name"),
                        "unit_price": None if price is None else str(price.quantize(CENT)),
                        "discount": str(discount.quantize(CENT)), "bought_on_card": bought, "_price": price})
    default = None
    if choices:
        if program.reward_rule == "most_frequent":
            default = max(choices, key=lambda c: (c["bought_on_card"], -choices.index(c)))
        else:
            default = min(choices, key=lambda c: (c["_price"] is None, c["_price"] or 0, choices.index(c)))
    for c in choices:
        del c["_price"]
    return {"lines": choices, "default_line_id": default["line_id"] if default else None}


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
    """Redeem the card for ``item`` (a line of the sale, or an item chosen explicitly). When the sale was
    already committed, the line given free gives back its punches in the same transaction."""
    from .sales import enrich_lines, lock_committed_sale, settle_free_items  # sales imports the card modules

    if sale_ref and item.get("product_id") and not (item.get("upc") or item.get("sku")):
        item = enrich_lines(sale_ref["system"], [{**item, "line_id": item.get("line_id") or "-"}])[0]
    with write_transaction():
        sale = lock_committed_sale(sale_ref["system"], sale_ref["sale_id"]) if sale_ref else None
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
               program_id=program.id, max_value=str(value["max_value"].quantize(CENT)),
               item={k: (str(v) if isinstance(v, Decimal) else v) for k, v in item.items()}, sale=sale_ref)
        if sale is not None:
            settle_free_items(sale, actor)
    return red
