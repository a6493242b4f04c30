"""Staff app pages for member cards: batches, a card, the printable sheet, and the account page's card box."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from markupsafe import Markup

from ..errors import LoyaltyError, ValidationFailed
from ..web import bp, confirm_or_run, found
from ..web.security import needs
from . import domain as dom
from . import render
from .codes import grouped
from .models import CardBatch, MemberCard

SHEET_PAGE = 10  # business cards per printed page (2 x 5 on Letter / A4)


@bp.app_template_global()
def card_qr(code: str) -> Markup:
    return Markup(render.qr_svg(code))  # only A-Z and 0-9 go in: see render.qr_svg


@bp.app_template_global()
def card_barcode(code: str) -> Markup:
    return Markup(render.code128_svg(code))


@bp.app_template_global()
def account_member_cards(account_id: int) -> list[MemberCard]:
    """For the account page's member card box (templates/_member_cards_box.html)."""
    return dom.account_member_cards(account_id)


bp.add_app_template_filter(grouped, "card_code")


@bp.get("/member-cards")
@needs("staff")
def member_cards():
    return render_template("member_cards.html", batches=dom.batches(), max_batch=dom.MAX_BATCH)


@bp.post("/member-cards/batches")
@needs("staff")
def member_card_batch_create():
    try:
        count = int(request.form.get("count", ""))
    except ValueError:
        raise ValidationFailed(_("how many cards: a number from 1 to %(max)d", max=dom.MAX_BATCH),
                               fields={"count": [_("a number")]}) from None
    batch, codes = dom.create_batch(request.form.get("name", ""), count, g.actor)
    flash(ngettext("Batch %(name)s created: %(num)d card.", "Batch %(name)s created: %(num)d cards.", len(codes),
                   name=batch.name))
    return redirect(url_for("web.member_card_batch", batch_id=batch.id))


@bp.get("/member-cards/find")
@needs("cashier")
def member_card_find():
    card = dom.get_card(request.args.get("code", ""))
    return redirect(url_for("web.member_card", code=card.code))


@bp.get("/member-cards/batches/<id:batch_id>")
@needs("staff")
def member_card_batch(batch_id):
    batch = found(CardBatch, batch_id, "card batch")
    cards = list(MemberCard.select().where(MemberCard.batch == batch.id).order_by(MemberCard.id))
    return render_template("member_card_batch.html", batch=batch, cards=cards)


@bp.get("/member-cards/batches/<id:batch_id>/print")
@needs("staff")
def member_card_sheet(batch_id):
    """Business-card-size cards to print (QR, Code 128 and the code in text), unassigned cards only unless
    ?all=1."""
    batch = found(CardBatch, batch_id, "card batch")
    query = MemberCard.select().where(MemberCard.batch == batch.id)
    if not request.args.get("all"):
        query = query.where(MemberCard.status == "unassigned")
    cards = list(query.order_by(MemberCard.id))
    pages = [cards[i:i + SHEET_PAGE] for i in range(0, len(cards), SHEET_PAGE)]
    return render_template("member_card_sheet.html", batch=batch, pages=pages)


@bp.get("/member-cards/<code>")
@needs("cashier")
def member_card(code):
    card = dom.get_card(code)
    if card.code != code:
        return redirect(url_for("web.member_card", code=card.code))
    return render_template("member_card.html", card=card)


@bp.post("/member-cards/<code>/assign")
@needs("staff")
def member_card_assign(code):
    if code == "next":  # the account page's form: the card typed or scanned there, else the next unassigned one
        code = request.form.get("code", "").strip() or dom.next_unassigned().code
    account_id = request.form.get("account_id", "").strip()
    email = request.form.get("email", "").strip()
    if account_id and not account_id.isdigit():
        raise ValidationFailed(_("account # is a number"), fields={"account_id": [_("a number")]})
    card, account, changed = dom.assign(code, g.actor, email=email or None,
                                        account_id=int(account_id) if account_id else None,
                                        cards_per_account=current_app.config["MEMBER_CARDS_PER_ACCOUNT"])
    flash(_("Card %(code)s given to %(name)s.", code=grouped(card.code), name=account.full_name) if changed else
          _("Card %(code)s was already given to %(name)s.", code=grouped(card.code), name=account.full_name))
    back = request.form.get("back")
    if back == "account":
        return redirect(url_for("web.account", account_id=account.id))
    return redirect(url_for("web.member_card", code=card.code))


@bp.post("/member-cards/<code>/revoke")
@needs("staff")
def member_card_revoke(code):
    card = dom.get_card(code)
    reason = request.form.get("reason", "").strip()[:200]

    def run():
        dom.revoke(card.code, g.actor, reason or _("revoked"))
        flash(_("Card %(code)s revoked: scanning it now says so.", code=grouped(card.code)))
        return redirect(url_for("web.member_card", code=card.code))

    what = _("Revoke card %(code)s (%(reason)s)", code=grouped(card.code), reason=reason) if reason else \
        _("Revoke card %(code)s", code=grouped(card.code))
    return confirm_or_run(_("Revoke this member card?"), [_("%(what)s: the register will refuse it from now on.",
                                                           what=what)], run, button=_("Revoke"))


@bp.post("/accounts/<id:account_id>/member-card/replace")
@needs("staff")
def member_card_replace(account_id):
    new_code = request.form.get("code", "").strip() or None

    def run():
        card = dom.replace(account_id, g.actor, new_code, request.form.get("reason", "").strip() or _("lost"))
        flash(_("New card %(code)s given; the old one is revoked.", code=grouped(card.code)))
        return redirect(url_for("web.account", account_id=account_id))

    try:
        what = _("card %(code)s", code=grouped(dom.get_card(new_code).code)) if new_code else \
            _("the next unassigned card")
    except LoyaltyError:
        what = _("the card you typed")
    return confirm_or_run(_("Replace the member card?"), [
        _("Revoke this account's card(s) and give it %(what)s; the card is emailed when the account has an email.",
          what=what)], run, button=_("Replace"))
