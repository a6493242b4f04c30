"""The staff and manager web app: server-rendered pages at ``/`` on the same server as the API.

Views are grouped by subject (``views_*``); domain rules live in ``loyalty.domain`` and are only called here.
"""
from __future__ import annotations

from flask import Blueprint, Flask, g, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..bounds import MAX_ID  # noqa: F401  (views import it from here)
from ..guards import SECURITY_HEADERS  # noqa: F401  (pages outside this blueprint import them from here)
from ..errors import LoyaltyError, NotFound
from ..i18n import field_labels, field_messages, reason_label
from . import labels, security
from .formatting import init_filters

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web-static")
init_filters(bp)


@bp.before_request
def _csrf():
    security.check_csrf()


@bp.app_context_processor
def _template_globals():
    return {"csrf_token": security.csrf_token, "can": security.can, "current_user": lambda: getattr(g, "user", None),
            "role_name": security.role_name, "reason_label": reason_label, **labels.TEMPLATE_GLOBALS}


@bp.errorhandler(LoyaltyError)
def _domain_error(exc: LoyaltyError):
    return render_template("error.html", title=_("That did not work"), message=exc.message, fields=exc.fields,
                           status=exc.status), exc.status


@bp.errorhandler(ValidationError)
def _form_error(exc: ValidationError):
    fields = field_messages(exc.messages if isinstance(exc.messages, dict) else {"form": exc.messages})
    return render_template("error.html", title=_("Some fields are not valid"),
                           message=_("Please correct: %(fields)s", fields=field_labels(fields)), fields=fields,
                           status=422), 422


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return render_template("error.html", title=exc.name, message=exc.description, fields={},
                           status=exc.code), exc.code


def confirm_or_run(title: str, summary: list[str], run, *, button: str | None = None):
    """The confirmation step of a manager action: the first POST shows what will happen and re-posts the same
    fields with ``confirmed=yes``; only that second POST runs the action."""
    if request.form.get("confirmed") == "yes":
        return run()
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")]
    return render_template("confirm.html", title=title, summary=summary, fields=fields, action=request.path,
                           button=button or _("Confirm"))


# What found() may be asked for, to say it in the page's language.
NOUNS = {"card": _l("card"), "program": _l("program"), "POS connection": _l("POS connection"), "token": _l("token"),
         "account": _l("account"), "user": _l("user"), "redemption": _l("redemption"),
         "card batch": _l("card batch")}


def found(model, row_id: int, what: str):
    """The row, or a 404 page naming what was not found."""
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise NotFound(_("%(what)s %(id)s not found", what=NOUNS.get(what, what), id=row_id))
    return row


def init_app(app: Flask):
    from . import (views_accounts, views_actions, views_auth, views_language, views_pickers,  # noqa: F401
                   views_points, views_pos, views_pos_rseries, views_programs, views_reports, views_review,
                   views_tokens)
    from ..member_cards import web as _member_cards_web  # noqa: F401  (member card pages)
    from ..messages import web as _messages_web  # noqa: F401  (message lists)

    app.register_blueprint(bp)
