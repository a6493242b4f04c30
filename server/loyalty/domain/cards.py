"""Punch cards: adding punches (with roll-over to the next card), taking them back, expiry.

Invariant: per account and program at most one card is ``open`` (a partial unique index enforces it), and it is
the newest live card. Punches are fungible within a program, so a reversal removes them from the newest live
card first; that keeps the invariant without shuffling punches between cards. Every change is a ``Punch`` row.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import namedtuple
from dataclasses import dataclass, field
from functools import lru_cache

from peewee import fn

from .. import events, fastsql
from ..models import Card, Program, Punch, utcnow

LIVE = ("open", "complete")
CARD_STATE = ("punches", "status", "first_punch_at", "expires_at", "completed_at")


@dataclass
class PunchContext:
    """What a ledger row records besides its card and quantity."""

    actor: str
    kind: str = "purchase"
    sale: object = None
    line: object = None
    cause: object = None
    unit_price: object = None
    upc: str | None = None
    sku: str | None = None
    item_name: str | None = None
    reason: str | None = None
    note: str | None = None
    needs_review: bool = False

    def values(self, account_id, program, card, quantity) -> dict:
        return dict(
            account=account_id, program=program.id, card=card.id, kind=self.kind, quantity=quantity,
            sale=self.sale, line=self.line, cause=self.cause, unit_price=self.unit_price, upc=self.upc,
            sku=self.sku, item_name=self.item_name, reason=self.reason, note=self.note,
            needs_review=self.needs_review, actor=self.actor, created_at=utcnow(),
        )

    def row(self, account_id, program, card, quantity) -> Punch:
        return Punch.create(**self.values(account_id, program, card, quantity))


@dataclass
class CardChange:
    card_id: int
    quantity: int


@dataclass
class ProgramState:
    punches: int = 0  # on the open card
    rewards_available: int = 0
    changes: list = field(default_factory=list)


_locked = threading.local()


def lock_account(account_id: int):
    """Serialise punch changes per account. On PostgreSQL two transactions could otherwise both see no open card
    and both create one; SQLite's BEGIN IMMEDIATE already serialises writers."""
    from ..db import database, is_postgres

    forget_live()
    if not is_postgres():
        return
    # Once per transaction is enough: a row lock is held until it ends (each call was a round trip).
    tx = database.top_transaction()
    memo = _locked.__dict__
    if memo.get("tx") is not tx or tx is None:
        memo["tx"], memo["ids"] = tx, set()
    if account_id not in memo["ids"]:
        fastsql.rows('SELECT "id" FROM "account" WHERE "id" = ? FOR UPDATE', (account_id,))
        memo["ids"].add(account_id)


def expire_if_due(card: Card, program: Program, now: dt.datetime) -> bool:
    """An open card past its completion window expires; its punches stay on it as history."""
    if card.status == "open" and card.expires_at is not None and card.expires_at <= now:
        card.status = "expired"
        fastsql.save(card, "status")
        return True
    return False


def open_card(account_id: int, program: Program, now: dt.datetime | None = None) -> Card:
    """The account's open card in the program, expiring a stale one and creating a new one as needed."""
    now = now or utcnow()
    card = fastsql.first(Card, '"account_id" = ? AND "program_id" = ? AND "status" = ?',
                         (account_id, program.id, "open"))
    if card is not None and not expire_if_due(card, program, now):
        return card
    last_seq = fastsql.rows('SELECT MAX("seq") FROM "card" WHERE "account_id" = ? AND "program_id" = ?',
                            (account_id, program.id))[0][0] or 0
    values = dict(account=account_id, program=program.id, seq=last_seq + 1, status="open", punches=0,
                  created_at=now)
    (card_id,) = fastsql.insert(Card, [values])
    return Card(id=card_id, **values)


def add_punches(account_id: int, program: Program, quantity: int, ctx: PunchContext,
                now: dt.datetime | None = None) -> list[CardChange]:
    """Punch ``quantity`` times, completing cards and rolling over to new ones."""
    return add_punches_batch(account_id, program, [(quantity, ctx)], now)


