"""The Rewards page: the web address a store gives R-Series' custom "Rewards" button (Settings > Custom Menus >
Sale tab / Refund tab > "Open web page"), so registers need no browser extension.

The page runs the extension's own panel code (extension/content/panel*.js and the service worker's message
handlers, background.js), loaded from the extension folder as they are: one set of flows, messages and rules
for both. What the page adds is small (static/rseries-rewards.js): ``chrome.*`` served by the page, an adapter
whose ``readSale()`` is the sale this server read from the R-Series API (``/rseries/rewards/sale``), and the
register's sign-in (a register token kept in the browser, or a staff session).
"""
from __future__ import annotations

import functools
import json
import os

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from ...api import auth
from ...errors import LoyaltyError, NotFound, ValidationFailed
from ..client import RetryPolicy, XSeriesError
from ..models import PosConnection
from .client import client_for
from .models import SYSTEM
from .poller import RELATIONS, customer_of, parts

bp = Blueprint("rseries", __name__, url_prefix="/rseries", template_folder="templates", static_folder="static",
               static_url_path="/static")

# Scripts from this server only (the extension's files included); the panel's styles are a <style> in its
# shadow root. R-Series may show the page inside its own window: framing by Lightspeed's hosts is allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self' "
                               "https://*.lightspeedapp.com https://*.merchantos.com",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@bp.after_request
def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# The extension files the page loads, in the order the manifest and the service worker load them.
WORKER_FILES = ("lib/api.js", "lib/queue.js", "background.js")
OPTIONAL_FILES = ("lib/i18n.js", "content/i18n.js")  # the extension's translations, when it has them
# What the page does not take from the manifest's content scripts: the POS adapters and the POS button (the page
# brings its own adapter, fed by the R-Series API).
NOT_ON_THE_PAGE = ("content/adapters/", "content/button.js", "content/main.js")


@functools.lru_cache(maxsize=4)
def _panel_files(directory: str) -> tuple:
    """The panel's files in the manifest's order, read from the manifest so that a flow file added to the
    extension (points, scan, ...) is loaded here too: the two must never run different flows."""
    try:
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
            scripts = json.load(f)["content_scripts"][0]["js"]
    except (OSError, ValueError, LookupError):
        return ()
    return tuple(s for s in scripts if s.startswith("content/") and s not in OPTIONAL_FILES
                 and not s.startswith(NOT_ON_THE_PAGE))


def panel_files() -> tuple:
    return _panel_files(extension_dir())
# R-Series may add ids to the button's address; these are the names accepted (none is documented).
# A cashier is waiting: one quick retry, then say so (the poller, not the page, is what must never miss a sale).
PAGE_POLICY = RetryPolicy(attempts=2, base_delay=0.5, timeout=10, longest_wait=5)
SALE_PARAMS = ("sale_id", "saleID", "saleId")
REGISTER_PARAMS = ("register_id", "registerID", "registerId")


def extension_dir() -> str:
    configured = current_app.config.get("EXTENSION_DIR")
    if configured:
        return configured
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "extension"))


def _first(params) -> str | None:
    for name in params:
        value = (request.args.get(name) or "").strip()
        if value:
            return value[:40]
    return None


@bp.get("/rewards")
def rewards_page():
    """The page itself needs no sign-in: it holds no data until the register has signed in (its API calls do)."""
    from ...web.security import csrf_token, current_user

    user = current_user()
    tab = "refund" if request.args.get("tab") == "refund" else "sale"
    # The translations (when the extension has them) load before the code that uses them.
    order = OPTIONAL_FILES[:1] + WORKER_FILES + OPTIONAL_FILES[1:] + panel_files()
    files = [f for f in order if f not in OPTIONAL_FILES or os.path.exists(os.path.join(extension_dir(), f))]
    config = {
        "tab": tab, "sale_id": _first(SALE_PARAMS), "register_id": _first(REGISTER_PARAMS),
        "connection": (request.args.get("connection") or "").strip()[:100] or None,
        "session": bool(user), "csrf": csrf_token() if user else None, "user": user.username if user else None,
        "sale_url": url_for("rseries.api_current_sale"), "signin_url": url_for("web.signin", next=request.full_path),
        # What the page's script says before the extension's messages can load.
        "texts": {"incomplete": _("The page did not load completely. Reload it.")},
    }
    return render_template("rseries/rewards.html", page=config,
                           scripts=[url_for("rseries.extension_static", name=f) for f in files])


