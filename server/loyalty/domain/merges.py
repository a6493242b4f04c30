"""Merging two accounts of one customer (or household) into a primary one.

Everything the other account holds moves to the primary: POS links (live and history), sales, cards with their
ledger rows, redemptions. Cards of one program combine: the other account's open card gives its punches to the
primary's open card through "move" ledger rows (rolling over into a reward when the sum fills a card) and stays
behind as a void card, so the history still shows where each punch came from. The other account keeps existing
with ``merged_into`` set; ``get_account`` answers it as the primary.
"""
from __future__ import annotations

from flask_babel import gettext as _
from peewee import fn

from ..audit import record
from ..db import write_transaction
from ..errors import ValidationFailed
from ..models import Account, Card, PosLink, Program, Punch, Redemption, Sale, utcnow
from ..programs import KINDS
from .accounts import get_account
from .cards import PunchContext, add_punches, lock_account, take_back

# Contact fields the primary takes from the other account when it has none of its own.
FILL_FIELDS = ("email", "phone")
ADDRESS_ATTRS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


def merge_accounts(primary_id: int, other_id: int, actor: str) -> Account:
    with write_transaction():
        primary, other = get_account(primary_id), get_account(other_id)
        if primary.id == other.id:
            raise ValidationFailed(_("these are the same account"), fields={"other_account_id": [_("same account")]})
        for account_id in sorted((primary.id, other.id)):  # a sale committing meanwhile waits for the merge
            lock_account(account_id)
        now = utcnow()
        combined = _move_cards(primary, other, actor, now)
        for kind in KINDS.values():  # what the other account holds in other kinds of program (points)
            kind.merge_accounts(primary.id, other.id, actor, now)
        links = PosLink.update(account=primary.id).where(PosLink.account == other.id).execute()
        sales = Sale.update(account=primary.id, last_hash=None).where(Sale.account == other.id).execute()
        redemptions = Redemption.update(account=primary.id).where(Redemption.account == other.id).execute()
        filled = _fill_contact(primary, other)
        if filled:
            primary.updated_at = now
            primary.save()
        # Accounts merged into the other earlier now point at the primary directly.
        Account.update(merged_into=primary.id).where(Account.merged_into == other.id).execute()
        other.merged_into = primary.id
        other.updated_at = now
        other.save()
        details = dict(primary=primary.id, other=other.id, other_name=other.full_name, links=links, sales=sales,
                       redemptions=redemptions, combined_programs=combined, filled=filled)
        record(actor, "account.merge", "account", primary.id, account_id=primary.id, **details)
        record(actor, "account.merged_into", "account", other.id, account_id=other.id, **details)
    return primary


def _move_cards(primary: Account, other: Account, actor: str, now) -> list[int]:
    """Move the other account's cards to the primary; returns the programs whose open cards were combined."""
    combined = []
    program_ids = [row.program_id for row in Card.select(Card.program).where(Card.account == other.id).distinct()]
    for program in Program.select().where(Program.id.in_(program_ids or [0])).order_by(Program.id):
        other_open = Card.get_or_none((Card.account == other.id) & (Card.program == program.id)
                                      & (Card.status == "open"))
        primary_open = Card.get_or_none((Card.account == primary.id) & (Card.program == program.id)
                                        & (Card.status == "open"))
        carry = 0
        if other_open is not None and primary_open is not None:
            carry = other_open.punches
            ctx = PunchContext(actor=actor, kind="move", reason="account merge",
                               note=f"merged from account {other.id} into account {primary.id}")
            if carry > 0:
                take_back(other.id, program, carry, ctx, now)
            other_open = Card.get_by_id(other_open.id)
            other_open.status = "void"  # emptied: its punches now count on the primary's open card
            other_open.save()
            combined.append(program.id)
        _renumber_into(primary.id, other.id, program.id)
        if carry > 0:
            add_punches(primary.id, program, carry, ctx, now)
    Punch.update(account=primary.id).where(Punch.account == other.id).execute()
    return combined


def _renumber_into(primary_id: int, other_id: int, program_id: int):
    """Give the other account's cards of a program to the primary, numbered after the primary's, and keep the
    open card the newest (``take_back`` relies on it: it takes punches from the newest live card first)."""
    top = Card.select(fn.MAX(Card.seq)).where((Card.account == primary_id) & (Card.program == program_id)).scalar() or 0
    moving = list(Card.select().where((Card.account == other_id) & (Card.program == program_id))
                  .order_by(Card.seq))
    for i, card in enumerate(moving, 1):
        card.account = primary_id
        card.seq = top + i
        card.save()
    top += len(moving)
    open_card = Card.get_or_none((Card.account == primary_id) & (Card.program == program_id)
                                 & (Card.status == "open"))
    if open_card is not None and open_card.seq != top:
        open_card.seq = top + 1
        open_card.save()


def _fill_contact(primary: Account, other: Account) -> list[str]:
    filled = []
    for attr in FILL_FIELDS:
        if not getattr(primary, attr) and getattr(other, attr):
            setattr(primary, attr, getattr(other, attr))
            filled.append(attr)
    if not primary.address_line1 and other.address_line1:
        for attr in ADDRESS_ATTRS:
            setattr(primary, attr, getattr(other, attr))
        filled.append("address")
    return filled