class _CardRef:
    """A card known by its id alone (what a ledger row needs)."""

    __slots__ = ("id",)

    def __init__(self, card_id):
        self.id = card_id


# The usual case in one statement: the open card has room for every punch of the batch and has not expired.
_PUNCH_OPEN_CARD = (
    'UPDATE "card" SET "punches" = "punches" + ?, "expires_at" = CASE WHEN "first_punch_at" IS NULL THEN ? ELSE '
    '"expires_at" END, "first_punch_at" = COALESCE("first_punch_at", ?) WHERE "account_id" = ? AND "program_id" = ? '
    'AND "status" = \'open\' AND "punches" + ? < ? AND ("expires_at" IS NULL OR "expires_at" > ?) '
    'RETURNING "id", "program_id"')


@lru_cache(maxsize=16)
def _punch_open_cards_sql(n: int) -> str:
    """The same for the open cards of ``n`` programs at once (each program's figures chosen by a CASE)."""
    def case(then="?"):
        return 'CASE "program_id" ' + " ".join([f"WHEN ? THEN {then}"] * n) + " END"

    # The expiry's CASE starts with a timestamp column, so that PostgreSQL types the parameters after it alike
    expires = 'CASE WHEN "first_punch_at" IS NOT NULL THEN "expires_at" ' + \
              " ".join(['WHEN "program_id" = ? THEN ?'] * n) + " END"
    return (f'UPDATE "card" SET "punches" = "punches" + {case()}, "expires_at" = {expires}, '
            f'"first_punch_at" = COALESCE("first_punch_at", ?) WHERE "account_id" = ? AND "status" = \'open\' AND '
            f'"program_id" IN {fastsql.in_list(n)} AND "punches" + {case()} < {case()} AND '
            '("expires_at" IS NULL OR "expires_at" > ?) RETURNING "id", "program_id"')


def _punch_open_cards(account_id: int, batches: list, now: dt.datetime) -> dict:
    """Each program's batch ``[(program, [(quantity, ctx), ...]), ...]`` on its open card, in one statement, for
    the programs whose open card needs no completion, roll-over or expiry: {program id: (changes, ledger rows)}
    of those."""
    at = Card.first_punch_at.db_value(now)
    todo = []  # (program, items, total, expires)
    for program, items in batches:
        total = sum(q for q, _ctx in items if q > 0)
        if total > 0:
            expires = now + dt.timedelta(days=program.window_days) if program.window_days else None
            todo.append((program, items, total, Card.expires_at.db_value(expires)))
    if not todo:
        return {}
    if len(todo) == 1:
        program, _items, total, expires = todo[0]
        found = fastsql.rows(_PUNCH_OPEN_CARD, (total, expires, at, account_id, program.id, total,
                                                program.buy_quantity, at))
    else:
        params = [v for p, _i, total, _e in todo for v in (p.id, total)]
        params += [v for p, _i, _t, expires in todo for v in (p.id, expires)]
        params += [at, account_id, *(p.id for p, _i, _t, _e in todo)]
        params += [v for p, _i, total, _e in todo for v in (p.id, total)]
        params += [v for p, _i, _t, _e in todo for v in (p.id, p.buy_quantity)]
        params.append(at)
        found = fastsql.rows(_punch_open_cards_sql(len(todo)), params)
    cards = {pid: _CardRef(card_id) for card_id, pid in found}
    out = {}
    for program, items, _total, _expires in todo:
        card = cards.get(program.id)
        if card is None:
            continue
        changes, rows = out[program.id] = [], []
        for quantity, ctx in items:
            if quantity > 0:
                rows.append(ctx.values(account_id, program, card, quantity))
                changes.append(CardChange(card.id, quantity))
    return out


