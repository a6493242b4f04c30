"""Report queries for managers, as generators so that a CSV download streams in constant memory.

Test (training) accounts are never counted. Storage is naive UTC; a report's days are the store's local days
(``zone``), and the times it returns are local.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterator

from flask_babel import gettext as _
from peewee import fn

from ..audit import record
from ..db import write_transaction
from ..errors import ValidationFailed
from ..localtime import UTC, day_start_utc, local_day, local_today, to_local
from ..models import Account, Card, Program, Punch, Redemption, utcnow

PAGE = 500
# Ledger kinds that are sales of items (an exception is a sold item forced onto a card).
SOLD_KINDS = ("purchase", "reversal", "refund", "exception")
CREDIT_STATES = ("uncredited", "credited", "all")
CENT = Decimal("0.01")


def parse_range(start: str | None, end: str | None, default_days: int = 30,
                zone: dt.tzinfo = UTC) -> tuple[dt.date, dt.date]:
    """(first day, last day) from YYYY-MM-DD strings; the last ``default_days`` days when absent."""
    today = local_today(zone)
    try:
        last = dt.date.fromisoformat(end) if end else today
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=default_days - 1)
    except ValueError:
        raise ValidationFailed(_("dates must look like 2026-01-31"), fields={"start": ["YYYY-MM-DD"]}) from None
    if first > last:
        raise ValidationFailed(_("the start date is after the end date"), fields={"start": [_("after end")]})
    if (last - first).days > 3660:
        raise ValidationFailed(_("the range is too long (10 years at most)"), fields={"start": [_("too early")]})
    return first, last


def _bounds(first: dt.date, last: dt.date, zone: dt.tzinfo):
    """Naive-UTC [start, end) of the store's local days ``first`` to ``last``."""
    return day_start_utc(first, zone), day_start_utc(last + dt.timedelta(days=1), zone)


def _real_accounts():
    return Account.select(Account.id).where(Account.is_test == False)  # noqa: E712  (peewee expression)


def participation(first: dt.date, last: dt.date, program_id: int | None = None,
                  zone: dt.tzinfo = UTC) -> Iterator[dict]:
    """Per program: unique customers, cards punched, items sold (net), rewards earned and redeemed."""
    start, end = _bounds(first, last, zone)
    programs = Program.select().order_by(Program.name)
    if program_id is not None:
        programs = programs.where(Program.id == program_id)
    real = _real_accounts()
    for program in programs.iterator():
        sold = Punch.select().where((Punch.program == program.id) & (Punch.created_at >= start)
                                    & (Punch.created_at < end) & Punch.account.in_(real)
                                    & Punch.kind.in_(SOLD_KINDS))
        punched = sold.where(Punch.quantity > 0)
        yield {
            "program_id": program.id,
            "program": program.name,
            "manufacturer": program.manufacturer,
            "distributor": program.distributor,
            "status": program.status,
            "unique_customers": punched.select(fn.COUNT(Punch.account.distinct())).scalar() or 0,
            "cards_punched": punched.select(fn.COUNT(Punch.card.distinct())).scalar() or 0,
            "items_sold": int(sold.select(fn.SUM(Punch.quantity)).scalar() or 0),
            "rewards_earned": Card.select().where((Card.program == program.id) & (Card.completed_at >= start)
                                                  & (Card.completed_at < end) & Card.account.in_(real)).count(),
            "rewards_redeemed": Redemption.select().where(
                (Redemption.program == program.id) & (Redemption.created_at >= start)
                & (Redemption.created_at < end) & Redemption.reversed_at.is_null()
                & Redemption.account.in_(real)).count(),
        }


def daily_items(first: dt.date, last: dt.date, program_id: int | None = None,
                zone: dt.tzinfo = UTC) -> list[tuple[dt.date, int]]:
    """Items sold per local day (for the chart): one row per day of the range, zeros included."""
    start, end = _bounds(first, last, zone)
    query = Punch.select(Punch.created_at, Punch.quantity).where(
        (Punch.created_at >= start) & (Punch.created_at < end) & Punch.kind.in_(SOLD_KINDS)
        & Punch.account.in_(_real_accounts()))
    if program_id is not None:
        query = query.where(Punch.program == program_id)
    days = {first + dt.timedelta(days=i): 0 for i in range((last - first).days + 1)}
    for row in query.tuples().iterator():  # the database's date functions differ; summing here is portable
        day = local_day(row[0], zone)
        if day in days:
            days[day] += row[1]
    return sorted(days.items())


def _claimed(select, first, last, state, program_id, zone):
    """The redemptions a report covers: in the local days' range, not reversed, of real accounts, credit state."""
    if state not in CREDIT_STATES:
        raise ValidationFailed(_("state must be one of %(states)s", states=", ".join(CREDIT_STATES)),
                               fields={"state": [_("unknown")]})
    start, end = _bounds(first, last, zone)
    query = (select.join(Program).switch(Redemption).join(Account)
             .where((Redemption.created_at >= start) & (Redemption.created_at < end)
                    & Redemption.reversed_at.is_null() & (Account.is_test == False)))  # noqa: E712
    if state == "uncredited":
        query = query.where(Redemption.credited_at.is_null())
    elif state == "credited":
        query = query.where(Redemption.credited_at.is_null(False))
    if program_id is not None:
        query = query.where(Redemption.program == program_id)
    return query


