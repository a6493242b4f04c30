"""The store's Lightspeed X-Series connection, for managers: its status, connect or replace it, sync the
catalog and the customers now, link customers by a unique email. The same functions as ``loyalty pos``.

The API token and the webhook secret are write-only here: the form never refills them, no page shows them, and
connecting does not go through a confirmation page (that would echo them into hidden fields)."""
from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import LoyaltyError
from ..lightspeed.client import RetryPolicy, XSeriesError
from ..lightspeed.connections import connect_verified
from ..lightspeed.customers import match_customers
from ..lightspeed.models import SYSTEM, PosConnection
from ..lightspeed.sync import RESOURCES, run_sync, sync_status
from ..models import AuditLog
from . import bp, found
from .labels import match_name, resource_name
from .security import needs

# A sync runs inside the manager's request: fewer and shorter retries than the command line's, so a struggling
# API gives an answer within a minute or so (the sync resumes where it stopped next time).
WEB_POLICY = RetryPolicy(attempts=3, base_delay=1.0, max_delay=10.0, timeout=20.0, longest_wait=30.0)
FORM_FIELDS = ("prefix", "base_url", "api_version")  # refilled after an error; the secrets never are


def _last_change(conn) -> AuditLog | None:
    return (AuditLog.select().where((AuditLog.entity == "pos_connection") & (AuditLog.entity_id == str(conn.id))
                                    & AuditLog.action.in_(("pos.connect", "pos.reconnect")))
            .order_by(AuditLog.id.desc()).first())


def _describe(conn) -> dict:
    return {"conn": conn, "sync": sync_status(conn), "changed": _last_change(conn),
            "webhook_url": url_for("lightspeed_webhooks.receive", prefix=conn.prefix, _external=True),
            "secret_set": bool(conn.webhook_secret_encrypted), "token_set": bool(conn.token_encrypted)}


def _page(status: int = 200, **context):
    conns = [_describe(c) for c in PosConnection.select().where(PosConnection.system == SYSTEM)
             .order_by(PosConnection.id)]
    context.setdefault("form", {})
    context.setdefault("rseries_form", {"code": request.args.get("rseries_code", "")[:200]})
    from ..lightspeed.background_work import pos_customer_queue
    from .views_pos_rseries import describe_all

    return render_template("pos.html", connections=conns, resources=list(RESOURCES), rseries=describe_all(),
                           pos_customers=pos_customer_queue(), **context), status


@bp.get("/pos")
@needs("manager")
def pos():
    return _page()


@bp.post("/pos/connect")
@needs("manager")
def pos_connect():
    form = {k: request.form.get(k, "").strip() for k in FORM_FIELDS}
    try:
        conn = connect_verified(form["prefix"], request.form.get("token", ""), request.form.get("webhook_secret", ""),
                                g.actor, base_url=form["base_url"] or None, api_version=form["api_version"] or "2.0")
    except LoyaltyError as exc:
        return _page(exc.status, form=form, error=exc.message, fields=exc.fields)
    except XSeriesError as exc:  # the token refused, or the API unreachable: its text never holds the token
        return _page(400, form=form, error=str(exc))
    return _page(done=_("Connected '%(prefix)s' to %(url)s: the token was accepted by Lightspeed; the token and the "
                        "webhook secret are stored encrypted.", prefix=conn.prefix, url=conn.base_url))


@bp.post("/pos/<id:conn_id>/sync/<resource>")
@needs("manager")
def pos_sync(conn_id, resource):
    conn = found(PosConnection, conn_id, "POS connection")
    totals = run_sync(conn, resource, g.actor, full=request.form.get("full") == "yes", policy=WEB_POLICY)
    done = _("%(resource)s: %(pages)s pages, %(received)s received, %(written)s stored (cursor %(cursor)s).",
             resource=resource_name(resource).capitalize(), pages=totals.get("pages", 0),
             received=totals.get("received", 0), written=totals.get("written", 0), cursor=totals.get("cursor") or 0)
    if totals["error"]:
        return _page(502, error=_("The %(resource)s sync stopped: %(error)s", resource=resource_name(resource),
                                  error=totals["error"]), done=done)
    if resource == "customers":  # as `loyalty pos sync customers`: how they match accounts, nothing linked
        done += " " + _matched(match_customers(conn, g.actor, link=False))
    return _page(done=done)


def _matched(counts: dict) -> str:
    return _("Accounts: %(counts)s.", counts=", ".join(f"{match_name(k)} {v}" for k, v in counts.items()))


@bp.post("/pos/<id:conn_id>/link")
@needs("manager")
def pos_link(conn_id):
    conn = found(PosConnection, conn_id, "POS connection")
    return _page(done=_matched(match_customers(conn, g.actor, link=True)))