def add_punches_programs(account_id: int, batches: list, now: dt.datetime, ledger: list) -> dict:
    """``add_punches_batch`` for several programs ``[(program, items), ...]``, their ledger rows added to
    ``ledger``: the programs whose open card has room take one statement together. {program id: changes}."""
    lock_account(account_id)
    fast = _punch_open_cards(account_id, batches, now)
    out = {}
    for program, items in batches:  # the ledger rows in the batches' order, as one program after the other
        if program.id in fast:
            out[program.id], rows = fast[program.id]
            ledger.extend(rows)
        else:
            out[program.id] = add_punches_batch(account_id, program, items, now, ledger, open_card_tried=True)
    return out


def add_punches_batch(account_id: int, program: Program, items, now: dt.datetime | None = None,
                      ledger: list | None = None, open_card_tried: bool = False) -> list[CardChange]:
    """Punch for several ledger contexts at once ``[(quantity, ctx), ...]``: one statement when the open card has
    room, else one open-card lookup and one update per card touched; then one insert of the ledger rows, or with
    ``ledger`` the rows are added to that list for the caller to insert (with other programs' rows).
    ``open_card_tried``: the caller found the open card without room (``_punch_open_cards``)."""
    now = now or utcnow()
    lock_account(account_id)
    rows = [] if ledger is None else ledger
    if not open_card_tried:
        done = _punch_open_cards(account_id, [(program, items)], now)
        if program.id in done:
            changes, new_rows = done[program.id]
            rows.extend(new_rows)
            if ledger is None:
                fastsql.insert(Punch, rows, returning=False)
            return changes
    changes, dirty = [], {}
    card = None
    for quantity, ctx in items:
        remaining = quantity
        while remaining > 0:
            if card is None or card.status != "open":
                card = open_card(account_id, program, now)
            room = program.buy_quantity - card.punches
            n = min(room, remaining)
            if n <= 0:  # a card over-filled by an adjustment: close it and move on
                _complete(card, now)
                continue
            rows.append(ctx.values(account_id, program, card, n))
            card.punches += n
            if card.first_punch_at is None:
                card.first_punch_at = now
                card.expires_at = now + dt.timedelta(days=program.window_days) if program.window_days else None
            if card.punches >= program.buy_quantity:
                card.status = "complete"
                card.completed_at = now
                # saved before the next open card is created: one open card per account and program
                fastsql.save(card, *CARD_STATE)
                dirty.pop(card.id, None)
                events.emit("card.completed", card=card, account_id=account_id, program=program)
            else:
                dirty[card.id] = card
            changes.append(CardChange(card.id, n))
            remaining -= n
    for c in dirty.values():
        fastsql.save(c, *CARD_STATE)
    if ledger is None:
        fastsql.insert(Punch, rows, returning=False)
    return changes


def _complete(card: Card, now):
    card.status = "complete"
    card.completed_at = now
    card.save()


