"""The R-Series part of the staff app's POS connection page, for managers: each R-Series connection (account,
when its tokens were last refreshed, what was synced and polled, the Rewards button's two addresses, whether new
accounts are made in the POS), and connecting one with OAuth: "Get an authorisation code" sends the manager to
R-Series, which sends them back to /rseries/oauth with the code; they paste it with the client secret here.
The client secret is write-only, like the X-Series token."""
from __future__ import annotations

import secrets

from flask import g, redirect, request, url_for
from flask_babel import gettext as _

from ..audit import record
from ..db import write_transaction
from ..errors import LoyaltyError, ValidationFailed
from ..lightspeed.client import XSeriesError
from ..lightspeed.models import PosConnection
from ..lightspeed.rseries import auth
from ..lightspeed.rseries.models import SYSTEM, RSeriesAccount
from ..lightspeed.rseries.sync import stamp_of
from . import bp, found
from .security import needs

RSERIES_FIELDS = ("client_id", "code", "oauth_base", "api_root", "name")


def describe_all() -> list:
    out = []
    for conn in PosConnection.select().where(PosConnection.system == SYSTEM).order_by(PosConnection.id):
        account = RSeriesAccount.get_or_none(RSeriesAccount.connection == conn.id)
        base = url_for("rseries.rewards_page", _external=True)
        out.append({"conn": conn, "account": account,
                    "stamps": {r: stamp_of(conn, r) for r in ("products", "customers", "sales")},
                    "sale_button": f"{base}?tab=sale", "refund_button": f"{base}?tab=refund"})
    return out


def _oauth_base(value: str | None) -> str:
    return (value or "").strip().rstrip("/") or "https://cloud.lightspeedapp.com"


@bp.get("/pos/rseries/authorize")
@needs("manager")
def pos_rseries_authorize():
    from .views_pos import _page

    client_id = (request.args.get("client_id") or "").strip()
    if not client_id:
        return _page(422, error=_("R-Series: the client id is needed to ask for a code."),
                     rseries_form={k: request.args.get(k, "") for k in RSERIES_FIELDS})
    return redirect(auth.authorize_url(client_id, url_for("rseries.oauth_return", _external=True),
                                       secrets.token_urlsafe(16),
                                       base=_oauth_base(request.args.get("oauth_base")) + "/auth/oauth/authorize"))


@bp.post("/pos/rseries/connect")
@needs("manager")
def pos_rseries_connect():
    from .views_pos import _page

    form = {k: request.form.get(k, "").strip() for k in RSERIES_FIELDS}
    oauth_base = _oauth_base(form["oauth_base"])
    try:
        conn = auth.connect(form["code"], client_id=form["client_id"], client_secret=request.form.get(
            "client_secret", ""), actor=g.actor, redirect_uri=url_for("rseries.oauth_return", _external=True),
            name=form["name"] or None, token_url=oauth_base + "/auth/oauth/token",
            api_root=form["api_root"] or auth.API_ROOT)
    except LoyaltyError as exc:
        return _page(exc.status, rseries_form=form, error=exc.message, fields=exc.fields)
    except XSeriesError as exc:  # the code refused, or R-Series unreachable: never a token in its text
        return _page(400, rseries_form=form, error=str(exc))
    return _page(done=_("Connected '%(name)s' to R-Series account %(account)s; the tokens are stored encrypted and "
                        "refreshed as needed.", name=conn.prefix, account=conn.base_url.rsplit('/', 1)[-1]))


@bp.post("/pos/<id:conn_id>/settings")
@needs("manager")
def pos_settings(conn_id):
    from .views_pos import _page

    conn = found(PosConnection, conn_id, "POS connection")
    value = request.form.get("create_pos_customers")
    if value not in ("yes", "no"):
        raise ValidationFailed(_("choose yes or no"), fields={"create_pos_customers": [_("yes or no")]})
    with write_transaction():
        PosConnection.update(create_pos_customers=value == "yes").where(PosConnection.id == conn.id).execute()
        record(g.actor, "pos.settings", "pos_connection", conn.id, create_pos_customers=value == "yes")
    if value == "yes":
        return _page(done=_("'%(name)s': new loyalty accounts are created as POS customers.", name=conn.prefix))
    return _page(done=_("'%(name)s': new loyalty accounts are no longer created as POS customers.",
                        name=conn.prefix))
