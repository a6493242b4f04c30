"""How the staff app names the codes it stores (statuses, kinds, rules, field names), in the page's language.
The codes themselves never change with the language: reports, the API and the audit trail compare them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import field_label

PROGRAM_STATUSES = {"active": _l("active"), "archived": _l("archived")}
REWARD_RULES = {"lesser_or_equal": _l("lesser or equal"), "most_frequent": _l("most frequent")}
FIELDS = {"address": _l("address"), "email": _l("email"), "phone": _l("phone")}
RESOURCES = {"products": _l("products"), "customers": _l("customers")}
# How imported POS customers match accounts (lightspeed.customers.match_customers' counts).
MATCHES = {"linked_already": _l("linked already"), "linked_now": _l("linked now"), "email_match": _l("email match"),
           "phone_match": _l("phone match"), "no_match": _l("no match"), "walk_in": _l("walk in")}
CREDIT_STATES = {"uncredited": _l("not credited yet"), "credited": _l("credited"), "all": _l("all")}
# The punch ledger's kinds (models.Punch.kind).
PUNCH_KINDS = {"purchase": _l("purchase"), "reversal": _l("reversal"), "refund": _l("refund"),
               "exception": _l("exception"), "adjustment": _l("adjustment"), "move": _l("move")}

# A member card's life (member_cards.models.MemberCard.status).
MEMBER_CARD_STATUSES = {"unassigned": _l("unassigned"), "assigned": _l("assigned"), "revoked": _l("revoked")}

# The outbox's channels and states (background.OutboxItem.kind, .state).
MESSAGE_KINDS = {"email": _l("email"), "sms": _l("SMS")}
MESSAGE_STATES = {"pending": _l("waiting"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed"),
                  "skipped": _l("skipped")}

def _namer(names: dict):
    return lambda code: str(names.get(code, code))


program_status = _namer(PROGRAM_STATUSES)
reward_rule_name = _namer(REWARD_RULES)
field_name = _namer(FIELDS)
punch_kind = _namer(PUNCH_KINDS)
credit_state = _namer(CREDIT_STATES)
resource_name = _namer(RESOURCES)
member_card_status = _namer(MEMBER_CARD_STATUSES)
message_kind = _namer(MESSAGE_KINDS)
message_state = _namer(MESSAGE_STATES)


def match_name(key: str) -> str:
    return str(MATCHES[key]) if key in MATCHES else key.replace("_", " ")

TEMPLATE_GLOBALS = {"program_status": program_status, "reward_rule_name": reward_rule_name,
                    "field_name": field_name, "punch_kind": punch_kind, "credit_state": credit_state,
                    "resource_name": resource_name, "member_card_status": member_card_status,
                    "message_kind": message_kind, "message_state": message_state,
                    "field_label": field_label}