def take_back(account_id: int, program: Program, quantity: int, ctx: PunchContext,
              now: dt.datetime | None = None) -> list[CardChange]:
    """Remove ``quantity`` punches, newest live card first.

    Punches of ``ctx.line`` that sit on an expired card are written off there first: they no longer count, and
    taking them from the live cards would cost the customer punches from other sales. When the live cards hold
    fewer (the rest were on a card already redeemed), the remainder is taken from the open card as a debt, so
    that buying, redeeming and refunding never keeps a reward that was not paid for.
    """
    now = now or utcnow()
    lock_account(account_id)
    changes = []
    remaining = quantity
    if ctx.line is not None:
        expired = (Punch.select(Punch.card, fn.SUM(Punch.quantity).alias("n")).join(Card)
                   .where((Punch.line == ctx.line) & (Punch.program == program.id) & (Card.status == "expired"))
                   .group_by(Punch.card))
        for row in list(expired):
            n = min(int(row.n or 0), remaining)
            if n > 0:
                ctx.row(account_id, program, Card(id=row.card_id), -n)
                Card.update(punches=Card.punches - n).where(Card.id == row.card_id).execute()
                changes.append(CardChange(row.card_id, -n))
                remaining -= n
    live = list(Card.select().where((Card.account == account_id) & (Card.program == program.id)
                                    & (Card.status.in_(LIVE))).order_by(Card.seq.desc()))
    for card in live:
        if remaining <= 0:
            break
        n = min(card.punches, remaining)
        if n <= 0:
            continue
        ctx.row(account_id, program, card, -n)
        card.punches -= n
        remaining -= n
        changes.append(CardChange(card.id, -n))
        if card.status == "open":
            if card.punches == 0:
                card.first_punch_at = card.expires_at = None
            card.save()
        else:  # a complete card that lost punches is open again, and any emptied newer card gives way to it
            newer_open = Card.get_or_none((Card.account == account_id) & (Card.program == program.id)
                                          & (Card.status == "open"))
            if newer_open is not None and newer_open.id != card.id:
                if newer_open.punches:  # a debt on the emptied card follows the punches to the reopened one
                    carry = PunchContext(actor=ctx.actor, kind="move", sale=ctx.sale, note="debt carried over")
                    carry.row(account_id, program, newer_open, -newer_open.punches)
                    carry.row(account_id, program, card, newer_open.punches)
                    card.punches += newer_open.punches
                    newer_open.punches = 0
                newer_open.status = "void"
                newer_open.save(only=[Card.status, Card.punches])
            card.status = "open"
            card.completed_at = None
            card.save()
    if remaining > 0:
        card = open_card(account_id, program, now)
        debt_ctx = PunchContext(**{**ctx.__dict__, "note": (ctx.note or "reward already redeemed: debt")})
        debt_ctx.row(account_id, program, card, -remaining)
        card.punches -= remaining
        card.save()
        changes.append(CardChange(card.id, -remaining))
    return changes


def card_summary(card: Card, program: Program) -> dict:
    return {
        "id": card.id,
        "program_id": program.id,
        "program": program.name,
        "seq": card.seq,
        "punches": card.punches,
        "buy_quantity": program.buy_quantity,
        "status": card.status,
        "rewards_available": 1 if card.status == "complete" else 0,
        "first_punch_at": iso(card.first_punch_at),
        "expires_at": iso(card.expires_at),
        "completed_at": iso(card.completed_at),
        "redeemed_at": iso(card.redeemed_at),
    }


# The register's answers (preview, commit, resolve, a member card scan) carry at most this many complete cards:
# what the cashier can redeem now, oldest first, never the account's whole history (issue 15).
REGISTER_COMPLETE_CARDS = 25

# Open and complete cards with their program, in one statement; both use a partial index on "status" (models.py),
# so the cost does not grow with the account's redeemed and expired cards.
_LIVE_CARDS = (
    'SELECT {cols}, "program"."name", "program"."buy_quantity" FROM "card" JOIN "program" ON "program"."id" = '
    '"card"."program_id" WHERE "card"."account_id" = ? AND "card"."status" = \'open\' UNION ALL '
    'SELECT * FROM (SELECT {cols}, "program"."name", "program"."buy_quantity" FROM "card"{complete_index} JOIN '
    '"program" ON "program"."id" = "card"."program_id" WHERE "card"."account_id" = ? AND '
    '"card"."status" = \'complete\' '
    'ORDER BY "card"."program_id", "card"."seq" LIMIT ?) AS "complete_cards"')


def complete_index() -> str:
    """SQLite's planner has no statistics for the complete cards' partial index until some exist, and would read
    the account's every card through the (account, program, seq) one."""
    return fastsql.index_hint("card_complete")


class _LiveCard:
    """A live card as the register's answers read it: the columns ``card_summary`` and the kept state use. Not a
    model: building one per card (and a Program per row) was most of the answer's cards' Python time."""

    __slots__ = ("id", "program_id", "seq", "punches", "status", "first_punch_at", "expires_at", "completed_at",
                 "redeemed_at")


