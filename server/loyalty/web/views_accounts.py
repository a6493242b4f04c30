"""Customer search, the account page, and editing an account's details."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from ..domain.accounts import get_account, search_accounts, update_account
from ..i18n import LANGUAGE_NAMES
from ..schemas import AccountUpdateSchema
from . import bp, confirm_or_run
from .account_view import account_page
from .security import needs

ADDRESS_KEYS = ("line1", "line2", "city", "region", "postal_code", "country")


@bp.get("/")
@needs("cashier")
def search():
    q = request.args.get("q", "")[:200]
    # Without a query: the accounts changed most recently (often the customer at the counter).
    results = search_accounts(q, current_app.config["PHONE_REGION"])
    return render_template("search.html", q=q, results=results, searched=bool(q.strip()))


@bp.get("/accounts/<id:account_id>")
@needs("cashier")
def account(account_id):
    found = get_account(account_id)
    if found.id != account_id:  # a merged account answers as its primary
        return redirect(url_for("web.account", account_id=found.id))
    return render_template("account.html", **account_page(found))


@bp.get("/accounts/<id:account_id>/edit")
@needs("staff")
def account_edit(account_id):
    return render_template("account_edit.html", account=get_account(account_id))


def account_form_data(form, schema=AccountUpdateSchema) -> dict:
    """The edit (or create) form as the API's body, validated by the same schema."""
    data = {k: form.get(k, "").strip() for k in ("first_name", "last_name", "email", "phone", "notes")}
    data["address"] = {k: form.get(f"address_{k}", "").strip() or None for k in ADDRESS_KEYS}
    if not any(data["address"].values()):
        data["address"] = None
    for key in ("sms_consent", "email_consent", "is_test"):
        data[key] = form.get(key) == "on"
    if form.get("language"):
        data["language"] = form["language"]
    data["consent_source"] = form.get("consent_source", "").strip() or "staff app"
    return schema(partial=schema is AccountUpdateSchema).load(data)


@bp.post("/accounts/<id:account_id>/edit")
@needs("staff")
def account_edit_post(account_id):
    target = get_account(account_id)
    data = account_form_data(request.form)
    region = current_app.config["PHONE_REGION"]

    def run():
        update_account(target.id, data, g.actor, region)
        flash(_("Details saved."))
        return redirect(url_for("web.account", account_id=target.id))

    summary = [_("Save the details of %(name)s (account %(id)s):", name=target.full_name, id=target.id)] + [
        f"{FIELD_NAMES.get(k, k)}: {_value(k, v)}" for k, v in data.items()
        if k != "address" and v not in ("", None)]
    if data.get("address"):
        summary.append(_("address: %(address)s", address=", ".join(v for v in data["address"].values() if v)))
    return confirm_or_run(_("Save account details?"), summary, run, button=_("Save details"))


FIELD_NAMES = {"first_name": _l("first name"), "last_name": _l("last name"), "email": _l("email"),
               "phone": _l("phone"), "notes": _l("notes"), "sms_consent": _l("SMS consent"),
               "email_consent": _l("email consent"), "is_test": _l("test account"),
               "consent_source": _l("consent given where"), "language": _l("language")}


def _value(key: str, value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return LANGUAGE_NAMES.get(value, value) if key == "language" else str(value)
