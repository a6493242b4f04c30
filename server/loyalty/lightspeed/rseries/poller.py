"""Completed R-Series sales and refunds, polled (R-Series has no sale webhooks) and committed as the register
would, through the domain pipeline's public ``commit_sale``.

A run asks for completed sales stamped at or after the stored cursor (``timeStamp=>=,<stamp>``, sorted by
timeStamp), page by page. Each page is committed in ONE transaction together with the cursor moving to the
page's largest stamp: a crash part-way through a page rolls the whole page back and the next run reads it again,
so no sale is skipped, and none is counted twice, because

- ``commit_sale`` is idempotent per POS sale (a sale committed at the Rewards page or by the extension, then seen
  here, adds only what was not committed yet: usually nothing);
- each sale seen is remembered with its timeStamp (``PolledSale``): the sale stamped exactly at the cursor, read
  again by the next run, is skipped instead of committed again.

What is committed: a completed sale whose customer is linked to an account (or, for a customer not linked yet,
whose email belongs to exactly one account: linked then), and any completed refund. A refund line (negative
``unitQuantity``) names the sold line it returns in ``parentSaleLineID``; the original sale is found by that line
and the refund reverses what the original line earned, whoever the refund was rung up to. An exchange (returned
and bought lines in one sale) is committed as two: the refund part as ``<saleID>-return``. A voided sale that was
committed before is committed again with no lines, which takes back what it earned. Multi-purchases are never
asked about here: they are committed and flagged for staff review, as a webhook's are.
"""
from __future__ import annotations

import logging

from marshmallow import ValidationError

from ...audit import record
from ...db import database, write_transaction
from ...domain.accounts import link_customer, live_link
from ...domain.sales import Options, commit_sale
from ...errors import Conflict, LoyaltyError
from ...models import Account, Sale, SaleLine, utcnow
from ...schemas import SaleSchema
from ..catalog import enrich_lines
from ..models import PosConnection
from .client import as_list
from .mapping import emails_of, item_values, phones_of
from .models import SYSTEM, PolledSale
from .sync import save_stamp, stamp_of

log = logging.getLogger("loyalty.lightspeed")

RELATIONS = ["SaleLines", "SaleLines.Item", "Customer", "Customer.Contact"]
RESOURCE = "sales"  # the TimestampCursor's name
RETURN_SUFFIX = "-return"




def _true(value) -> bool:
    return str(value).strip().lower() == "true"


def customer_of(sale: dict) -> dict | None:
    """The sale's POS customer as our CustomerSchema, or None for no customer (customerID "0")."""
    customer_id = str(sale.get("customerID") or "0")
    if customer_id == "0":
        return None
    customer = sale.get("Customer") if isinstance(sale.get("Customer"), dict) else {}
    emails, phones = emails_of(customer), phones_of(customer)
    return {"pos_id": customer_id, "first_name": (customer.get("firstName") or None),
            "last_name": (customer.get("lastName") or None), "email": emails[0] if emails else None,
            "phone": phones[0] if phones else None}


def line_of(line: dict) -> dict:
    """A SaleLine as our line: the Item's codes when the relation came, else the catalog fills them."""
    item = line.get("Item") if isinstance(line.get("Item"), dict) else None
    values = item_values(item) if item else {}
    item_id = str(line.get("itemID") or "0")
    return {"line_id": str(line["saleLineID"]), "product_id": None if item_id == "0" else item_id,
            "upc": values.get("upc"), "sku": values.get("sku"), "name": values.get("name") or None,
            "quantity": str(line.get("unitQuantity") or "0"), "unit_price": line.get("unitPrice") or None}


def sale_lines(sale: dict) -> list:
    lines = sale.get("SaleLines")
    return as_list(lines.get("SaleLine")) if isinstance(lines, dict) else []


