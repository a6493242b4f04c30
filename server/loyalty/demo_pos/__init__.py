"""The demo POS: a sale screen that behaves like the Lightspeed X-Series sell screen (same classes, same Client
API window messages, a single-page app that re-renders), served at /demo/pos in demo mode only. It is what
`loyalty demo` shows a newcomer and what the extension's browser tests drive."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import demo_data

bp = Blueprint("demo_pos", __name__, url_prefix="/demo", template_folder="templates", static_folder="static",
               static_url_path="/static")


def catalog() -> dict:
    """The products (with the UPCs the demo programs use) and the POS customers the screen offers."""
    products = [{"product_id": p[0], "sku": p[1], "upc": p[2], "name": p[3], "unit_price": p[4]}
                for p in demo_data.PRODUCTS]
    return {"products": products, "customers": demo_data.CUSTOMERS, "system": demo_data.SYSTEM}


@bp.get("/pos")
def pos():
    return render_template("demo_pos/pos.html", data=catalog(),
                           store=current_app.config.get("STORE_NAME", "Loyalty Bridge"))


def init_app(app):
    if app.config.get("DEMO"):
        app.register_blueprint(bp)
