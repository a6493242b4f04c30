"""Email and SMS to customers: queued in the outbox with the event that causes them (outbox.py), sent by the
background worker over SMTP (smtp.py) or a Twilio-shaped SMS API (sms.py), with consent checked twice, one-click
unsubscribe, inbound STOP, bounces (views.py), and what they say (compose.py, templates/messages/)."""
from __future__ import annotations

import os

from . import models  # noqa: F401  (registers the tables)

SETTINGS = {  # app config key: environment variable
    "SMTP_URL": "LOYALTY_SMTP_URL",
    "MAIL_FROM": "LOYALTY_MAIL_FROM",
    "PUBLIC_URL": "LOYALTY_PUBLIC_URL",
    "SMS_BASE_URL": "LOYALTY_SMS_BASE_URL",
    "SMS_ACCOUNT_SID": "LOYALTY_SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN": "LOYALTY_SMS_AUTH_TOKEN",
    "SMS_FROM": "LOYALTY_SMS_FROM",
}


def init_app(app):
    from .outbox import install
    from .views import bp

    for key, env in SETTINGS.items():
        app.config.setdefault(key, os.environ.get(env) or None)
    app.config["MAIL_FROM"] = app.config["MAIL_FROM"] or f"{app.config['STORE_NAME']} <loyalty@localhost>"
    app.config.setdefault("REWARD_MESSAGES", os.environ.get("LOYALTY_REWARD_MESSAGES", "1") != "0")
    install()
    app.register_blueprint(bp)
