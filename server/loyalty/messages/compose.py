"""What each message says: subjects, bodies (text and HTML email, SMS), inline images and headers.

Templates are in ``messages/templates/messages/``: ``<name>.txt`` and ``<name>.html`` for an email; an SMS is
one short text built here. Links are made at send time, so a page link in a retried message is fresh."""
from __future__ import annotations

import email.utils
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import gettext as _, lazy_gettext as _l

from ..i18n import in_language

from ..member_cards import render as card_images
from ..member_cards.codes import grouped
from ..models import Account
from . import links

# template -> (subject, marketing?). Marketing mail needs email consent and carries an unsubscribe link.
EMAILS = {
    "card": (_l("Your member card at %(store)s"), False),
    "signin": (_l("Your link to your %(store)s rewards"), False),
    "welcome": (_l("Welcome to %(store)s rewards"), True),
    "reward": (_l("A reward is waiting for you at %(store)s"), True),
}


def store() -> str:
    return current_app.config["STORE_NAME"]


def subject(template: str, account: Account | None = None) -> str:
    """In the account's language when given, else in the current one."""
    if account is not None:
        with in_language(account.language):
            return subject(template)
    return str(EMAILS[template][0]) % {"store": store()}


def is_marketing(template: str) -> bool:
    return EMAILS[template][1]


def sms_body(template: str, account: Account, params: dict, *, with_link: bool = True) -> str:
    """SMS text, with the opt-out sentence carriers expect. Without ``with_link``: the text staff see in the
    message list (the customer's page link is a key to their page: it is made only when sending)."""
    with in_language(account.language):
        if template == "welcome":
            link = links.page_url(account.id) if with_link else _("(link to their page)")
            text = _("%(store)s: you're in our rewards program, %(name)s. Your card and rewards: %(link)s",
                     store=store(), name=account.first_name, link=link)
        elif template == "reward":
            text = _("%(store)s: %(program)s is complete, a reward is waiting for you.", store=store(),
                     program=params.get("program") or _("a card"))
        else:
            raise ValueError(f"no SMS template {template!r}")
        return text + " " + _("Reply STOP to opt out.")


def _mail_domain() -> str:
    return (email.utils.parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost")


def build_email(item_id: int, template: str, to: str, account: Account, params: dict) -> EmailMessage:
    """The email in the account's language (Account.language)."""
    with in_language(account.language):
        return _build_email(item_id, template, to, account, params)


def _build_email(item_id: int, template: str, to: str, account: Account, params: dict) -> EmailMessage:
    context = {"store": store(), "account": account, "params": params, "page_url": links.page_url(account.id)}
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject(template)
    message["Date"] = email.utils.formatdate(localtime=False)
    # The same id on every attempt of one outbox row: a receiver that got it before can drop a repeat.
    message["Message-ID"] = f"<outbox-{item_id}@{_mail_domain()}>"
    if is_marketing(template):
        unsubscribe = links.unsubscribe_url(account.id, to)
        context["unsubscribe_url"] = unsubscribe
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    if template == "welcome":
        context["confirm_url"] = links.confirm_url(account.id, to)
    code = params.get("code")
    if code:
        context["code"] = code
        context["code_display"] = grouped(code)
        context["qr_cid"] = email.utils.make_msgid(domain=_mail_domain())
    message.set_content(render_template(f"messages/{template}.txt", **context))
    message.add_alternative(render_template(f"messages/{template}.html", **context), subtype="html")
    if code:
        qr = card_images.qr_png(code)
        html_part = message.get_payload()[1]
        html_part.add_related(qr, "image", "png", cid=context["qr_cid"], filename=f"member-card-{code}.png")
        message.add_attachment(qr, maintype="image", subtype="png", filename=f"member-card-{code}.png")
    return message