def _original_sale_id(parent_line_id: str) -> str | None:
    """The R-Series sale a returned line was sold on, from our record of the sold line."""
    row = (SaleLine.select(Sale.pos_sale_id).join(Sale)
           .where((Sale.pos_system == SYSTEM) & (SaleLine.line_id == parent_line_id) & (Sale.kind == "sale"))
           .first())
    return row.sale.pos_sale_id if row else None


def _commit(conn, sale_id: str, customer, lines: list, *, return_for: str | None = None, register=None) -> dict:
    enrich_lines(SYSTEM, lines)
    sale_in = SaleSchema().load({
        "pos": {"system": SYSTEM, "sale_id": sale_id, "store": conn.prefix, "register": register,
                "return_for": return_for},
        "customer": customer, "account_id": None, "lines": lines})
    return commit_sale(sale_in, None, Options(actor=f"poller:{conn.prefix}", ask_reasons=False, source="poller"))


def _link_by_email(customer: dict, actor: str) -> bool:
    """Link a POS customer not linked yet whose email belongs to exactly one account (a phone is often a
    household's, so it never links alone)."""
    from ...domain.contacts import try_normalize_email

    email = try_normalize_email(customer.get("email"))
    if not email:
        return False
    found = list(Account.select(Account.id).where((Account.email == email) & Account.merged_into.is_null())
                 .limit(2))
    if len(found) != 1:
        return False
    link_customer(SYSTEM, customer["pos_id"], found[0].id, actor)
    return True


def parts(sale: dict) -> list[dict]:
    """What one R-Series sale commits as: ``{"sale_id", "return_for", "lines"}`` for its returned lines (each
    naming the sold line it returns as its ``original``, so one refund may return lines of several sales; in an
    exchange the refund part is ``<saleID>-return``) and for its bought lines. The poller and the Rewards page
    both go by this, so the register and the poller commit the same POS sale ids."""
    sale_id = str(sale["saleID"])
    lines = sale_lines(sale)
    returned = [line for line in lines if str(line.get("parentSaleLineID") or "0") != "0"
                and float(line.get("unitQuantity") or 0) < 0]
    bought = [line for line in lines if line not in returned]
    out = []
    refund_lines, first_original = [], None
    for line in returned:
        parent = str(line["parentSaleLineID"])
        original = _original_sale_id(parent)
        if original is None:
            continue  # sold before loyalty knew this store's sales, or never committed: nothing to reverse
        first_original = first_original or original
        refund_lines.append({**line_of(line), "original": {"sale_id": original, "line_id": parent}})
    if refund_lines:
        out.append({"sale_id": f"{sale_id}{RETURN_SUFFIX}" if bought else sale_id, "return_for": first_original,
                    "lines": refund_lines})
    elif returned and not bought:
        out.append({"sale_id": sale_id, "return_for": None, "lines": [], "original_unknown": True})
    if bought or not returned:
        out.append({"sale_id": sale_id, "return_for": None, "lines": [line_of(line) for line in bought]})
    return out


def handle_sale(conn, sale: dict) -> tuple[str, str]:
    """Commit one completed R-Series sale: (outcome, detail). The caller holds the page's transaction."""
    sale_id = str(sale["saleID"])
    register = str(sale.get("registerID") or "") or None
    customer = customer_of(sale)
    if _true(sale.get("voided")):
        if Sale.get_or_none((Sale.pos_system == SYSTEM) & (Sale.pos_sale_id == sale_id)) is None:
            return "ignored_voided", ""
        _commit(conn, sale_id, customer, [], register=register)
        return "voided", ""
    outcomes = []
    for part in parts(sale):
        if part.get("original_unknown"):
            outcomes.append("ignored_refund_original_not_committed")
        elif part["return_for"]:
            _commit(conn, part["sale_id"], customer, part["lines"], return_for=part["return_for"], register=register)
            if "refunded" not in outcomes:
                outcomes.append("refunded")
        else:
            outcomes.append(_commit_purchase(conn, sale_id, customer, part["lines"], register))
    return "+".join(outcomes), ""


