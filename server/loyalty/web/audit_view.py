"""The audit trail as sentences people read ("manager1 linked POS customer c-42 (demo)"), each with its other
fields listed by name, instead of the stored dictionary. Program ids are shown as program names."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from ..member_cards.codes import grouped
from ..models import AuditLog, Program
from .formatting import display_phone
from ..i18n import FIELD_LABELS


@dataclass
class AuditEntry:
    row: AuditLog
    sentence: str
    fields: list  # (label, value) pairs, both text


# action -> (sentence with %(field)s placeholders, fields the sentence already says)
SENTENCES = {
    "account.create": (_l("Created the account"), set()),
    "account.update": (_l("Changed the account's details"), set()),
    "account.merge": (_l("Merged %(other_name)s (account %(other)s) into this account"),
                      {"other", "other_name", "primary"}),
    "account.merged_into": (_l("Merged this account into account %(primary)s"), {"primary", "other", "other_name"}),
    "link.create": (_l("Linked POS customer %(customer_id)s (%(system)s)"), {"customer_id", "system"}),
    "link.unlink": (_l("Unlinked POS customer %(customer_id)s (%(system)s): %(reason)s"),
                    {"customer_id", "system", "reason"}),
    "sale.commit": (_l("Committed sale %(sale_id)s"), {"sale_id", "system"}),
    "sale.refund": (_l("Committed refund %(sale_id)s"), {"sale_id", "system"}),
    "sale.move": (_l("Sale %(sale_id)s moved here from account %(from_account)s"), {"sale_id", "from_account"}),
    "sale.free_item": (_l("Free item of sale %(sale_id)s"), {"sale_id", "system"}),
    "card.exception": (_l("Exception punch: %(quantity)s on %(program)s"), {"quantity", "program_id"}),
    "card.adjust": (_l("Adjusted %(program)s punches by %(signed_quantity)s"), {"quantity", "program_id"}),
    "card.split": (_l("Moved punches of a card to another account"), set()),
    "redemption.create": (_l("Redeemed a reward of %(program)s"), {"program_id"}),
    "redemption.reverse": (_l("Reward taken back: %(reason)s"), {"reason"}),
    "redemption.restore": (_l("Reward restored (the refund of the free item was undone)"), set()),
    "redemption.credited": (_l("The distributor credited the store for a redemption of %(program)s"),
                            {"program_id"}),
    "punch.review": (_l("Reviewed a punch's reason"), set()),
    "member_card.assign": (_l("Gave member card %(target)s"), {"by"}),
    "member_card.revoke": (_l("Revoked member card %(target)s: %(reason)s"), {"reason"}),
    "points.adjust": (_l("Adjusted %(program)s points by %(signed_points)s: %(reason)s"),
                      {"points", "program_id", "reason"}),
    "points.expire": (_l("%(points)s points of %(program)s expired"), {"points", "program_id"}),
    "points.redeem": (_l("Redeemed %(points)s points of %(program)s for %(reward)s"),
                      {"points", "program_id", "reward"}),
    "points.redeem_cancel": (_l("Cancelled a redemption of %(points)s points of %(program)s"),
                             {"points", "program_id"}),
    "email.bounce": (_l("An email to %(address)s bounced"), {"address"}),
    "email.confirm": (_l("The customer confirmed the email %(address)s"), {"address"}),
    "pos.customer_created": (_l("Created the customer %(pos_customer_id)s in the POS (%(system)s)"),
                             {"pos_customer_id", "system"}),
    "pos.customer_exists": (_l("The POS (%(system)s) already has customer %(pos_customer_id)s, linked to account "
                               "%(linked_account_id)s"), {"pos_customer_id", "system", "linked_account_id"}),
}
LABELS = {
    "customer_id": _l("POS customer"), "system": _l("POS"), "moved_sales": _l("sales moved"),
    "moved_to": _l("moved to account"), "changes": _l("punches"), "warnings": _l("warnings"), "source": _l("from"),
    "max_value": _l("value cap"), "item": _l("item"), "sale": _l("sale"), "card_id": _l("card #"),
    "cards": _l("card #"), "changed": _l("changes"), "other_name": _l("other account"),
    "links": _l("POS links moved"), "sales": _l("sales moved"), "redemptions": _l("redemptions moved"),
    "combined_programs": _l("cards combined"), "filled": _l("details filled in"), "note": _l("note"),
    "reason": _l("reason"), "from_account": _l("from account"), "program_id": _l("program"), "fields": _l("with"),
    "sale_id": _l("sale"), "line_id": _l("line"), "points": _l("points"), "balance": _l("balance"),
    "as_of": _l("as of"), "address": _l("address"), "connection": _l("connection"),
    "pos_customer_id": _l("POS customer"), "by": _l("found by"), "reward": _l("reward"),
}
# Coded values some fields store (how a sale came in, how a card found its account).
VALUES = {
    "source": {"register": _l("the register"), "poller": _l("the POS (polled)"), "webhook": _l("the POS (webhook)"),
               "redemption": _l("a redemption")},
    "by": {"email": _l("email"), "account": _l("account")},
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
    template, said = SENTENCES.get(row.action, (None, set()))
    target = grouped(row.entity_id) if row.entity == "member_card" else row.entity_id
    values = {**details, "target": target, "program": _program(programs, details.get("program_id"))}
    for key in ("quantity", "points"):
        if isinstance(details.get(key), int):
            values["signed_" + key] = f"{details[key]:+d}"
    try:
        sentence = str(template) % _Missing(values) if template else _("Action %(action)s", action=row.action)
    except (ValueError, TypeError):  # an old row whose fields do not fit the sentence: say the action plainly
        sentence, said = _("Action %(action)s", action=row.action), set()
    fields = []
    for key, value in details.items():
        if key in said or value in (None, "", [], {}):
            continue
        fields.append((str(LABELS[key]) if key in LABELS else _name(key), _value_text(key, value, programs)))
    return AuditEntry(row, sentence, fields)


def _program(programs: dict, program_id) -> str:
    return programs.get(program_id) or _("program %(id)s", id=program_id)


class _Missing(dict):
    def __missing__(self, key):
        return "?"


def _value_text(key: str, value, programs: dict) -> str:
    if key == "program_id":
        return programs.get(value, str(value))
    if key == "filled" and isinstance(value, list):
        return ", ".join(_name(v) for v in value)
    if key in VALUES and value in VALUES[key]:
        return str(VALUES[key][value])
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
        return _("%(punches)s on %(program)s (line %(line)s)", punches=f"{change['punches']:+d}",
                 program=_program(programs, change.get("program_id")), line=change.get("line_id"))
    if "points" in change and "program_id" in change:
        return ngettext("%(points)s point on %(program)s", "%(points)s points on %(program)s",
                        abs(change["points"]), points=change["points"],
                        program=_program(programs, change.get("program_id")))
    if "rewards_reopened" in change:
        return ngettext("%(num)d reward reopened (line %(line)s)", "%(num)d rewards reopened (line %(line)s)",
                        change["rewards_reopened"], line=change.get("line_id"))
    return _plain(change)


def _name(key: str) -> str:
    """A stored field name in the reader's language ("first_name" -> "prénom")."""
    return str(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")


def _field(key: str, value) -> str:
    """A field's value; a phone in the store's national format, as everywhere else on the page."""
    if key == "phone" and isinstance(value, str) and value:
        return display_phone(value)
    return _plain(value)


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{_name(k)} {_field(k, v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)
