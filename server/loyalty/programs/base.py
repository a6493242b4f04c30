"""The interface every program kind offers the shared sale pipeline (domain/sales.py).

The pipeline locks the sale, resolves the account, matches refund lines to the lines they return, then asks each
kind in ``KINDS`` to plan, check, apply and report. A kind never sees another kind's plan; adding a kind means one
module implementing ``ProgramKind`` (and its tables), listed in ``programs/__init__.py``.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

# What one preview or commit reads several times and that nothing in it changes (the catalog's version, the
# account's balances until a post): kept while ``sale_memo()`` is open, read as usual outside it.
_memo: ContextVar[dict | None] = ContextVar("loyalty_sale_memo", default=None)


@contextmanager
def sale_memo():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo_slot(key) -> dict | None:
    """A dict kept under ``key`` while ``sale_memo()`` is open (created empty on first use); None outside it."""
    memo = _memo.get()
    return None if memo is None else memo.setdefault(key, {})


def whole(q: Decimal) -> int | None:
    return int(q) if q == q.to_integral_value() else None


@dataclass
class RefundLine:
    """A refund line matched to the original sale line it returns; ``returned`` units (capped at what is left
    of the original line after the other refund lines)."""

    original: object  # SaleLine of the original sale
    returned: Decimal


@dataclass
class SaleContext:
    """What every kind plans from: the sale as sent, as last committed, and the refund matching."""

    system: str
    sale_id: str
    lines: list  # the sale's lines as sent (enriched)
    existing: dict  # line_id -> SaleLine as last committed
    account: object = None  # Account or None
    sale: object = None  # the Sale row (None in a preview of a sale never committed)
    is_refund: bool = False
    refunds: dict = field(default_factory=dict)  # refund line_id -> RefundLine
    warnings: list = field(default_factory=list)
    when: dt.datetime | None = None  # when the sale was first committed (or now), for date-bound rules
    new_sale: bool = False  # the sale's row was created by this commit: no line or ledger row refers to it yet
    free: dict | None = None  # line_id -> units given free as a reward (read once, by the first kind that asks)
    free_of_originals: dict = field(default_factory=dict)  # a refund's original sale id -> its free_units

    def warn(self, code: str, message: str, line_id: str | None = None):
        entry = {"code": code, "message": message} if line_id is None else \
            {"code": code, "line_id": line_id, "message": message}
        if entry not in self.warnings:
            self.warnings.append(entry)


class ProgramKind:
    """One kind of program. ``plan`` returns an object only this kind reads; it must not write."""

    name = ""
    answer_key = ""  # where the sale answers carry this kind's report ("cards", "points")

    def plan(self, ctx: SaleContext):
        raise NotImplementedError

    def check(self, plan, reasons: dict | None, opts, *, committing: bool):
        """Validate what the cashier supplied for this plan (e.g. multi-purchase reasons); may raise."""

    def state(self, account_id: int, plan):
        """What the account holds in the programs of the plan, before or after applying it."""
        return {}

    def apply(self, plan, ctx: SaleContext, sale, rows: dict, opts, now) -> list:
        """Write the ledger rows of the plan; returns the changes for the audit row."""
        return []

    def report(self, plan, before, after) -> list:
        """This kind's entries of the answer (``after`` is None for a preview)."""
        return []

    def line_effects(self, plan, line_id: str) -> list:
        """What one line of the sale will change in this kind (the panel's uncommitted lines)."""
        return []

    def add_moving(self, plan, ctx: SaleContext) -> dict:
        """A sale committed to another account, about to move to ``ctx.account``: add what it holds to the plan
        (so the answer shows it), without applying it. {line_id: units moved}."""
        return {}

    def move_sale(self, sale, source_account: int, target_account: int, actor: str, now):
        """Move what a committed sale holds from one account to another."""

    def merge_accounts(self, primary_id: int, other_id: int, actor: str, now):
        """Give what the other account holds in this kind to the primary (both accounts are locked)."""

    def account_summary(self, account_id: int, detail: bool = False) -> list:
        """This kind's part of an account's answer (cards, balances); ``detail`` for the account's own page
        (e.g. the points expiring next), not needed on the register's hot path."""
        return []
