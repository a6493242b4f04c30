"""Builders shared by the tests: the app on a given database, an authenticated client, sale and program bodies.

Tests import these with ``from builders import ...`` (a plain module: every test folder has its own conftest)."""
from __future__ import annotations

import contextlib
import os
import sys
from decimal import Decimal

import jinja2

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))

from loyalty import create_app  # noqa: E402
from loyalty.db import database  # noqa: E402
from loyalty.models import ALL_MODELS, create_tables  # noqa: E402


class _CompiledTemplates(jinja2.BytecodeCache):
    """Every test makes an app, and each app's Jinja environment compiled the templates it rendered again (24 pages
    took half of test_web_no_500's time). Jinja keys the compiled code by template name and checks it against the
    source's checksum, so a template edited during the session is compiled again; the code also depends on the
    environment's options, which create_app sets the same way for every app."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_templates = _CompiledTemplates()


def make_app(db_url, **config):
    """The app on ``db_url`` with every table, empty. A database that already has every table (a copy of the
    SQLite template, ``write_empty_sqlite``, or a PostgreSQL schema an earlier test made) skips the
    ``CREATE ... IF NOT EXISTS`` statements: generating and running them for 30 tables was a third of a test's
    set-up."""
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SESSION_COOKIE_SECURE": False, **config})
    app.jinja_env.bytecode_cache = _templates
    with app.app_context():
        database.connect(reuse_if_open=True)
        have = set(database.get_tables())
        if any(model._meta.table_name not in have for model in ALL_MODELS):
            create_tables()
        if db_url.startswith("postgres"):
            tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
            database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return app


_empty_sqlite = {}


def write_empty_sqlite(path):
    """Write at ``path`` (owner-only, as the app makes it) an SQLite database with every table and index, empty:
    a copy of one made by ``make_app`` once per process (kept in memory, so forked processes such as mutmut's
    share it and no file is left behind)."""
    if "bytes" not in _empty_sqlite:
        import tempfile

        previous = database.obj
        with tempfile.TemporaryDirectory() as tmp:
            template = os.path.join(tmp, "template.sqlite3")
            make_app("sqlite:///" + template)  # create_app first: it imports the modules that add tables
            database.close()  # the last connection checkpoints the WAL into the file and removes it
            with open(template, "rb") as f:
                _empty_sqlite["bytes"] = f.read()
        if previous is not None:
            database.initialize(previous)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(_empty_sqlite["bytes"])
    return path


def _cache_route_builders():
    """Every test makes an app, and werkzeug compiles two URL builders per route of it (a Python AST compiled with
    ``compile``): 2,000 compiles, most of ``create_app``'s time. The builder's code depends only on the rule's text,
    its static and variable parts and its defaults' names, not on the app, so one per rule serves every app. A
    default for a variable part is turned into text by the rule's converter when compiling: those are not cached."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "_loyalty_cached", False):
        return
    cache = {}

    def cached(self, append_unknown=True):
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in cache:
            cache[key] = compile_builder(self, append_unknown)
        return cache[key]

    cached._loyalty_cached = True
    Rule._compile_builder = cached


_cache_route_builders()


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


def account(api, first, pos_id):
    """A new account linked to POS customer ``pos_id`` on lightspeed-x (e.g. the right customer a sale moves to);
    its id."""
    r = api.post("/api/v1/accounts", {"first_name": first, "last_name": "Test",
                                      "link": {"system": "lightspeed-x", "customer_id": pos_id}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def points_program(manager_api, **kw):
    """A points program made through the API: a point a dollar, a $5 reward at 500 points (``kw`` overrides)."""
    body = {"kind": "points", "name": "Paws Points", "earn_rules": [{"type": "spend", "points": 1,
                                                                     "per_amount": "1.00"}],
            "rewards": [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5.00"}]}
    body.update(kw)
    r = manager_api.post("/api/v1/programs", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def commit(api, body, reasons=None):
    """Commit a sale (with the multi-purchase reasons given, if any); it must succeed. Returns the answer."""
    r = api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons or {}})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def redeem_card(api, card, sale_id, **item):
    """A complete card's reward given on ``sale_id`` for ``item`` (its line, UPC or SKU, price); it must succeed."""
    r = api.post(f"/api/v1/cards/{card['id']}/redeem", {"sale": {"system": "lightspeed-x", "sale_id": sale_id},
                                                        "item": item})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def preview(api, body):
    """Preview a sale; it must succeed. Returns the answer."""
    r = api.post("/api/v1/sales/preview", {"sale": body})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def treat(line_id, qty=1, price="12.49"):
    return line(line_id, upc="0000TREAT", qty=qty, price=price)


def card_of(api, account_id, program_id, status=None):
    cards = api.get(f"/api/v1/accounts/{account_id}").get_json()["cards"]
    return [c for c in cards if c["program_id"] == program_id and (status is None or c["status"] == status)]


def D(x):
    return Decimal(str(x))


@contextlib.contextmanager
def statements():
    """The SQL this process runs inside the block."""
    seen = []
    real = database.obj.execute_sql

    def counting(sql, *a, **kw):
        seen.append(sql)
        return real(sql, *a, **kw)

    database.obj.execute_sql = counting
    try:
        yield seen
    finally:
        del database.obj.execute_sql
