"""The audit trail as sentences people read ("manager1 linked POS customer c-42 (demo)"), each with its other
fields listed by name, instead of the stored dictionary. Program ids are shown as program names."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from ..models import AuditLog, Program
from .formatting import display_phone


@dataclass
class AuditEntry:
    row: AuditLog
    sentence: str
    fields: list  # (label, value) pairs, both text


# action -> (sentence with {field} placeholders, fields the sentence already says)
SENTENCES = {
    "account.create": ("Created the account", set()),
    "account.update": ("Changed the account's details", set()),
    "account.merge": ("Merged {other_name} (account {other}) into this account", {"other", "other_name", "primary"}),
    "account.merged_into": ("Merged this account into account {primary}", {"primary", "other", "other_name"}),
    "link.create": ("Linked POS customer {customer_id} ({system})", {"customer_id", "system"}),
    "link.unlink": ("Unlinked POS customer {customer_id} ({system}): {reason}", {"customer_id", "system", "reason"}),
    "sale.commit": ("Committed sale {sale_id}", {"sale_id", "system"}),
    "sale.refund": ("Committed refund {sale_id}", {"sale_id", "system"}),
    "sale.move": ("Sale {sale_id} moved here from account {from_account}", {"sale_id", "from_account"}),
    "card.exception": ("Exception punch: {quantity} on {program}", {"quantity", "program_id"}),
    "card.adjust": ("Adjusted {program} punches by {quantity:+d}", {"quantity", "program_id"}),
    "card.split": ("Moved punches of a card to another account", set()),
    "redemption.create": ("Redeemed a reward of {program}", {"program_id"}),
    "redemption.reverse": ("Reward taken back: {reason}", {"reason"}),
    "redemption.restore": ("Reward restored (the refund of the free item was undone)", set()),
    "redemption.credited": ("The distributor credited the store for a redemption of {program}", {"program_id"}),
    "punch.review": ("Reviewed a punch's reason", set()),
}
LABELS = {
    "customer_id": "POS customer", "system": "POS", "moved_sales": "sales moved", "moved_to": "moved to account",
    "changes": "punches", "warnings": "warnings", "source": "from", "max_value": "value cap", "item": "item",
    "sale": "sale", "card_id": "card #", "cards": "card #", "changed": "changes", "other_name": "other account",
    "links": "POS links moved",
    "sales": "sales moved", "redemptions": "redemptions moved", "combined_programs": "cards combined",
    "filled": "details filled in", "note": "note", "reason": "reason", "from_account": "from account",
    "program_id": "program", "fields": "with",
}


def describe(rows: list[AuditLog]) -> list[AuditEntry]:
    programs = _program_names(rows)
    return [_describe(row, programs) for row in rows]


def _program_names(rows) -> dict:
    ids = set()
    for row in rows:
        details = row.details or {}
        if isinstance(details.get("program_id"), int):
            ids.add(details["program_id"])
        for change in details.get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("program_id"), int):
                ids.add(change["program_id"])
    return {p.id: p.name for p in Program.select(Program.id, Program.name).where(Program.id.in_(sorted(ids)))} \
        if ids else {}


def _describe(row: AuditLog, programs: dict) -> AuditEntry:
    details = dict(row.details or {})
    template, said = SENTENCES.get(row.action, (row.action.replace(".", ": ").replace("_", " ").capitalize(), set()))
    values = {**details, "program": programs.get(details.get("program_id"), f"program {details.get('program_id')}")}
    try:
        sentence = template.format_map(_Missing(values))
    except (ValueError, TypeError):  # an old row whose fields do not fit the sentence: say the action plainly
        sentence, said = row.action, set()
    fields = []
    for key, value in details.items():
        if key in said or value in (None, "", [], {}):
            continue
        fields.append((LABELS.get(key, key.replace("_", " ")), _value_text(key, value, programs)))
    return AuditEntry(row, sentence, fields)


class _Missing(dict):
    def __missing__(self, key):
        return "?"


def _value_text(key: str, value, programs: dict) -> str:
    if key == "program_id":
        return programs.get(value, str(value))
    if key == "changed" and isinstance(value, dict):  # {field: [before, after]}
        return "; ".join(f"{_name(k)}: {_field(k, v[0])} → {_field(k, v[1])}" if isinstance(v, list) and
                         len(v) == 2 else f"{k}: {_field(k, v)}" for k, v in value.items())
    if key == "changes" and isinstance(value, list):
        return "; ".join(_change_text(c, programs) for c in value)
    return _plain(value)


def _change_text(change, programs: dict) -> str:
    if not isinstance(change, dict):
        return _plain(change)
    if "punches" in change:
        name = programs.get(change.get("program_id"), f"program {change.get('program_id')}")
        return f"{change['punches']:+d} on {name} (line {change.get('line_id')})"
    if "rewards_reopened" in change:
        return f"{change['rewards_reopened']} reward(s) reopened (line {change.get('line_id')})"
    return _plain(change)


def _name(key: str) -> str:
    # A stored field name in the reader's language where the catalog has it ("first name" -> "prénom").
    return gettext(key.replace("_", " "))


def _field(key: str, value) -> str:
    """A field's value; a phone in the store's national format, as everywhere else on the page."""
    if key == "phone" and isinstance(value, str) and value:
        return display_phone(value)
    return _plain(value)


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{_name(k)} {_field(k, v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)
