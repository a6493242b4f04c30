"""Member cards: batches, assignment to an account (by email, as K-Series does, or by account), revoke and
replace, and the register's look-up by a scanned code. No Flask here (only gettext for the messages)."""
from __future__ import annotations

from flask_babel import gettext as _
from peewee import fn

from .. import events
from ..audit import record
from ..db import is_postgres, write_transaction
from ..domain.accounts import account_dict, get_account
from ..domain.cards import iso
from ..domain.contacts import ContactError, normalize_email
from ..errors import Conflict, NotFound, ValidationFailed
from ..models import Account, utcnow
from .codes import InvalidCode, grouped, new_code, normalize
from .models import ASSIGNED, REVOKED, UNASSIGNED, CardBatch, MemberCard

MAX_BATCH = 10000


def card_dict(card: MemberCard) -> dict:
    return {
        "code": card.code,
        "code_display": grouped(card.code),
        "status": card.status,
        "batch_id": card.batch_id,
        "account_id": card.account_id,
        "assigned_at": iso(card.assigned_at),
        "assigned_by": card.assigned_by,
        "revoked_at": iso(card.revoked_at),
        "revoked_by": card.revoked_by,
        "revoke_reason": card.revoke_reason,
    }


def create_batch(name: str, count: int, actor: str) -> tuple[CardBatch, list[str]]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("a batch needs a name (100 characters at most)"),
                               fields={"name": [_("1 to 100 characters")]})
    if not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        raise ValidationFailed(_("a batch has 1 to %(max)d cards", max=MAX_BATCH),
                               fields={"count": [_("1 to %(max)d", max=MAX_BATCH)]})
    with write_transaction():
        batch = CardBatch.create(name=name, size=count, created_by=actor)
        codes: set[str] = set()
        while len(codes) < count:
            codes.add(new_code())
        existing = {c.code for c in MemberCard.select(MemberCard.code).where(MemberCard.code.in_(list(codes)))}
        while existing:  # 50 random bits: practically never, but a duplicate must not fail the batch
            codes -= existing
            while len(codes) < count:
                codes.add(new_code())
            existing = {c.code for c in MemberCard.select(MemberCard.code).where(MemberCard.code.in_(list(codes)))}
        ordered = sorted(codes)
        now = utcnow()
        for start in range(0, len(ordered), 500):
            MemberCard.insert_many([{"code": c, "batch": batch.id, "created_at": now}
                                    for c in ordered[start:start + 500]]).execute()
        record(actor, "member_cards.batch_create", "card_batch", batch.id, name=name, count=count)
    return batch, ordered


def batches() -> list[dict]:
    counts = {}
    for row in (MemberCard.select(MemberCard.batch, MemberCard.status, fn.COUNT(MemberCard.id).alias("n"))
                .group_by(MemberCard.batch, MemberCard.status)):
        counts.setdefault(row.batch_id, {})[row.status] = row.n
    return [{"id": b.id, "name": b.name, "size": b.size, "created_by": b.created_by, "created_at": b.created_at,
             **{s: counts.get(b.id, {}).get(s, 0) for s in (UNASSIGNED, ASSIGNED, REVOKED)}}
            for b in CardBatch.select().order_by(CardBatch.id.desc())]


def _code(text: str) -> str:
    try:
        return normalize(text)
    except InvalidCode as exc:
        raise NotFound(str(exc), code="invalid_card_code", fields={"code": [str(exc)]}) from None


def get_card(text: str, *, lock: bool = False) -> MemberCard:
    code = _code(text)
    query = MemberCard.select().where(MemberCard.code == code)
    if lock and is_postgres():
        query = query.for_update()
    card = query.first()
    if card is None:
        raise NotFound(_("no member card has this code"), code="unknown_card", fields={"code": [_("unknown card")]})
    return card


def _account_for(email: str | None, account_id: int | None) -> Account:
    if account_id is not None:
        return get_account(account_id)
    try:
        email = normalize_email(email)
    except ContactError as exc:
        raise ValidationFailed(str(exc), fields={"email": [str(exc)]}) from None
    if not email:
        raise ValidationFailed(_("give an email or an account_id"), fields={"email": [_("required")]})
    found = list(Account.select().where((Account.email == email) & Account.merged_into.is_null()).limit(2))
    if not found:
        raise NotFound(_("no account has this email: create the account first"), code="unknown_email",
                       fields={"email": [_("no account has this email")]})
    if len(found) > 1:
        raise Conflict(_("several accounts have this email: assign from the account page"), code="email_ambiguous",
                       fields={"email": [_("several accounts")]})
    return found[0]


