"""Staff app: each account's messages and their state (account page box), failed messages for managers."""
from __future__ import annotations

from flask import render_template

from ..web import bp
from ..web.security import needs
from . import outbox


@bp.app_template_global()
def account_messages(account_id: int):
    """For the account page's messages box (templates/messages/_account_box.html)."""
    return outbox.account_messages(account_id)


@bp.get("/messages/failures")
@needs("manager")
def message_failures():
    return render_template("messages/failures.html", rows=outbox.failed_messages())
