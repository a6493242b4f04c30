"""Sale preview, commit (punches) and card redemption."""
from flask import current_app, g
from flask_babel import gettext as _

from ..domain.redemptions import missing_fields, redeem_card, redemption_dict, reward_choices, reward_value
from ..domain.sales import Options, commit_sale, preview_sale
from ..domain.accounts import get_account
from ..errors import LoyaltyError, NotFound
from ..i18n import reason_labels
from ..models import Card, Program
from ..schemas import CommitSchema, PreviewSchema, RedeemSchema, RewardQuerySchema
from . import auth, body, bp, json_answer


def _options():
    return Options(actor=g.actor, reasons_allowed=tuple(current_app.config["REASONS"]),
                   synchronous_commit=current_app.config.get("REGISTER_SYNCHRONOUS_COMMIT", "on") != "off")


@bp.post("/sales/preview")
@auth("cashier")
def sales_preview():
    data = body(PreviewSchema)
    out = preview_sale(data["sale"], _options())
    out["reason_labels"] = reason_labels(out["reasons"])
    return out


@bp.post("/sales/commit")
@auth("cashier")
def sales_commit():
    data = body(CommitSchema)
    try:
        return json_answer(commit_sale(data["sale"], data.get("reasons"), _options()))
    except LoyaltyError as exc:
        if "reasons" in exc.extra:  # reason_required: the panel shows each reason in its own language
            exc.extra["reason_labels"] = reason_labels(exc.extra["reasons"])
        raise


def _reward_info(card_id):
    card = Card.get_or_none(Card.id == card_id)
    if card is None:
        raise NotFound(_("no card %(id)s", id=card_id))
    program = Program.get_by_id(card.program_id)
    value = reward_value(card, program)
    return card, program, {
        "card_id": card.id, "status": card.status, "program": program.name,
        "reward_rule": program.reward_rule, "max_value": str(value["max_value"].quantize(_CENT)),
        "suggested_item": value["item"], "missing_fields": missing_fields(get_account(card.account_id), program)}


@bp.get("/cards/<id:card_id>/reward")
@auth("cashier")
def cards_reward(card_id):
    """What redeeming this card would give: the value cap, the suggested item, the fields still missing."""
    return _reward_info(card_id)[2]


@bp.post("/cards/<id:card_id>/reward")
@auth("cashier")
def cards_reward_for_sale(card_id):
    """The same, for the sale on the register: its lines that can be the free item, each with its discount, and
    the default one (``default_line_id``; null when no line of the sale qualifies)."""
    sale = body(RewardQuerySchema)["sale"]
    card, program, info = _reward_info(card_id)
    return {**info, **reward_choices(card, program, sale["pos"]["system"], sale["pos"]["sale_id"], sale["lines"])}


@bp.post("/cards/<id:card_id>/redeem")
@auth("cashier")
def cards_redeem(card_id):
    data = body(RedeemSchema)
    item = data.get("item") or {}
    red = redeem_card(card_id, data.get("sale"), item, g.actor)
    return {**redemption_dict(red), "line_id": item.get("line_id")}, 201

from decimal import Decimal  # noqa: E402

_CENT = Decimal("0.01")
