"""A ``sale.update`` webhook committed like the register extension would, without anyone clicking.

Committed: a closed sale whose POS customer is linked to an account (multi-purchases are punched and flagged
"needs reason" for staff review instead of asking), and any closed return (``return_for``): its punches come
back off the original sale's account even when the return was rung up to a walk-in. A voided sale that was
committed before is committed again with no lines, which takes its punches back. Everything else (open or
parked sales, walk-ins, customers not linked) is ignored, and said so in the answer.
"""
from __future__ import annotations

import logging

from ..domain.sales import Options, commit_sale
from ..errors import Conflict
from ..models import Sale
from ..schemas import SaleSchema
from .models import SYSTEM

log = logging.getLogger("loyalty.lightspeed")

CLOSED = {"CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED"}
VOIDED = {"VOIDED"}
WALK_IN = "WALKIN"


def _customer(payload: dict) -> dict | None:
    """The POS customer of the sale, or None for a walk-in or no customer."""
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    customer_id = payload.get("customer_id") or customer.get("id")
    if not customer_id or str(customer.get("customer_code") or "").upper() == WALK_IN:
        return None
    return {"pos_id": str(customer_id), "first_name": customer.get("first_name"),
            "last_name": customer.get("last_name"), "email": customer.get("email"),
            "phone": customer.get("mobile") or customer.get("phone")}


def _lines(payload: dict) -> list:
    """register_sale_products (API 1.0, what webhooks carry) or line_items (2.0): ids, product ids, quantities."""
    items = payload.get("register_sale_products")
    if items is None:
        items = payload.get("line_items") or []
    lines = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        price = item.get("price", item.get("unit_price"))
        lines.append({"line_id": str(item.get("id") or f"line-{i + 1}"), "product_id": item.get("product_id"),
                      "quantity": str(item.get("quantity", 0)),
                      "unit_price": None if price is None else str(price)})
    return lines


def sale_in_from(conn, payload: dict, customer: dict | None, lines: list) -> dict:
    """Our sale shape (``SaleSchema``), validated: a payload we cannot read is a 422, not a 500."""
    return SaleSchema().load({
        "pos": {"system": SYSTEM, "sale_id": str(payload.get("id") or ""), "store": conn.prefix,
                "register": payload.get("register_id"), "return_for": payload.get("return_for") or None},
        "customer": customer, "account_id": None, "lines": lines,
    })


def handle_sale(conn, payload: dict) -> dict:
    sale_id = str(payload.get("id") or "")
    status = str(payload.get("status") or "").upper()
    customer = _customer(payload)
    is_return = bool(payload.get("return_for"))
    base = {"sale_id": sale_id, "status": status}
    if status in VOIDED:
        committed = Sale.get_or_none((Sale.pos_system == SYSTEM) & (Sale.pos_sale_id == sale_id))
        if committed is None:
            return {**base, "outcome": "ignored_not_closed"}
        lines = []  # every line removed: the commit takes back what they punched
    elif status in CLOSED:
        if customer is None and not is_return:
            return {**base, "outcome": "ignored_walk_in"}
        lines = _lines(payload)
    else:
        return {**base, "outcome": "ignored_not_closed"}
    sale_in = sale_in_from(conn, payload, customer, lines)
    try:
        answer = commit_sale(sale_in, None, Options(actor=f"webhook:{conn.prefix}", ask_reasons=False,
                                                    source="webhook"))
    except Conflict as exc:
        if exc.code != "customer_not_linked":
            raise
        return {**base, "outcome": "ignored_not_linked"}
    warnings = answer.get("warnings") or []
    for warning in warnings:
        if warning.get("code") == "unknown_product":
            log.warning("Lightspeed sale %s: %s", sale_id, warning.get("message"))
    return {**base, "outcome": "voided" if status in VOIDED else ("refunded" if is_return else "committed"),
            "account_id": (answer.get("account") or {}).get("id"), "warnings": warnings,
            "cards": [{"program_id": c["program_id"], "punches": c["punches_to_add"]} for c in answer["cards"]]}