def active_cards(account_id: int) -> list[MemberCard]:
    return list(MemberCard.select().where((MemberCard.account == account_id) & (MemberCard.status == ASSIGNED))
                .order_by(MemberCard.assigned_at))


def assign(text: str, actor: str, *, email: str | None = None, account_id: int | None = None,
           cards_per_account: int = 1) -> tuple[MemberCard, Account, bool]:
    """Give a card to an account; returns (card, account, changed). Assigning a card to the account it already
    belongs to changes nothing (a retried request sends no second email)."""
    with write_transaction():
        card = get_card(text, lock=True)
        account = _account_for(email, account_id)
        if card.status == REVOKED:
            raise Conflict(_("this card was revoked; use another card"), code="card_revoked")
        if card.status == ASSIGNED:
            if card.account_id == account.id:
                return card, account, False
            raise Conflict(_("this card belongs to another account"), code="card_assigned")
        if len(active_cards(account.id)) >= cards_per_account:
            raise Conflict(_("this account has a member card already: revoke it (or replace it) first"),
                           code="account_has_card")
        now = utcnow()
        changed = (MemberCard.update(status=ASSIGNED, account=account.id, assigned_at=now, assigned_by=actor)
                   .where((MemberCard.id == card.id) & (MemberCard.status == UNASSIGNED)).execute())
        if not changed:  # SQLite: another writer cannot be here (write lock); kept as a guard
            raise Conflict(_("this card was just assigned"), code="card_assigned")
        card = MemberCard.get_by_id(card.id)
        record(actor, "member_card.assign", "member_card", card.code, account_id=account.id,
               by="email" if account_id is None else "account")
        events.emit("member_card.assigned", card=card, account=account, actor=actor)
    return card, account, True


def revoke(text: str, actor: str, reason: str = "") -> MemberCard:
    reason = (reason or "").strip()[:200] or "revoked"
    with write_transaction():
        card = get_card(text, lock=True)
        if card.status == REVOKED:
            return card
        now = utcnow()
        MemberCard.update(status=REVOKED, revoked_at=now, revoked_by=actor, revoke_reason=reason).where(
            MemberCard.id == card.id).execute()
        record(actor, "member_card.revoke", "member_card", card.code, account_id=card.account_id, reason=reason)
        return MemberCard.get_by_id(card.id)


def next_unassigned(batch_id: int | None = None) -> MemberCard:
    query = MemberCard.select().where(MemberCard.status == UNASSIGNED)
    if batch_id:
        query = query.where(MemberCard.batch == batch_id)
    card = query.order_by(MemberCard.batch.desc(), MemberCard.id).first()
    if card is None:
        raise Conflict(_("no unassigned card left: create a batch first"), code="no_card_left")
    return card


def replace(account_id: int, actor: str, new_code_text: str | None = None, reason: str = "lost") -> MemberCard:
    """A lost card: revoke the account's cards and assign a new one (the code of a plastic card in hand, or the
    next unassigned card) in one transaction."""
    with write_transaction():
        account = get_account(account_id)
        for old in active_cards(account.id):
            revoke(old.code, actor, reason)
        code = new_code_text or next_unassigned().code
        card = assign(code, actor, account_id=account.id)[0]
    return card


def register_lookup(text: str) -> dict:
    """What the register shows after a scan: the account with its punch cards, rewards and points."""
    card = get_card(text)
    if card.status == REVOKED:
        raise Conflict(_("this card was revoked; ask for the customer's new card or look them up by name"),
                       code="card_revoked", extra={"card": card_dict(card)})
    if card.status == UNASSIGNED or card.account_id is None:
        raise Conflict(_("this card is not assigned to anyone yet: assign it in the staff app"),
                       code="card_unassigned", extra={"card": card_dict(card)})
    account = get_account(card.account_id)
    out = account_dict(account, cards=True, links=True)
    out["rewards_available"] = sum(c["rewards_available"] for c in out["cards"])
    # account_dict carries each kind's summary: "cards" (punch) and, with points programs, "points"
    return {"card": card_dict(card), "account": out, "points": out.get("points", [])}


def account_member_cards(account_id: int) -> list[MemberCard]:
    return list(MemberCard.select().where(MemberCard.account == account_id)
                .order_by(MemberCard.status, MemberCard.assigned_at.desc()))

