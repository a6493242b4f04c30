"""Builders shared by the tests: the app on a given database, an authenticated client, sale and program bodies.

Tests import these with ``from builders import ...`` (a plain module: every test folder has its own conftest)."""
from __future__ import annotations

import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))

from loyalty import create_app  # noqa: E402
from loyalty.db import database  # noqa: E402
from loyalty.models import ALL_MODELS, create_tables  # noqa: E402


def make_app(db_url, **config):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SESSION_COOKIE_SECURE": False, **config})
    with app.app_context():
        database.connect(reuse_if_open=True)
        create_tables()
        if db_url.startswith("postgres"):
            tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
            database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return app


class Api:
    """The test client with a bearer token: ``api.post(path, json)`` returns the response."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, token=None):
        token = token or self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, token=None, **kw):
        return self.client.get(path, headers=self._headers(token), **kw)

    def post(self, path, json=None, token=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(token), **kw)

    def put(self, path, json=None, token=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(token), **kw)

    def patch(self, path, json=None, token=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(token), **kw)

    def delete(self, path, json=None, token=None, **kw):
        return self.client.delete(path, json=json, headers=self._headers(token), **kw)


# --- builders shared by the API tests -------------------------------------------------------------------------

ACANA = "064992523251"
TOTW_A, TOTW_B = "074198608331", "074198608355"


def program_body(**kw):
    body = {"name": "ACANA 25 lb", "manufacturer": "Champion", "distributor": "PFX", "buy_quantity": 12,
            "upcs": [ACANA], "reward_rule": "lesser_or_equal"}
    body.update(kw)
    return body


def line(line_id, upc=ACANA, qty=1, price="94.99", **kw):
    out = {"line_id": str(line_id), "upc": upc, "sku": kw.pop("sku", None), "name": kw.pop("name", f"item {upc}"),
           "quantity": str(qty), "unit_price": price, "product_id": kw.pop("product_id", None)}
    out.update(kw)
    return out


def sale(sale_id="S-1", lines=(), customer="c-42", account_id=None, return_for=None, system="lightspeed-x"):
    body = {"pos": {"system": system, "sale_id": sale_id, "store": "Main", "register": "R1",
                    "return_for": return_for},
            "lines": list(lines), "account_id": account_id}
    if customer:
        body["customer"] = {"pos_id": customer, "first_name": "Dana", "last_name": "Whitfield",
                            "email": "dana@example.com", "phone": "555-201-3344"}
    return body


def card_of(api, account_id, program_id, status=None):
    cards = api.get(f"/api/v1/accounts/{account_id}").get_json()["cards"]
    return [c for c in cards if c["program_id"] == program_id and (status is None or c["status"] == status)]


def D(x):
    return Decimal(str(x))