_ProgramRef = namedtuple("_ProgramRef", "id name buy_quantity")  # what card_summary reads of a program


_DATES = ("first_punch_at", "expires_at", "completed_at", "redeemed_at")  # text on SQLite, datetime on PostgreSQL


def _live_cards_sql() -> str:
    return _LIVE_CARDS.format(cols=", ".join(f'"card"."{name}"' for name in _LiveCard.__slots__),
                              complete_index=complete_index())


def _live_cards(account_id: int, complete_limit: int) -> tuple[list, dict]:
    sql = fastsql.prepared("live_cards", _live_cards_sql)
    dates = [Card._meta.fields[name].python_value for name in _DATES]
    cards, programs = [], {}
    for (card_id, program_id, seq, punches, status, *stamps, name, buy_quantity) in fastsql.rows(
            sql, (account_id, account_id, complete_limit)):
        card = _LiveCard()
        card.id, card.program_id, card.seq, card.punches, card.status = card_id, program_id, seq, punches, status
        card.first_punch_at, card.expires_at, card.completed_at, card.redeemed_at = (
            None if v is None else convert(v) for convert, v in zip(dates, stamps))
        cards.append(card)
        if program_id not in programs:
            programs[program_id] = _ProgramRef(program_id, name, buy_quantity)
    return cards, programs


# The live cards an answer just read, kept for the per-program state the same preview or commit asks next
# (PunchKind.state): a statement fewer. Taken once; any punch change drops it (lock_account, _reopen_rewards).
LIVE_SLOT = "punch.live"


def _live_slot() -> dict | None:
    from ..programs.base import memo_slot  # here: programs/ imports this module

    return memo_slot(LIVE_SLOT)


def _keep_live(account_id: int, cards: list, limit: int):
    slot = _live_slot()
    if slot is None:
        return
    complete = sum(1 for c in cards if c.status == "complete")
    # Only when every complete card came back: the state counts them all
    if complete < limit:
        state: dict[int, list] = {}
        for c in cards:
            entry = state.setdefault(c.program_id, [0, 0])
            if c.status == "open":
                entry[0] += c.punches
            else:
                entry[1] += 1
        slot[account_id] = state


def kept_live_state(account_id: int) -> dict | None:
    """{program_id: [punches on the open card, complete cards]} from the live cards the answer read since the
    account's last punch change, or None; taken (a second call reads the database)."""
    slot = _live_slot()
    return None if slot is None else slot.pop(account_id, None)


def forget_live():
    slot = _live_slot()
    if slot:
        slot.clear()


def account_cards(account_id: int, include_history: bool = False, now: dt.datetime | None = None,
                  complete_limit: int | None = None) -> list[dict]:
    """The cards to show: per program, the open card and each complete card (which can be redeemed), at most
    ``complete_limit`` of those (oldest first); with ``include_history`` every card the account ever had."""
    now = now or utcnow()
    if include_history:
        cards = fastsql.select(Card, '"account_id" = ?', (account_id,))
        programs = {}
        if cards:
            ids = sorted({c.program_id for c in cards})
            for pid, name, n in fastsql.rows('SELECT "id", "name", "buy_quantity" FROM "program" WHERE "id" IN '
                                             + fastsql.in_list(len(ids)), ids):
                programs[pid] = Program(id=pid, name=name, buy_quantity=n)
    else:
        limit = 2**31 - 1 if complete_limit is None else complete_limit
        cards, programs = _live_cards(account_id, limit)
        _keep_live(account_id, cards, limit)
    cards.sort(key=lambda c: (programs[c.program_id].name, c.seq))
    out = []
    for card in cards:
        summary = card_summary(card, programs[card.program_id])
        if card.status == "open" and card.expires_at is not None and card.expires_at <= now:
            summary["status"] = "expired"
        out.append(summary)
    return out


def iso(value):
    return value.isoformat() + "Z" if value is not None else None
