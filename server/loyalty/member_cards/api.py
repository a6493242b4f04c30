"""/api/v1/member-cards: the register's scan look-up (cashier) and assign/revoke (staff and up)."""
from __future__ import annotations

from flask import current_app, g, request

from ..api import auth, body, bp
from ..domain.accounts import account_dict
from ..schemas import MemberCardAssignSchema, MemberCardRevokeSchema
from . import domain as dom


@bp.get("/member-cards/<code>")
@auth("cashier")
def member_cards_get(code):
    """The account behind a scanned member card: its punch cards, rewards and points.

    404 `invalid_card_code` (the check character does not match: a mistyped code is never looked up) or
    `unknown_card`; 409 `card_revoked` or `card_unassigned`."""
    return dom.register_lookup(code)


@bp.post("/member-cards/<code>/assign")
@auth("staff")
def member_cards_assign(code):
    """Give a member card to the account holding `email`, or to `account_id`; the card is emailed.

    404 when no account has that email; 409 `card_assigned` (another account's card), `card_revoked`,
    `account_has_card` (one active card per account unless the store allows more)."""
    data = body(MemberCardAssignSchema)
    card, account, changed = dom.assign(code, g.actor, email=data.get("email"), account_id=data.get("account_id"),
                                        cards_per_account=current_app.config["MEMBER_CARDS_PER_ACCOUNT"])
    return {"card": dom.card_dict(card), "account": account_dict(account), "changed": changed}


@bp.post("/member-cards/<code>/revoke")
@auth("staff")
def member_cards_revoke(code):
    """Revoke a lost or stolen member card: scanning it answers 409 `card_revoked` from now on."""
    data = body(MemberCardRevokeSchema) if request.get_data(cache=True).strip() else {}
    return {"card": dom.card_dict(dom.revoke(code, g.actor, data.get("reason", "")))}