@bp.get("/rewards/ext/<path:name>")
def extension_static(name):
    """Only the extension files the page runs: never the folder."""
    if name not in WORKER_FILES + panel_files() + OPTIONAL_FILES and not name.startswith("_locales/"):
        abort(404)
    directory = extension_dir()
    if not os.path.isdir(directory):
        abort(404, description=_("The extension folder is not next to the server: the Rewards page needs it."))
    return send_from_directory(directory, name, max_age=300)


def _connection(name: str | None) -> PosConnection:
    query = PosConnection.select().where(PosConnection.system == SYSTEM)
    if name:
        conn = query.where(PosConnection.prefix == name.lower()).first()
        if conn is None:
            raise NotFound(_("no R-Series connection '%(name)s'", name=name), code="not_connected")
        return conn
    conns = list(query.order_by(PosConnection.id).limit(2))
    if not conns:
        raise NotFound(_("this server is not connected to R-Series yet: a manager connects it on the POS "
                         "connection page (or loyalty pos connect --system rseries)"), code="not_connected")
    if len(conns) > 1:
        raise ValidationFailed(_("several R-Series connections: add &connection=<name> to the button's address"),
                               fields={"connection": [_("required")]})
    return conns[0]


def read_sale(conn, client, sale_id: str | None, register_id: str | None) -> dict | None:
    """The R-Series sale the button was pressed on: the one named, else the register's (or the account's)
    most recently changed open sale."""
    if sale_id:
        return client.one("Sale", sale_id, RELATIONS)
    params = {"completed": "false", "voided": "false", "sort": "-timeStamp"}
    if register_id:
        params["registerID"] = register_id
    for page in client.pages("Sale", params, relations=RELATIONS, limit=1):
        return page[0]
    return None


def sale_for_panel(conn, sale: dict, tab: str) -> dict:
    """The sale in the panel's shape (what the extension's adapters read from a sale screen): on the Refund tab
    (or a sale that only returns) its returned lines with the original sale, otherwise its bought lines."""
    found = parts(sale)
    refund = next((p for p in found if p["return_for"] or p.get("original_unknown")), None)
    purchase = next((p for p in found if not p["return_for"] and not p.get("original_unknown")), None)
    part = refund if (tab == "refund" and refund) or purchase is None else purchase
    return {"pos": {"system": SYSTEM, "sale_id": part["sale_id"], "store": conn.prefix,
                    "register": str(sale.get("registerID") or "") or None, "return_for": part["return_for"]},
            "customer": customer_of(sale), "account_id": None, "lines": part["lines"],
            "completed": str(sale.get("completed")).lower() == "true",
            "ticket": sale.get("ticketNumber") or None}


@bp.get("/rewards/sale")
@auth("cashier")
def api_current_sale():
    """The current R-Series sale for the Rewards page, read through the API."""
    conn = _connection(request.args.get("connection"))
    sale_id = (request.args.get("sale_id") or "").strip() or None
    if sale_id is not None and not sale_id.isdigit():
        raise ValidationFailed(_("an R-Series sale id is a number"), fields={"sale_id": [_("a number")]})
    register_id = (request.args.get("register_id") or "").strip() or None
    try:
        with client_for(conn, policy=PAGE_POLICY) as client:
            sale = read_sale(conn, client, sale_id, register_id)
    except XSeriesError as exc:
        raise LoyaltyError(_("R-Series could not be read: %(error)s", error=exc), code="pos_unavailable",
                           status=502) from None
    if sale is None:
        return {"sale": None, "connection": conn.prefix}
    tab = "refund" if request.args.get("tab") == "refund" else "sale"
    return {"sale": sale_for_panel(conn, sale, tab), "connection": conn.prefix}


@bp.get("/oauth")
def oauth_return():
    """Where R-Series sends the merchant back after accepting (the redirect URI): shows the code to give
    ``loyalty pos connect --system rseries --code``. A code is good once and for a few minutes only."""
    code = (request.args.get("code") or "").strip()[:200]
    error = (request.args.get("error_description") or request.args.get("error") or "").strip()[:300]
    return render_template("rseries/oauth.html", code=code, error=error)
