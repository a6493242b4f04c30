"""The demo POS: a sale screen that behaves like the Lightspeed X-Series sell screen (same classes, same Client
API window messages, a single-page app that re-renders), served at /demo/pos in demo mode only. It is what
`loyalty demo` shows a newcomer and what the extension's browser tests drive."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from .. import demo_data
from ..i18n import FORMAT_LOCALES, current_language

bp = Blueprint("demo_pos", __name__, url_prefix="/demo", template_folder="templates", static_folder="static",
               static_url_path="/static")


def catalog() -> dict:
    """The products (with the UPCs the demo programs use) and the POS customers the screen offers."""
    products = [{"product_id": p[0], "sku": p[1], "upc": p[2], "name": p[3], "unit_price": p[4]}
                for p in demo_data.PRODUCTS]
    return {"products": products, "customers": demo_data.CUSTOMERS, "system": demo_data.SYSTEM}


def screen_text() -> dict:
    """The screen's words in the page's language: its script builds the screen, so it gets them with the data.
    Placeholders in braces are filled by the script."""
    return {
        "products": _("Products"), "new_customer": _("New POS customer"), "create_customer": _("Create customer"),
        "first_name": _("first name"), "last_name": _("last name"), "email": _("email"), "phone": _("phone"),
        "current_sale": _("Current sale"), "refund_of": _("Refund of {sale}"), "new_sale": _("New sale"),
        "empty": _("Add products to start the sale"), "total": _("Total {amount}"), "pay": _("Pay"),
        "refund": _("Refund"), "completed_sales": _("Completed sales"), "none_yet": _("None yet"),
        "sale_done": _("Sale {sale}: {amount}"), "refund_done": _("Refund {sale}: {amount}"),
        "customer": _("Customer"), "add_customer": _("Add a customer…"), "add_to_sale": _("Add to sale"),
        "remove_customer": _("Remove customer"), "discount": _("Discount"), "discount_on": _("Discount on {item}"),
        "amount_off": _("Amount off"), "apply": _("Apply"), "remove_discount": _("Remove the discount"),
        "one_less": _("One less"), "one_more": _("One more"), "remove_line": _("Remove line"), "remove": _("Remove"),
    }


@bp.get("/pos")
def pos():
    language = current_language()
    data = dict(catalog(), text=screen_text(), locale=FORMAT_LOCALES[language].replace("_", "-"),
                currency=current_app.config.get("CURRENCY", "CAD"))
    return render_template("demo_pos/pos.html", data=data, language=language,
                           store=current_app.config.get("STORE_NAME", "Loyalty Bridge"))


def init_app(app):
    if app.config.get("DEMO"):
        app.register_blueprint(bp)
