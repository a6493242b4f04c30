"""A FAKE of the Lightspeed R-Series (Retail) API V3 and its OAuth server, for tests and demos. Not Lightspeed's
code; written from Lightspeed's public documentation of the resource shapes.

OAuth 2 (``/auth/oauth/token``, form-encoded): ``grant_type=authorization_code`` exchanges a code made by
``authorize(...)``; ``grant_type=refresh_token`` returns a NEW access token AND a NEW refresh token, and the old
refresh token stops working at once (the documentation says "once the new access token is first used"; the fake
is the strict reading). A refused grant answers 400 ``{"error": "invalid_grant"}``. ``expire_access_tokens()``
makes every issued access token answer 401, as an expired one does.

API ``/API/V3/Account.json`` and ``/API/V3/Account/{accountID}/{Item,Customer,Sale}.json`` (GET lists and one
object by id; POST Customer.json). As in R-Series:

- every value is a string ("12.50", "true", "0" for no parent), a list with one result comes back as a single
  object instead of a list, and an empty list has no key at all;
- relations are loaded on request (``load_relations=["SaleLines","SaleLines.Item","Customer.Contact"]``), a
  customer's Contact carries ``Emails.ContactEmail``, ``Phones.ContactPhone``, ``Addresses.ContactAddress``;
- lists page with a cursor: ``@attributes.next`` is the URL of the next page ("" on the last one), or with
  ``offset``/``limit`` and ``@attributes.count`` (the older style) when ``offset`` is asked;
- archived objects only with ``archived=true`` (with the others) or ``archived=only``;
- filters take an operator in the value: ``timeStamp=>,2026-01-15T10:00:00+00:00`` (``>``, ``>=``, ``<``,
  ``<=``, ``=``, ``~`` LIKE with ``%``), plain values mean ``=``; ``sort=timeStamp`` / ``-timeStamp``; relation
  fields as ``Contact.email``;
- a leaky bucket per account (``bucket_size`` units, draining ``drip_rate`` units a second; a GET costs 1, a
  write 10): every answer carries ``X-LS-API-Bucket-Level: used/size`` and ``X-LS-API-Drip-Rate``, and a request
  that would overflow answers 429 with ``Retry-After``. The bucket drains on ``clock``: a test hands the
  client ``fake.clock.sleep`` as its sleep, so waiting costs no real time.

Failures on demand: ``fail(status, times, resource=..., match=...)``; ``crash_after_sales(n)`` is for the poller
tests (see there). Every API request is logged in ``requests_seen``.

Run it alone for a demo:

    python tests/lightspeed/fake_rseries.py --port 5056
"""
from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, jsonify, request

WRITE_COST = 10
READ_COST = 1


class FakeClock:
    """Seconds that move only when someone sleeps on them (or ``advance``)."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float):
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)

    advance = sleep


@dataclass
class Failure:
    status: int = 500
    times: int = 1
    resource: str | None = None  # Item | Customer | Sale | token; None: any
    match: dict = field(default_factory=dict)  # only requests whose query has these values
    retry_after: str | None = None
    body: dict | None = None


def _s(value) -> str:
    """R-Series sends every scalar as a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _one_or_list(items: list):
    """A list with one element comes back as the element itself."""
    return items[0] if len(items) == 1 else items


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _compare(stored, op: str, wanted: str) -> bool:
    if op == "~":
        import fnmatch
        return fnmatch.fnmatch(str(stored).lower(), wanted.lower().replace("%", "*"))
    try:
        a, b = _parse_time(stored), _parse_time(wanted)
    except (TypeError, ValueError):
        try:
            a, b = Decimal(stored), Decimal(wanted)
        except Exception:
            a, b = str(stored), str(wanted)
    return {"=": a == b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "!=": a != b}[op]


