"""The review queue: punches committed without the multi-purchase reason (a webhook cannot ask the cashier)."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from peewee import JOIN

from ..domain.adjustments import review_punch
from ..i18n import reason_labels
from ..models import Account, Program, Punch, Sale
from . import bp
from .security import needs

QUEUE_LIMIT = 200


@bp.get("/review")
@needs("manager")
def review():
    rows = list(Punch.select(Punch, Account, Program, Sale).join(Account).switch(Punch).join(Program)
                .switch(Punch).join(Sale, JOIN.LEFT_OUTER).where(Punch.needs_review == True)  # noqa: E712
                .order_by(Punch.id).limit(QUEUE_LIMIT + 1))
    return render_template("review.html", rows=rows[:QUEUE_LIMIT], more=len(rows) > QUEUE_LIMIT,
                           reasons=reason_labels(current_app.config["REASONS"]))


@bp.post("/review/<id:punch_id>")
@needs("manager")
def review_post(punch_id):
    review_punch(punch_id, g.actor, reason=request.form.get("reason", ""), note=request.form.get("note"),
                 allowed=tuple(current_app.config["REASONS"]))
    flash(_("Reason recorded."))
    return redirect(url_for("web.review"))
