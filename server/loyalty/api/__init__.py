"""The JSON API under /api/v1: token auth, schema-validated bodies, JSON errors."""
from __future__ import annotations

import hmac
from functools import lru_cache, wraps

from flask import Blueprint, current_app, g, request, session
from flask_babel import gettext as _

from .. import bounds
from ..auth import authenticate, require_role
from ..errors import LoyaltyError
from ..schemas import FAST_LOADS

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def body(schema_cls, partial=False):
    """The request's JSON loaded through ``schema_cls``: 400 for malformed JSON, 422 naming each bad field."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise LoyaltyError(_("a JSON body is required"), code="malformed_json", status=400)
    try:
        data = bounds.loads(raw, nul_ok=True)  # the schema refuses NUL in each field it keeps (a 422 naming it)
    except bounds.InputRefused as exc:
        raise LoyaltyError(str(exc), code="malformed_json", status=400) from None
    except ValueError:
        raise LoyaltyError(_("the body is not valid JSON"), code="malformed_json", status=400) from None
    if not isinstance(data, dict):
        raise LoyaltyError(_("the body must be a JSON object"), code="malformed_json", status=400)
    fast = None if partial else FAST_LOADS.get(schema_cls)
    loaded = fast(data) if fast is not None else None  # the register's usual sale, without marshmallow
    return loaded if loaded is not None else _schema(schema_cls, partial).load(data)


@lru_cache(maxsize=None)
def _schema(schema_cls, partial):
    # Schemas hold no per-request state; building one (and its nested ones) costs more than loading a body.
    return schema_cls(partial=partial)


def _session_user():
    """A staff session from this site's own pages (the R-Series Rewards page): the session cookie AND the
    session's CSRF token in ``X-CSRF-Token``, which another site's page cannot read. None otherwise."""
    sent = request.headers.get("X-CSRF-Token")
    if not sent or request.headers.get("Authorization"):
        return None
    from ..web.security import current_user

    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    return current_user()


def auth(role="cashier"):
    """Require a bearer token (or a staff session, see ``_session_user``) with at least ``role``; sets g.actor
    and g.role."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = _session_user()
            if user is not None:
                g.actor, g.role, g.token = f"user:{user.username}", user.role, None
            else:
                token = authenticate(request.headers.get("Authorization"))
                g.actor, g.role, g.token = f"token:{token.name}", token.role, token
            require_role(role, g.role)
            return view(*args, **kwargs)
        inner.required_role = role
        return inner
    return wrap


def json_answer(answer):
    """A view's answer, sent as the text it already carries (``EncodedAnswer.json``, byte for byte what Flask's
    JSON would write) when Flask's JSON settings are the compact, sorted, ASCII defaults; else as any dict."""
    text = getattr(answer, "json", None)
    provider = current_app.json
    compact = provider.compact if provider.compact is not None else not current_app.debug
    if text is None or not compact or not provider.sort_keys or not provider.ensure_ascii:
        return answer
    return current_app.response_class(text + "\n", mimetype=provider.mimetype)


def region() -> str:
    return current_app.config["PHONE_REGION"]


from . import accounts, points, programs, sales, meta  # noqa: E402,F401  (routes register on bp)
from ..member_cards import api as _member_cards_api  # noqa: E402,F401  (/member-cards routes on bp)
