"""Manager corrections to punch cards: an exception punch, an adjustment, splitting punches to another account,
the reason for a punch flagged for review.

Every change goes through ``add_punches``/``take_back`` (so roll-over and the one-open-card rule hold), leaves
``Punch`` ledger rows and an ``AuditLog`` row, all in one write transaction.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ..audit import record
from ..db import write_transaction
from ..errors import Conflict, NotFound, ValidationFailed
from ..models import Card, Program, Punch, utcnow
from .accounts import get_account
from .cards import LIVE, PunchContext, add_punches, lock_account, take_back
from .sales import OTHER

MAX_PUNCHES = 1000


def _program(program_id) -> Program:
    program = Program.get_or_none(Program.id == program_id)
    if program is None:
        raise NotFound(_("no program %(id)s", id=program_id), fields={"program_id": [_("unknown program")]})
    return program


def parse_quantity(value, *, allow_negative=False) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(_("the number of punches must be a whole number"),
                               fields={"quantity": [_("a whole number")]}) from None
    low = -MAX_PUNCHES if allow_negative else 1
    if n == 0 or not low <= n <= MAX_PUNCHES:
        raise ValidationFailed(_("the number of punches must be between %(low)s and %(high)s, and not 0", low=low,
                                 high=MAX_PUNCHES), fields={"quantity": [_("out of range")]})
    return n


def parse_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("a reason is required"), fields={"reason": [_("required")]})
    if len(reason) > 100:
        raise ValidationFailed(_("the reason is too long (100 characters at most; use the note for more)"),
                               fields={"reason": ["100 characters at most"]})
    return reason


def _price(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(_("the unit price must be a number"), fields={"unit_price": [_("a number")]}) from None
    if price < 0 or price > 100000:
        raise ValidationFailed(_("the unit price must be between 0 and 100000"), fields={"unit_price": [_("range")]})
    return price


def live_punches(account_id: int, program_id: int) -> int:
    return sum(c.punches for c in Card.select(Card.punches).where(
        (Card.account == account_id) & (Card.program == program_id) & Card.status.in_(LIVE)))


def exception_punch(account_id: int, program_id: int, actor: str, *, reason: str, quantity=1, item_name=None,
                    upc=None, sku=None, unit_price=None, note=None):
    """Force a non-qualifying item (e.g. a new UPC not yet on the list) onto the account's card."""
    reason, n, price = parse_reason(reason), parse_quantity(quantity), _price(unit_price)
    item_name = (item_name or "").strip()[:300] or None
    upc, sku = (upc or "").strip()[:64] or None, (sku or "").strip()[:64] or None
    if not (item_name or upc or sku):
        raise ValidationFailed(_("name the item (a name, UPC or SKU)"), fields={"item_name": [_("required")]})
    with write_transaction():
        account = get_account(account_id)
        program = _program(program_id)
        ctx = PunchContext(actor=actor, kind="exception", unit_price=price, upc=upc, sku=sku, item_name=item_name,
                           reason=reason, note=(note or "").strip() or None)
        changes = add_punches(account.id, program, n, ctx, utcnow())
        record(actor, "card.exception", "account", account.id, account_id=account.id, program_id=program.id,
               quantity=n, reason=reason, item={"name": item_name, "upc": upc, "sku": sku,
                                                "unit_price": None if price is None else str(price)},
               cards=[c.card_id for c in changes])
    return changes


def adjust_punches(account_id: int, program_id: int, delta, actor: str, *, reason: str, note=None):
    """Add (delta > 0) or remove (delta < 0) punches on the account's cards in a program, with a reason."""
    reason, n = parse_reason(reason), parse_quantity(delta, allow_negative=True)
    with write_transaction():
        account = get_account(account_id)
        program = _program(program_id)
        lock_account(account.id)  # before counting its punches (PostgreSQL; SQLite writers are serialised)
        ctx = PunchContext(actor=actor, kind="adjustment", reason=reason, note=(note or "").strip() or None)
        if n < 0:
            have = live_punches(account.id, program.id)
            if -n > have:
                raise ValidationFailed(_("the cards hold %(have)s punches: cannot remove %(n)s", have=have, n=-n),
                                       fields={"quantity": [_("at most %(have)s to remove", have=have)]})
            changes = take_back(account.id, program, -n, ctx, utcnow())
        else:
            changes = add_punches(account.id, program, n, ctx, utcnow())
        record(actor, "card.adjust", "account", account.id, account_id=account.id, program_id=program.id,
               quantity=n, reason=reason, note=ctx.note, cards=[c.card_id for c in changes])
    return changes


def split_card(card_id: int, target_account_id: int, quantity, actor: str, *, reason: str):
    """Move ``quantity`` punches of a card's program from its account to another (a shared account split up).
    Punches are fungible within a program, so they leave the newest live card first."""
    reason, n = parse_reason(reason), parse_quantity(quantity)
    with write_transaction():
        card = Card.get_or_none(Card.id == card_id)
        if card is None:
            raise NotFound(_("no card %(id)s", id=card_id))
        if card.status not in LIVE:
            raise ValidationFailed(_("this card is %(status)s: only open or complete cards can be split",
                                     status=card.status), fields={"card_id": [_("not live")]})
        source = get_account(card.account_id)
        target = get_account(target_account_id)
        if target.id == source.id:
            raise ValidationFailed(_("choose another account to move the punches to"),
                                   fields={"target_account_id": [_("must be a different account")]})
        program = _program(card.program_id)
        for account_id in sorted((source.id, target.id)):  # one order everywhere: no deadlock between two splits
            lock_account(account_id)
        have = live_punches(source.id, program.id)
        if n > have:
            raise ValidationFailed(_("the cards hold %(have)s punches: cannot move %(n)s", have=have, n=n),
                                   fields={"quantity": [_("at most %(have)s", have=have)]})
        now = utcnow()
        ctx = PunchContext(actor=actor, kind="move", reason=reason,
                           note=f"split from account {source.id} to account {target.id}")
        taken = take_back(source.id, program, n, ctx, now)
        added = add_punches(target.id, program, n, ctx, now)
        details = dict(program_id=program.id, card_id=card.id, quantity=n, reason=reason,
                       from_account=source.id, to_account=target.id)
        record(actor, "card.split", "card", card.id, account_id=source.id, **details)
        record(actor, "card.split", "card", card.id, account_id=target.id, **details)
    return taken, added


def review_punch(punch_id: int, actor: str, *, reason: str, allowed: tuple, note=None):
    """A manager gives the multi-purchase reason a webhook commit could not ask for. The punches stay (to take
    them back, adjust); the row's reason is set, its review flag cleared, and the audit row keeps the before."""
    reason = parse_reason(reason)
    if reason not in allowed:
        raise ValidationFailed(_("reason must be one of: %(reasons)s", reasons=", ".join(allowed)),
                               fields={"reason": [_("unknown")]})
    note = (note or "").strip() or None
    if reason == OTHER and not note:
        raise ValidationFailed(_("a note is required with 'Other'"), fields={"note": [_("required")]})
    with write_transaction():
        row = Punch.get_or_none(Punch.id == punch_id)
        if row is None:
            raise NotFound(_("no punch %(id)s", id=punch_id))
        if not row.needs_review:
            raise Conflict(_("this punch was already reviewed"), code="already_reviewed")
        before = {"reason": row.reason, "note": row.note}
        Punch.update(needs_review=False, reason=reason, note=note or row.note).where(Punch.id == row.id).execute()
        record(actor, "punch.review", "punch", row.id, account_id=row.account_id, program_id=row.program_id,
               before=before, reason=reason, note=note)
    return row
