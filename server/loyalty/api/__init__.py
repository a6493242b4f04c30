"""The JSON API under /api/v1: token auth, schema-validated bodies, JSON errors."""
from __future__ import annotations

from functools import lru_cache, wraps

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _

from ..auth import authenticate, require_role
from ..errors import LoyaltyError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def body(schema_cls, partial=False):
    """The request's JSON loaded through ``schema_cls``: 400 for malformed JSON, 422 naming each bad field."""
    data = request.get_json(force=True, silent=True)
    if data is None:
        if request.get_data(cache=True).strip():
            raise LoyaltyError(_("the body is not valid JSON"), code="malformed_json", status=400)
        raise LoyaltyError(_("a JSON body is required"), code="malformed_json", status=400)
    if not isinstance(data, dict):
        raise LoyaltyError(_("the body must be a JSON object"), code="malformed_json", status=400)
    return _schema(schema_cls, partial).load(data)


@lru_cache(maxsize=None)
def _schema(schema_cls, partial):
    # Schemas hold no per-request state; building one (and its nested ones) costs more than loading a body.
    return schema_cls(partial=partial)


def auth(role="cashier"):
    """Require a bearer token with at least ``role``; sets g.actor and g.role."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            token = authenticate(request.headers.get("Authorization"))
            g.actor, g.role, g.token = f"token:{token.name}", token.role, token
            require_role(role, token.role)
            return view(*args, **kwargs)
        inner.required_role = role
        return inner
    return wrap


def region() -> str:
    return current_app.config["PHONE_REGION"]


from . import accounts, points, programs, sales, meta  # noqa: E402,F401  (routes register on bp)
from ..member_cards import api as _member_cards_api  # noqa: E402,F401  (/member-cards routes on bp)