def redemptions_to_claim(first: dt.date, last: dt.date, state: str = "uncredited",
                         program_id: int | None = None, zone: dt.tzinfo = UTC) -> Iterator[dict]:
    """Redemptions to claim from distributors, ordered by distributor, manufacturer, date: the customer's name
    and address, the purchases on the card (dates and UPCs), the item given. Paged by keyset, so memory stays
    constant however many there are."""
    query = _claimed(Redemption.select(Redemption, Program, Account), first, last, state, program_id, zone)
    order = (Program.distributor, Program.manufacturer, Redemption.id)
    after = None
    while True:
        page = query
        if after is not None:
            d, m, rid = after
            page = page.where((Program.distributor > d) | ((Program.distributor == d) & (
                (Program.manufacturer > m) | ((Program.manufacturer == m) & (Redemption.id > rid)))))
        rows = list(page.order_by(*order).limit(PAGE))
        if not rows:
            return
        purchases = _purchases_by_card([r.card_id for r in rows])
        for red in rows:
            yield _claim_row(red, purchases.get(red.card_id, []), zone)
        last_row = rows[-1]
        after = (last_row.program.distributor, last_row.program.manufacturer, last_row.id)
        if len(rows) < PAGE:
            return


def claim_totals(first: dt.date, last: dt.date, state: str = "uncredited", program_id: int | None = None,
                 zone: dt.tzinfo = UTC) -> dict:
    """What the store claims: redemptions and their value per distributor, per manufacturer within it, and per
    manufacturer across distributors (one grouped query over the same filters as the list)."""
    query = _claimed(Redemption.select(Program.distributor, Program.manufacturer, fn.COUNT(Redemption.id),
                                       fn.SUM(Redemption.max_value)), first, last, state, program_id, zone)
    query = query.group_by(Program.distributor, Program.manufacturer)
    pairs = []
    for distributor, manufacturer, count, value in query.tuples():
        pairs.append({"distributor": distributor or "", "manufacturer": manufacturer or "", "redemptions": count,
                      "value": Decimal(value or 0).quantize(CENT)})
    pairs.sort(key=lambda r: (r["distributor"].lower(), r["manufacturer"].lower()))
    return {"by_distributor": _sum_by(pairs, "distributor"), "by_manufacturer": _sum_by(pairs, "manufacturer"),
            "pairs": pairs, "redemptions": sum(r["redemptions"] for r in pairs),
            "value": sum((r["value"] for r in pairs), Decimal("0.00"))}


def _sum_by(pairs: list[dict], key: str) -> list[dict]:
    out: dict[str, dict] = {}
    for row in pairs:
        total = out.setdefault(row[key], {key: row[key], "redemptions": 0, "value": Decimal("0.00")})
        total["redemptions"] += row["redemptions"]
        total["value"] += row["value"]
    return sorted(out.values(), key=lambda r: r[key].lower())


def _purchases_by_card(card_ids) -> dict:
    out: dict[int, list] = {}
    for p in (Punch.select(Punch.card, Punch.created_at, Punch.upc, Punch.quantity, Punch.kind)
              .where(Punch.card.in_(card_ids) & (Punch.quantity > 0)
                     & Punch.kind.in_(("purchase", "exception", "move", "adjustment")))
              .order_by(Punch.id)):
        out.setdefault(p.card_id, []).append(p)
    return out


def _claim_row(red: Redemption, punches: list, zone: dt.tzinfo) -> dict:
    account, program = red.account, red.program
    address = ", ".join(x for x in (account.address_line1, account.address_line2, account.city, account.region,
                                    account.postal_code, account.country) if x)
    return {
        "redemption_id": red.id,
        "distributor": program.distributor,
        "manufacturer": program.manufacturer,
        "program": program.name,
        "customer": account.full_name,
        "address": address,
        "email": account.email or "",
        "phone": account.phone or "",
        "purchase_dates": " ".join(sorted({local_day(p.created_at, zone).isoformat() for p in punches})),
        "upcs": " ".join(sorted({p.upc for p in punches if p.upc})),
        "punches": sum(p.quantity for p in punches),
        "item_given": red.item_name or "",
        "item_upc": red.item_upc or "",
        "item_sku": red.item_sku or "",
        "max_value": red.max_value,
        "redeemed_at": to_local(red.created_at, zone),
        "sale": red.pos_sale_id or "",
        "credited_at": to_local(red.credited_at, zone),
        "credited_by": red.credited_by or "",
    }


def mark_credited(redemption_ids, actor: str) -> int:
    """The distributor credited the store for these redemptions; returns how many changed."""
    ids = sorted({int(i) for i in redemption_ids})
    if not ids:
        raise ValidationFailed(_("select at least one redemption"), fields={"redemption_id": [_("required")]})
    now, count = utcnow(), 0
    with write_transaction():
        for red in Redemption.select().where(Redemption.id.in_(ids) & Redemption.credited_at.is_null()):
            red.credited_at, red.credited_by = now, actor
            red.save()
            record(actor, "redemption.credited", "redemption", red.id, account_id=red.account_id,
                   program_id=red.program_id)
            count += 1
    return count


def card_counts() -> dict:
    """{program_id: {"open": n, "complete": n, "redeemed": n}} over real (non-test) accounts."""
    out: dict[int, dict] = {}
    query = (Card.select(Card.program, Card.status, fn.COUNT(Card.id).alias("n"))
             .where(Card.status.in_(("open", "complete", "redeemed")) & Card.account.in_(_real_accounts()))
             .group_by(Card.program, Card.status))
    for row in query:
        out.setdefault(row.program_id, {"open": 0, "complete": 0, "redeemed": 0})[row.status] = row.n
    return out
