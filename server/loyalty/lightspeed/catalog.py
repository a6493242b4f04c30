"""The store's product catalog: product id -> SKU and barcodes, so that a sale line carrying only a product id
(X-Series sale messages and webhooks) can be matched against manufacturers' UPC lists."""
from __future__ import annotations

from ..models import ProgramCode
from .mapping import product_values
from .models import SYSTEM, CatalogProduct, PosConnection

RSERIES = "lightspeed-r"
from .upsert import upsert_by_id


def upsert_products(conn, items: list) -> int:
    return upsert_by_id(CatalogProduct, "product_id", conn, items, product_values)


def enrich_lines(system: str, lines: list) -> None:
    """The commit path's enricher (see ``domain.sales.register_enricher``): fill each line's missing UPC/SKU
    from the catalog. Of a product's barcodes, the one a program lists wins, so a product whose first barcode
    is an EAN still punches on its UPC."""
    if system not in (SYSTEM, RSERIES):
        return
    wanted = {line["product_id"] for line in lines
              if line.get("product_id") and (not line.get("upc") or not line.get("sku"))}
    if not wanted:
        return
    # X-Series product ids are UUIDs, unique across accounts, so no store is needed to look one up; R-Series
    # itemIDs are small numbers: only R-Series connections' rows.
    products = {p.product_id: p for p in CatalogProduct.select().join(PosConnection).where(
        CatalogProduct.product_id.in_(sorted(wanted)) & (CatalogProduct.deleted == False)  # noqa: E712
        & (PosConnection.system == system))}
    codes = {c for p in products.values() for c in (p.barcodes or [])}
    listed = {pc.code for pc in ProgramCode.select(ProgramCode.code).where(
        (ProgramCode.kind == "upc") & ProgramCode.code.in_(sorted(codes)))} if codes else set()
    for line in lines:
        product = products.get(line.get("product_id"))
        if product is None:
            continue
        if not line.get("upc"):
            line["upc"] = next((c for c in product.barcodes or [] if c in listed), product.upc)
        if not line.get("sku"):
            line["sku"] = product.sku
        if not line.get("name"):
            line["name"] = " ".join(filter(None, (product.name, product.variant_name)))[:300] or None