class FakeRSeries:
    def __init__(self, account_id: str = "81234", *, client_id: str = "fake-client-id",
                 client_secret: str = "fake-client-secret", bucket_size: int = 60, drip_rate: float = 1.0,
                 default_limit: int = 100):
        self.account_id = account_id
        self.client_id, self.client_secret = client_id, client_secret
        self.bucket_size, self.drip_rate = bucket_size, drip_rate
        self.default_limit = default_limit
        self.clock = FakeClock()
        self._level, self._level_at = 0.0, 0.0
        self.objects: dict[str, dict[str, dict]] = {"Item": {}, "Customer": {}, "Sale": {}}
        self._ids = {k: itertools.count(1) for k in ("Item", "Customer", "Sale", "SaleLine", "Contact")}
        self._time = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.timezone.utc)
        self.codes: dict[str, str] = {}  # authorisation code -> redirect_uri
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.refreshes = 0  # successful refresh grants
        self.refused_grants = 0
        self.limited = 0  # requests answered 429 by the bucket
        self.token_delay = 0.0  # real seconds the token endpoint takes (to widen a refresh race)
        self.requests_seen: list[tuple[str, str, dict]] = []  # (method, resource, query)
        self.failures: list[Failure] = []
        self._lock = threading.RLock()
        self.app = self._make_app()

    # --- OAuth -----------------------------------------------------------------------------------------------

    def authorize(self, redirect_uri: str = "") -> str:
        """A code, as the authorize page hands back to the redirect URI after the merchant accepts."""
        code = "code-" + secrets.token_hex(8)
        self.codes[code] = redirect_uri
        return code

    def _issue(self) -> dict:
        access, refresh = "at-" + secrets.token_hex(12), "rt-" + secrets.token_hex(12)
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "expires_in": 3600, "token_type": "bearer",
                "scope": "employee:all systemuserid:1", "refresh_token": refresh}

    def expire_access_tokens(self):
        with self._lock:
            self.access_tokens.clear()

    # --- data ------------------------------------------------------------------------------------------------

    def tick(self, seconds: int = 1) -> str:
        """The next timeStamp: R-Series stamps an object each time it changes."""
        with self._lock:
            self._time += dt.timedelta(seconds=seconds)
            return self._time.isoformat()

    def _new_id(self, kind: str) -> str:
        return str(next(self._ids[kind]))

    def add_item(self, description: str, *, upc: str = "", ean: str = "", custom_sku: str = "",
                 manufacturer_sku: str = "", price: str = "94.99", archived: bool = False) -> dict:
        with self._lock:
            item_id = self._new_id("Item")
            item = {"itemID": item_id, "systemSku": f"2100000{int(item_id):05d}", "defaultCost": "60",
                    "avgCost": "60", "discountable": "true", "tax": "true", "archived": _s(archived),
                    "itemType": "default", "serialized": "false", "description": description, "modelYear": "0",
                    "upc": upc, "ean": ean, "customSku": custom_sku, "manufacturerSku": manufacturer_sku,
                    "createTime": self.tick(0), "timeStamp": self.tick(), "categoryID": "0", "taxClassID": "1",
                    "manufacturerID": "0", "defaultVendorID": "0",
                    "Prices": {"ItemPrice": [{"amount": price, "useTypeID": "1", "useType": "Default"}]}}
            self.objects["Item"][item_id] = item
            return item

    def add_customer(self, first_name: str, last_name: str, email: str | None = None, phone: str | None = None,
                     *, phone_type: str = "Mobile", address: dict | None = None, archived: bool = False,
                     no_email: bool = False) -> dict:
        with self._lock:
            customer_id = self._new_id("Customer")
            contact = {"contactID": self._new_id("Contact"), "custom": "", "noEmail": _s(no_email),
                       "noPhone": "false", "noMail": "false", "timeStamp": self.tick(0)}
            if email:
                contact["Emails"] = {"ContactEmail": {"address": email, "useType": "Primary"}}
            else:
                contact["Emails"] = ""
            if phone:
                contact["Phones"] = {"ContactPhone": {"number": phone, "useType": phone_type}}
            else:
                contact["Phones"] = ""
            if address:
                contact["Addresses"] = {"ContactAddress": {"address1": address.get("address1", ""),
                                                           "address2": address.get("address2", ""),
                                                           "city": address.get("city", ""),
                                                           "state": address.get("state", ""),
                                                           "zip": address.get("zip", ""),
                                                           "country": address.get("country", ""),
                                                           "countryCode": address.get("countryCode", ""),
                                                           "stateCode": address.get("stateCode", "")}}
            else:
                contact["Addresses"] = ""
            customer = {"customerID": customer_id, "firstName": first_name, "lastName": last_name, "title": "",
                        "company": "", "companyRegistrationNumber": "", "vatNumber": "",
                        "createTime": self.tick(0), "timeStamp": self.tick(), "archived": _s(archived),
                        "contactID": contact["contactID"], "creditAccountID": "0", "customerTypeID": "0",
                        "discountID": "0", "taxCategoryID": "0", "Contact": contact}
            self.objects["Customer"][customer_id] = customer
            return customer

    def update(self, resource: str, object_id: str, **changes) -> dict:
        with self._lock:
            obj = self.objects[resource][object_id]
            obj.update({k: _s(v) if not isinstance(v, (dict, list)) else v for k, v in changes.items()})
            obj["timeStamp"] = self.tick()
            return obj

    def add_sale(self, customer: dict | None, lines: list, *, completed: bool = True, register_id: str = "1",
                 shop_id: str = "1", voided: bool = False) -> dict:
        """``lines``: (item, quantity, unit price) tuples, or (item, quantity, unit price, parent SaleLine)
        for a returned item: a negative quantity naming the sold line it returns (a refund sale)."""
        with self._lock:
            sale_id = self._new_id("Sale")
            stamp = self.tick()
            sale_lines = []
            for entry in lines:
                item, quantity, price = entry[:3]
                parent = entry[3] if len(entry) > 3 else None
                sale_lines.append({
                    "saleLineID": self._new_id("SaleLine"), "createTime": stamp, "timeStamp": stamp,
                    "unitQuantity": _s(quantity), "unitPrice": _s(price), "normalUnitPrice": _s(price),
                    "discountAmount": "0", "discountPercent": "0", "avgCost": "60", "fifoCost": "60",
                    "tax": "true", "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
                    "displayableSubtotal": _s(Decimal(_s(price)) * Decimal(_s(quantity))),
                    "itemID": item["itemID"] if item else "0", "saleID": sale_id, "shopID": shop_id,
                    "parentSaleLineID": parent["saleLineID"] if parent else "0",
                    "customerID": customer["customerID"] if customer else "0"})
            total = sum((Decimal(line["displayableSubtotal"]) for line in sale_lines), Decimal(0))
            sale = {"saleID": sale_id, "timeStamp": stamp, "discountPercent": "0", "completed": _s(completed),
                    "archived": "false", "voided": _s(voided), "enablePromotions": "true", "isTaxInclusive": "false",
                    "createTime": stamp, "updateTime": stamp, "completeTime": stamp if completed else "",
                    "referenceNumber": "", "referenceNumberSource": "", "tax1Rate": "0", "tax2Rate": "0",
                    "change": "0", "ticketNumber": f"2200000{int(sale_id):05d}", "calcDiscount": "0",
                    "calcTotal": _s(total), "calcSubtotal": _s(total), "total": _s(total), "balance": "0",
                    "customerID": customer["customerID"] if customer else "0", "discountID": "0",
                    "employeeID": "1", "quoteID": "0", "registerID": register_id, "shipToID": "0",
                    "shopID": shop_id, "taxCategoryID": "0", "_lines": sale_lines}
            self.objects["Sale"][sale_id] = sale
            return sale

    def complete(self, sale: dict) -> dict:
        with self._lock:
            stamp = self.tick()
            sale.update(completed="true", completeTime=stamp, timeStamp=stamp, updateTime=stamp)
            return sale

    def lines_of(self, sale: dict) -> list:
        return sale["_lines"]

    # --- failures and the bucket -----------------------------------------------------------------------------

    def fail(self, status: int = 500, times: int = 1, **kw) -> Failure:
        failure = Failure(status=status, times=times, **kw)
        self.failures.append(failure)
        return failure

    def _failure_for(self, resource: str, query: dict) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and failure.resource in (None, resource) and all(
                        query.get(k) == v for k, v in failure.match.items()):
                    failure.times -= 1
                    return failure
        return None

    def set_bucket_level(self, level: float):
        with self._lock:
            self._level, self._level_at = float(level), self.clock()

    def bucket_level(self) -> float:
        with self._lock:
            now = self.clock()
            self._level = max(0.0, self._level - (now - self._level_at) * self.drip_rate)
            self._level_at = now
            return self._level

    def _bucket_headers(self) -> dict:
        level = self.bucket_level()
        return {"X-LS-API-Bucket-Level": f"{level:g}/{self.bucket_size}", "X-LS-API-Drip-Rate": f"{self.drip_rate:g}"}

    def _spend(self, cost: int):
        """None when the request fits in the bucket (and is charged), else the 429 answer."""
        with self._lock:
            level = self.bucket_level()
            if level + cost > self.bucket_size:
                wait = (level + cost - self.bucket_size) / self.drip_rate
                self.limited += 1
                response = jsonify({"httpCode": "429", "httpMessage": "Too Many Requests",
                                    "message": "Rate Limit Exceeded: Please try again later",
                                    "errorClass": "RateLimitException"})
                return response, 429, {**self._bucket_headers(), "Retry-After": str(max(1, int(wait + 0.999)))}
            self._level += cost
        return None

    # --- rendering -------------------------------------------------------------------------------------------

    def _customer_view(self, customer: dict, relations: set) -> dict:
        out = {k: v for k, v in customer.items() if k != "Contact"}
        if "Contact" in relations:
            out["Contact"] = customer["Contact"]
        return out

    def _sale_view(self, sale: dict, relations: set) -> dict:
        out = {k: v for k, v in sale.items() if not k.startswith("_")}
        if "SaleLines" in relations:
            lines = []
            for line in sale["_lines"]:
                line = dict(line)
                if "SaleLines.Item" in relations and line["itemID"] in self.objects["Item"]:
                    line["Item"] = self.objects["Item"][line["itemID"]]
                lines.append(line)
            out["SaleLines"] = {"SaleLine": _one_or_list(lines)} if lines else ""
        customer = self.objects["Customer"].get(sale["customerID"])
        if customer is not None and ("Customer" in relations or "Customer.Contact" in relations):
            out["Customer"] = self._customer_view(customer, {"Contact"} if "Customer.Contact" in relations else set())
        return out

    def _view(self, resource: str, obj: dict, relations: set) -> dict:
        if resource == "Sale":
            return self._sale_view(obj, relations)
        if resource == "Customer":
            return self._customer_view(obj, relations)
        return dict(obj)

    @staticmethod
    def _field(obj: dict, name: str):
        """A filter's field: ``timeStamp``, or ``Contact.email`` / ``Contact.phone`` through the relation."""
        if name == "Contact.email":
            emails = ((obj.get("Contact") or {}).get("Emails") or {}) or {}
            found = emails.get("ContactEmail") if isinstance(emails, dict) else None
            return [e.get("address", "") for e in ([found] if isinstance(found, dict) else found or [])]
        if name == "Contact.phone":
            phones = ((obj.get("Contact") or {}).get("Phones") or {}) or {}
            found = phones.get("ContactPhone") if isinstance(phones, dict) else None
            return [p.get("number", "") for p in ([found] if isinstance(found, dict) else found or [])]
        return [obj.get(name, "")]

    def _matches(self, obj: dict, filters: dict) -> bool:
        for name, raw in filters.items():
            op, _, wanted = raw.partition(",") if raw[:2] in (">,", "<,", "=,", "~,") or raw[:3] in (
                ">=,", "<=,", "!=,") else ("=", "", raw)
            if not any(_compare(value, op, wanted) for value in self._field(obj, name)):
                return False
        return True

    # --- the HTTP API ----------------------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("fake_rseries")
        filterable = {"timeStamp", "completed", "voided", "registerID", "shopID", "customerID",
                      "upc", "ean", "customSku", "manufacturerSku", "Contact.email", "Contact.phone", "saleID",
                      "itemID", "firstName", "lastName"}

        @app.get("/api/v1/health")
        def health():  # what tests/livesupport.LiveServer waits for
            return jsonify({"status": "ok", "fake": "r-series"})

        @app.post("/auth/oauth/token")
        def token():
            form = request.form
            failure = self._failure_for("token", dict(form))
            if failure is not None:
                return jsonify(failure.body or {"error": "server_error"}), failure.status
            if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                return jsonify({"error": "invalid_client", "error_description": "The client credentials are "
                                                                                "invalid"}), 401
            if self.token_delay:
                import time
                time.sleep(self.token_delay)
            with self._lock:
                grant = form.get("grant_type")
                if grant == "authorization_code" and form.get("code") in self.codes:
                    del self.codes[form["code"]]  # a code is good once
                    return jsonify(self._issue())
                if grant == "refresh_token" and form.get("refresh_token") in self.refresh_tokens:
                    self.refresh_tokens.discard(form["refresh_token"])  # rotated: the old one is spent
                    self.refreshes += 1
                    return jsonify(self._issue())
                self.refused_grants += 1
            return jsonify({"error": "invalid_grant", "error_description": "The refresh token is invalid."}), 400

        def authorized():
            auth = request.headers.get("Authorization", "")
            return auth.startswith("Bearer ") and auth[7:] in self.access_tokens

        def unauthorized():
            return jsonify({"httpCode": "401", "httpMessage": "Unauthorized",
                            "message": "Invalid access token.", "errorClass": "Exception"}), 401

        @app.get("/API/V3/Account.json")
        def account():
            if not authorized():
                return unauthorized()
            limited = self._spend(READ_COST)
            if limited:
                return limited
            return jsonify({"@attributes": {"count": "1", "offset": "0", "limit": "100"},
                            "Account": {"accountID": self.account_id, "name": "Fake Pet Supply",
                                        "link": {"@attributes": {"href": f"/API/V3/Account/{self.account_id}"}}}}
                           ), 200, self._bucket_headers()

        @app.route("/API/V3/Account/<account_id>/<resource>.json", methods=["GET", "POST"])
        def collection(account_id, resource):
            query = dict(request.args)
            self.requests_seen.append((request.method, resource, query))
            if not authorized():
                return unauthorized()
            if account_id != self.account_id or resource not in self.objects:
                return jsonify({"httpCode": "404", "httpMessage": "Not Found", "message": "Not Found"}), 404
            limited = self._spend(WRITE_COST if request.method == "POST" else READ_COST)
            if limited:
                return limited
            failure = self._failure_for(resource, query)
            if failure is not None:
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                return jsonify(failure.body or {"httpCode": str(failure.status), "message": "failure on demand"}
                               ), failure.status, {**self._bucket_headers(), **headers}
            if request.method == "POST":
                return self._create(resource)
            try:
                relations = set(json.loads(query.get("load_relations") or "[]"))
                limit = min(int(query.get("limit", self.default_limit)), 100)
            except (ValueError, TypeError):
                return jsonify({"httpCode": "400", "message": "bad load_relations or limit"}), 400
            filters = {k: v for k, v in query.items() if k in filterable}
            # archived: "false" (the default) active only, "true" active and archived, "only" archived only.
            archived = {"true": ("true", "false"), "only": ("true",)}.get(query.get("archived", ""), ("false",))
            with self._lock:
                found = [o for o in self.objects[resource].values()
                         if self._matches(o, filters) and o.get("archived", "false") in archived]
            sort = query.get("sort") or f"{resource[0].lower()}{resource[1:]}ID"
            key = sort.lstrip("-")
            id_key = f"{resource[0].lower()}{resource[1:]}ID"
            found.sort(key=lambda o: (o.get(key, ""), int(o[id_key])) if key != id_key else int(o[id_key]),
                       reverse=sort.startswith("-"))
            base = f"{request.host_url.rstrip('/')}/API/V3/Account/{account_id}/{resource}.json"
            attributes = {}
            if "offset" in query:  # the older paging: count, offset, limit
                offset = int(query["offset"])
                page = found[offset:offset + limit]
                attributes = {"count": str(len(found)), "offset": str(offset), "limit": str(limit)}
            else:
                start = int(base64.urlsafe_b64decode(query["after"]).decode()) if query.get("after") else 0
                page = found[start:start + limit]
                rest = {k: v for k, v in query.items() if k not in ("after", "before")}
                nxt = start + limit
                attributes = {
                    "next": f"{base}?{urlencode({**rest, 'after': base64.urlsafe_b64encode(str(nxt).encode()).decode()})}"
                    if nxt < len(found) else "",
                    "previous": ""}
            body = {"@attributes": attributes}
            if page:
                body[resource] = _one_or_list([self._view(resource, o, relations) for o in page])
            return jsonify(body), 200, self._bucket_headers()

        @app.get("/API/V3/Account/<account_id>/<resource>/<object_id>.json")
        def one(account_id, resource, object_id):
            self.requests_seen.append(("GET", resource, {"id": object_id, **request.args}))
            if not authorized():
                return unauthorized()
            limited = self._spend(READ_COST)
            if limited:
                return limited
            failure = self._failure_for(resource, {"id": object_id, **request.args})
            if failure is not None:
                return jsonify(failure.body or {"httpCode": str(failure.status), "message": "failure on demand"}
                               ), failure.status, self._bucket_headers()
            obj = self.objects.get(resource, {}).get(object_id)
            if account_id != self.account_id or obj is None:
                return jsonify({"httpCode": "404", "httpMessage": "Not Found",
                                "message": f"{resource} not found"}), 404, self._bucket_headers()
            relations = set(json.loads(request.args.get("load_relations") or "[]"))
            return jsonify({"@attributes": {"count": "1"}, resource: self._view(resource, obj, relations)}
                           ), 200, self._bucket_headers()

        return app

    def _create(self, resource: str):
        if resource != "Customer":
            return jsonify({"httpCode": "400", "message": "the fake creates Customers only"}), 400
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not (body.get("firstName") or body.get("lastName") or body.get("company")):
            return jsonify({"httpCode": "400", "httpMessage": "Bad Request",
                            "message": "Customer requires firstName, lastName or company"}), 400
        contact = body.get("Contact") or {}

        def first(group, key, field_name):
            entries = (contact.get(group) or {}).get(key) if isinstance(contact.get(group), dict) else None
            entries = [entries] if isinstance(entries, dict) else (entries or [])
            return (entries[0].get(field_name) if entries else None), (entries[0].get("useType") if entries else None)

        email, _ = first("Emails", "ContactEmail", "address")
        phone, phone_type = first("Phones", "ContactPhone", "number")
        customer = self.add_customer(body.get("firstName", ""), body.get("lastName", ""), email, phone,
                                     phone_type=phone_type or "Mobile",
                                     no_email=str(contact.get("noEmail")).lower() == "true")
        self.objects["Customer"][customer["customerID"]]["Contact"].update(
            {k: _s(contact[k]) for k in ("noPhone", "noMail") if k in contact})
        return jsonify({"@attributes": {"count": "1"}, "Customer": customer}), 200, self._bucket_headers()


def demo_store(fake: FakeRSeries | None = None) -> FakeRSeries:
    """The demo's products (loyalty.demo_data, so the demo programs' UPCs match) and one customer."""
    from loyalty.demo_data import PRODUCTS

    fake = fake or FakeRSeries()
    for _, sku, upc, name, price in PRODUCTS:
        fake.add_item(name, upc=upc, custom_sku=sku, price=str(price))
    fake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344")
    return fake


if __name__ == "__main__":
    import argparse
    import os
    import sys

    from waitress import serve

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server"))
    parser = argparse.ArgumentParser(description="A fake Lightspeed R-Series API (for demos and tests)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5056)
    args = parser.parse_args()
    fake = demo_store()
    code = fake.authorize()
    print(f"fake R-Series on http://{args.host}:{args.port} (client {fake.client_id!r}, "
          f"secret {fake.client_secret!r}, an authorisation code: {code})")
    serve(fake.app, host=args.host, port=args.port)
