"""A FAKE of the Lightspeed X-Series REST API, for tests and demos. Not Lightspeed's code.

Serves ``/api/<version>/products``, ``/customers`` and ``/sales`` (plus ``POST /customers`` and
``/search?type=customers``) with the documented 2.0 list shapes:
``{"data": [...], "version": {"min": n, "max": m}}``, objects ordered by ``version``, ``after=<version>`` and
``page_size`` paging, an empty ``data`` page at the end, deleted objects only with ``deleted=true``. A bearer
token is required (401 otherwise). Failures on demand: ``fail(...)`` makes the next matching requests answer
429 (with Retry-After), 500, or answer late (``delay``, for timeouts). Every request is logged in
``requests_seen``.

Also builds the webhook deliveries X-Series sends (form field ``payload`` with the API 1.0 JSON, signed in
``X-Signature``): ``webhook(type, payload, secret)``.

Run it alone, with a little pet-store catalog, for a demo:

    python tests/lightspeed/fake_xseries.py --port 5055 --token demo-token
    loyalty pos connect --prefix demo --base-url http://127.0.0.1:5055/api/2.0 --token demo-token \\
        --webhook-secret demo-secret
    loyalty pos sync products
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, jsonify, request


@dataclass
class Failure:
    status: int | None = 500  # None: answer normally, only late
    times: int = 1
    resource: str | None = None  # products | customers | sales; None: any
    after: int | None = None  # only requests with this ``after``
    retry_after: str | None = None
    delay: float = 0.0  # seconds before answering
    answered: threading.Event = field(default_factory=threading.Event)  # set once a late answer is sent


class FakeXSeries:
    def __init__(self, token: str = "lsxs_pt_fake-token", default_page_size: int = 50):
        self.token = token
        self.default_page_size = default_page_size
        self.objects = {"products": {}, "customers": {}, "sales": {}}
        self.requests_seen: list[tuple[str, dict]] = []
        self.failures: list[Failure] = []
        self._versions = itertools.count(1000, 7)  # versions grow, with gaps, as the real ones do
        self._lock = threading.Lock()
        self.app = self._make_app()

    # --- data ------------------------------------------------------------------------------------------------

    def _put(self, resource: str, obj: dict) -> dict:
        with self._lock:
            obj = {**obj, "version": next(self._versions)}
            obj.setdefault("id", str(uuid.uuid4()))
            obj.setdefault("deleted_at", None)
            self.objects[resource][obj["id"]] = obj
            return obj

    def add_product(self, name: str, sku: str | None = None, upc: str | None = None, *, ean: str | None = None,
                    brand: str = "Champion", supplier: str = "PFX", variant_name: str | None = None,
                    id: str | None = None) -> dict:
        codes = [{"id": str(uuid.uuid4()), "type": t, "code": c} for t, c in (("EAN", ean), ("UPC", upc)) if c]
        return self._put("products", {
            "id": id or str(uuid.uuid4()), "name": name, "variant_name": variant_name, "sku": sku,
            "handle": (sku or name).lower().replace(" ", "-"), "active": True, "product_codes": codes,
            "brand": {"id": str(uuid.uuid4()), "name": brand}, "supplier": {"id": str(uuid.uuid4()), "name": supplier},
            "price_including_tax": 94.99, "supply_price": 60.0,
        })

    def add_customer(self, first_name: str, last_name: str, email: str | None = None, phone: str | None = None,
                     *, code: str | None = None, mobile: str | None = None, id: str | None = None, **address) -> dict:
        obj = {"id": id or str(uuid.uuid4()), "customer_code": code or f"{first_name}-{last_name}".upper(),
               "first_name": first_name, "last_name": last_name, "email": email, "phone": phone, "mobile": mobile,
               "company_name": None, "customer_group_id": str(uuid.uuid4())}
        for key in ("address_1", "address_2", "city", "suburb", "state", "postcode", "country_id"):
            obj[f"physical_{key}"] = address.get(key)
            obj[f"postal_{key}"] = None
        return self._put("customers", obj)

    def update(self, resource: str, object_id: str, **changes) -> dict:
        return self._put(resource, {**self.objects[resource][object_id], **changes})

    def delete(self, resource: str, object_id: str) -> dict:
        return self.update(resource, object_id, deleted_at="2026-01-15T10:00:00+00:00")

    def add_sale(self, customer: dict | None, items: list, *, status: str = "CLOSED", return_for: str | None = None,
                 register_id: str = "reg-1", id: str | None = None) -> dict:
        """``items``: (product, quantity, price) tuples. The 2.0 shape (``line_items``)."""
        return self._put("sales", {
            "id": id or str(uuid.uuid4()), "outlet_id": "outlet-1", "register_id": register_id,
            "customer_id": customer["id"] if customer else None, "status": status, "return_for": return_for,
            "invoice_number": str(len(self.objects["sales"]) + 1),
            "line_items": [{"id": str(uuid.uuid4()), "product_id": p["id"], "quantity": q, "price": price,
                            "unit_price": price, "tax": 0, "discount": 0} for p, q, price in items],
        })

    # --- webhooks --------------------------------------------------------------------------------------------

    def sale_payload(self, sale: dict) -> dict:
        """A sale as a sale.update webhook carries it (API 1.0 shape)."""
        customer = self.objects["customers"].get(sale.get("customer_id")) if sale.get("customer_id") else None
        customer_obj = ({"id": customer["id"], "customer_code": customer["customer_code"],
                         "first_name": customer["first_name"], "last_name": customer["last_name"],
                         "email": customer["email"], "phone": customer["phone"]} if customer else
                        {"id": "walkin-id", "customer_code": "WALKIN", "first_name": "", "last_name": ""})
        return {
            "id": sale["id"], "register_id": sale["register_id"], "customer_id": customer_obj["id"],
            "customer": customer_obj, "invoice_number": sale["invoice_number"], "status": sale["status"],
            "return_for": sale.get("return_for"), "sale_date": "2026-01-15 10:00:00",
            "totals": {"total_price": sum(li["price"] * li["quantity"] for li in sale["line_items"])},
            "register_sale_products": [
                {"id": li["id"], "product_id": li["product_id"], "quantity": li["quantity"], "price": li["price"],
                 "price_total": li["price"] * li["quantity"], "discount": 0, "tax": 0}
                for li in sale["line_items"]],
        }

    @staticmethod
    def webhook(event_type: str, payload: dict, secret: str, *, sign: str = "body",
                domain_prefix: str = "fakeshop") -> tuple[bytes, dict]:
        """(body, headers) of a delivery. ``sign``: "body" (the raw body, what Lightspeed signs), "payload"
        (the payload field's JSON text), or "none" (no X-Signature header)."""
        payload_text = json.dumps(payload, separators=(",", ":"))
        body = urlencode({"type": event_type, "domain_prefix": domain_prefix, "retailer_id": "r-1",
                          "environment": "prod", "payload": payload_text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if sign != "none":
            signed = body if sign == "body" else payload_text.encode()
            digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
            headers["X-Signature"] = f"signature={digest},algorithm=HMAC-SHA256"
        return body, headers

    # --- failures --------------------------------------------------------------------------------------------

    def fail(self, status: int | None = 500, times: int = 1, **kw) -> Failure:
        failure = Failure(status=status, times=times, **kw)
        self.failures.append(failure)
        return failure

    def _failure_for(self, resource: str, after: int) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and failure.resource in (None, resource) and failure.after in (None, after):
                    failure.times -= 1
                    return failure
        return None

    # --- the HTTP API ----------------------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("fake_xseries")


        @app.get("/api/v1/health")
        def health():  # what tests/livesupport.LiveServer waits for
            return jsonify({"status": "ok", "fake": "x-series"})

        @app.get("/api/<version>/<resource>")
        def list_objects(version, resource):
            if resource not in self.objects:
                return jsonify({"error": "Not Found"}), 404
            try:
                after = int(request.args.get("after", 0))
                page_size = min(int(request.args.get("page_size", self.default_page_size)), 200)
            except ValueError:
                return jsonify({"error": "Bad Request", "details": "after and page_size are integers"}), 400
            self.requests_seen.append((resource, dict(request.args)))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return jsonify({"error": "Unauthorized", "details": "invalid token"}), 401
            failure = self._failure_for(resource, after)
            if failure is not None:
                if failure.delay:
                    time.sleep(failure.delay)
                    failure.answered.set()
                if failure.status is not None:
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    return jsonify({"error": "failure on demand", "status": failure.status}), failure.status, headers
            with_deleted = request.args.get("deleted") == "true"
            items = sorted((o for o in self.objects[resource].values()
                            if o["version"] > after and (with_deleted or not o.get("deleted_at"))),
                           key=lambda o: o["version"])[:page_size]
            body = {"data": items}
            if items:
                body["version"] = {"min": items[0]["version"], "max": items[-1]["version"]}
            return jsonify(body)

        def authorized():
            return request.headers.get("Authorization") == f"Bearer {self.token}"

        @app.get("/api/<version>/search")
        def search(version):
            """``type=customers`` with exact ``email``, ``phone``, ``mobile`` or ``customer_code`` filters."""
            self.requests_seen.append(("search", dict(request.args)))
            if not authorized():
                return jsonify({"error": "Unauthorized"}), 401
            if request.args.get("type") != "customers":
                return jsonify({"error": "Bad Request", "details": "the fake searches customers only"}), 400
            filters = {k: v for k, v in request.args.items() if k in ("email", "phone", "mobile", "customer_code")}
            found = [o for o in self.objects["customers"].values() if not o.get("deleted_at") and filters
                     and all(str(o.get(k) or "").lower() == v.lower() for k, v in filters.items())]
            return jsonify({"data": found})

        @app.post("/api/<version>/customers")
        def create_customer(version):
            """POST /api/2.0/customers: first_name, last_name, email, phone, mobile, customer_code, enable_loyalty,
            do_not_email, enable_promotional_sms. Answers ``{"data": <the customer>}``."""
            self.requests_seen.append(("create customers", request.get_json(silent=True) or {}))
            if not authorized():
                return jsonify({"error": "Unauthorized"}), 401
            failure = self._failure_for("create customers", 0)
            if failure is not None:
                return jsonify({"error": "failure on demand"}), failure.status
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not (body.get("first_name") or body.get("last_name")):
                return jsonify({"error": "Validation failed", "details": {"first_name": "required"}}), 422
            code = body.get("customer_code") or f"{body.get('first_name', '')}-{body.get('last_name', '')}".upper()
            customer = self.add_customer(body.get("first_name", ""), body.get("last_name", ""), body.get("email"),
                                         body.get("phone"), code=code, mobile=body.get("mobile"))
            customer = self.update("customers", customer["id"], **{
                k: body[k] for k in ("enable_loyalty", "do_not_email", "enable_promotional_sms") if k in body})
            return jsonify({"data": customer}), 201

        @app.get("/api/<version>/<resource>/<object_id>")
        def get_object(version, resource, object_id):
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return jsonify({"error": "Unauthorized"}), 401
            obj = self.objects.get(resource, {}).get(object_id)
            return (jsonify({"data": obj}), 200) if obj else (jsonify({"error": "Not Found"}), 404)

        return app


def demo_store(fake: FakeXSeries | None = None) -> FakeXSeries:
    """The demo's products (loyalty.demo_data, so the demo programs' UPCs match) and two customers."""
    from loyalty.demo_data import PRODUCTS

    fake = fake or FakeXSeries(token="demo-token")
    for _, sku, upc, name, price in PRODUCTS:
        product = fake.add_product(name, sku=sku, upc=upc, brand=name.split()[0])
        fake.objects["products"][product["id"]]["price_including_tax"] = float(price)
    fake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344", address_1="12 Elm St",
                      city="Springfield", postcode="01101", state="MA", country_id="US")
    fake.add_customer("Walk", "In", code="WALKIN")
    return fake

if __name__ == "__main__":
    import argparse

    import os
    import sys

    from waitress import serve

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server"))
    parser = argparse.ArgumentParser(description="A fake Lightspeed X-Series API (for demos and tests)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--token", default="demo-token")
    args = parser.parse_args()
    fake = demo_store(FakeXSeries(token=args.token))
    print(f"fake X-Series API on http://{args.host}:{args.port}/api/2.0 (token {args.token!r})")
    serve(fake.app, host=args.host, port=args.port)