def _commit_purchase(conn, sale_id: str, customer, lines: list, register) -> str:
    committed = Sale.get_or_none((Sale.pos_system == SYSTEM) & (Sale.pos_sale_id == sale_id))
    if customer is None and committed is None:
        return "ignored_walk_in"  # a walk-in committed at the register has its account on our record
    if customer is not None and live_link(SYSTEM, customer["pos_id"]) is None and (
            committed is None or committed.account_id is None):
        if not _link_by_email(customer, f"poller:{conn.prefix}"):
            return "ignored_not_linked"
    try:
        _commit(conn, sale_id, customer, lines, register=register)
    except Conflict as exc:
        if exc.code != "customer_not_linked":
            raise
        return "ignored_not_linked"
    return "committed"


def _seen(conn, sale: dict) -> bool:
    row = PolledSale.get_or_none((PolledSale.connection == conn.id) & (PolledSale.sale_id == str(sale["saleID"])))
    return row is not None and row.stamp == str(sale.get("timeStamp") or "")


def _remember(conn, sale: dict, outcome: str, detail: str):
    values = {"stamp": str(sale.get("timeStamp") or ""), "outcome": outcome[:40], "detail": detail,
              "polled_at": utcnow()}
    updated = PolledSale.update(**values).where((PolledSale.connection == conn.id)
                                                & (PolledSale.sale_id == str(sale["saleID"]))).execute()
    if not updated:
        PolledSale.create(connection=conn.id, sale_id=str(sale["saleID"]), **values)


def commit_page(conn, page: list, actor: str) -> dict:
    """Commit a page of completed sales and move the cursor, in one transaction; counts by outcome."""
    counts: dict[str, int] = {}
    newest = max(str(sale.get("timeStamp") or "") for sale in page)
    with write_transaction():
        for sale in page:
            if _seen(conn, sale):
                counts["already_polled"] = counts.get("already_polled", 0) + 1
                continue
            try:
                with database.atomic():  # one sale's refusal undoes that sale only
                    outcome, detail = handle_sale(conn, sale)
            except (LoyaltyError, ValidationError) as exc:
                # A sale we cannot commit (bad data) must not stop every later sale: kept, with why, for staff.
                outcome, detail = "error", getattr(exc, "message", None) or str(exc)
                log.warning("Lightspeed R-Series sale %s not committed: %s", sale.get("saleID"), detail)
            _remember(conn, sale, outcome, detail)
            counts[outcome] = counts.get(outcome, 0) + 1
        if newest:
            save_stamp(conn, RESOURCE, newest)
        record(actor, "pos.poll.sales", "pos_connection", conn.id, received=len(page), cursor=newest, **counts)
    return counts


def poll_sales(conn, client, actor: str = "poller", *, limit: int = 100) -> dict:
    """One polling run of ``conn`` to the end of what is there; the totals by outcome."""
    since = stamp_of(conn, RESOURCE)
    params = {"completed": "true", "sort": "timeStamp"}
    if since:
        params["timeStamp"] = f">=,{since}"
    totals: dict[str, int] = {"pages": 0, "received": 0}
    for page in client.pages("Sale", params, relations=RELATIONS, limit=limit):
        counts = commit_page(conn, page, actor)
        totals["pages"] += 1
        totals["received"] += len(page)
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
    totals["cursor"] = stamp_of(conn, RESOURCE)
    return totals


def poll_all(actor: str = "poller") -> dict:
    """Every R-Series connection, once (what the background job and ``loyalty pos poll`` run). A connection
    that fails is reported and does not stop the others."""
    from .client import client_for

    results = {}
    for conn in PosConnection.select().where(PosConnection.system == SYSTEM).order_by(PosConnection.id):
        try:
            with client_for(conn) as client:
                results[conn.prefix] = poll_sales(conn, client, actor)
        except Exception as exc:  # noqa: BLE001 -- reported per connection; the next run retries
            message = getattr(exc, "message", None) or str(exc)
            log.warning("Lightspeed R-Series %s: polling stopped: %s", conn.prefix, message)
            results[conn.prefix] = {"error": message}
    return results
