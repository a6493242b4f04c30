"""Device tokens for the registers' extension: created (shown once) and revoked by managers."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import ROLES, create_token, revoke_token
from ..errors import ValidationFailed
from ..models import ApiToken
from . import bp, confirm_or_run, found
from .security import needs, role_name


@bp.get("/tokens")
@needs("manager")
def tokens():
    rows = list(ApiToken.select().order_by(ApiToken.revoked_at.is_null(False), ApiToken.id.desc()))
    return render_template("tokens.html", tokens=rows, roles=ROLES, secret=None)


@bp.post("/tokens")
@needs("manager")
def token_create():
    name, role = request.form.get("name", "").strip(), request.form.get("role", "cashier")
    if not name or len(name) > 120:
        raise ValidationFailed(_("name the token after its register (1 to 120 characters), e.g. 'Register 1'"),
                               fields={"name": [_("required")]})
    if role not in ROLES:
        raise ValidationFailed(_("role must be one of %(roles)s", roles=", ".join(ROLES)),
                               fields={"role": [_("unknown")]})
    row, secret = create_token(name, role, created_by=g.actor)
    rows = list(ApiToken.select().order_by(ApiToken.revoked_at.is_null(False), ApiToken.id.desc()))
    # Rendered, not redirected: the secret exists only in this response and is never stored.
    response = render_template("tokens.html", tokens=rows, roles=ROLES, secret=secret, created=row)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/tokens/<id:token_id>/revoke")
@needs("manager")
def token_revoke(token_id):
    row = found(ApiToken, token_id, "token")

    def run():
        revoke_token(row.id, g.actor)
        flash(_("Token %(name)s revoked: that register is signed out of Loyalty Bridge.", name=row.name))
        return redirect(url_for("web.tokens"))

    return confirm_or_run(_("Revoke this token?"), [
        _("Revoke %(name)s (%(role)s, %(prefix)s…): the register using it stops working until it gets a new token.",
          name=row.name, role=role_name(row.role), prefix=row.prefix)], run, button=_("Revoke"))
