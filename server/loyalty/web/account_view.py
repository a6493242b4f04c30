"""What the account page shows, gathered in a few queries: cards as boxes with dates, each punch's ledger row,
links, redemptions and the audit trail (including that of accounts merged into this one)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from .audit_view import describe
from ..models import Account, AuditLog, Card, PosLink, Program, Punch, Redemption, Sale

STATUS_LABELS = {"open": _l("Open"), "complete": _l("Reward available"), "redeemed": _l("Redeemed"),
                 "expired": _l("Expired"), "void": _l("Void")}



@dataclass
class CardView:
    card: Card
    program: Program
    boxes: list  # one per punch the card needs: the date it was filled, or None
    ledger: list = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.card.status, self.card.status))


def box_dates(rows, size: int) -> list:
    """The date each box was filled: punches in ledger order, a removal empties the newest boxes first."""
    filled = []
    for row in rows:
        if row.quantity > 0:
            filled.extend([row.created_at] * row.quantity)
        else:
            del filled[max(0, len(filled) + row.quantity):]
    filled = filled[:size]
    return filled + [None] * (size - len(filled))


def card_views(account_id: int) -> list[CardView]:
    cards = list(Card.select(Card, Program).join(Program).where(Card.account == account_id)
                 .order_by(Program.name, Card.seq.desc()))
    ledger: dict[int, list] = {}
    for p in (Punch.select(Punch, Sale).join(Sale, JOIN.LEFT_OUTER)
              .where(Punch.card.in_([c.id for c in cards] or [0])).order_by(Punch.id)):
        ledger.setdefault(p.card_id, []).append(p)
    out = []
    for card in cards:
        rows = ledger.get(card.id, [])
        out.append(CardView(card, card.program, box_dates(rows, card.program.buy_quantity), rows))
    return out


def merged_ids(account: Account) -> list[int]:
    return [account.id] + [a.id for a in Account.select(Account.id).where(Account.merged_into == account.id)]


def points_page(account_id: int) -> dict:
    """The account's points balances and ledger rows for the page."""
    from ..programs.points import KIND
    from ..programs.points_history import points_history

    return {"points": KIND.account_summary(account_id, detail=True), "points_ledger": points_history(account_id),
            "points_kinds": {"earn": _l("earned"), "spend": _l("spent on a reward"),
                             "reverse_earn": _l("taken back (refund)"), "restore_spend": _l("given back"),
                             "adjust": _l("adjusted"), "expire": _l("expired")}}


def account_page(account: Account) -> dict:
    ids = merged_ids(account)
    return {
        "account": account,
        "merged": [a for a in Account.select().where(Account.merged_into == account.id)],
        "links": list(PosLink.select().where(PosLink.account == account.id)
                      .order_by(PosLink.unlinked_at.is_null(False), PosLink.linked_at.desc())),
        "cards": card_views(account.id),
        "redemptions": list(Redemption.select(Redemption, Program).join(Program)
                            .where(Redemption.account == account.id).order_by(Redemption.id.desc())),
        "audit": describe(list(AuditLog.select().where(AuditLog.account_id.in_(ids))
                               .order_by(AuditLog.id.desc()).limit(300))),
        "programs": list(Program.select().where((Program.status == "active") & (Program.kind == "punch"))
                         .order_by(Program.name)),
        **points_page(account.id),
    }
