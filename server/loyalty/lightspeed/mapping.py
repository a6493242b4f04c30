"""X-Series objects (2.0 list shapes and the 1.0 shapes webhooks carry) turned into our rows' values."""
from __future__ import annotations

from ..domain.contacts import try_normalize_email, try_normalize_phone

# Barcode types X-Series uses in product_codes; a UPC is what manufacturers' programs list.
_BARCODE_PREFERENCE = ("UPC", "EAN", "ISBN", "ITF", "JAN", "CUSTOM")


def _text(value, max_len: int) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value[:max_len] or None


def _name_of(value) -> str | None:
    """A brand/supplier: an object ``{"id", "name"}`` in 2.0, a plain name in 1.0."""
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value, 200)


def _version(obj: dict) -> int | None:
    try:
        return int(obj["version"]) if obj.get("version") is not None else None
    except (TypeError, ValueError):
        return None


def product_values(obj: dict) -> dict:
    codes = []
    for entry in obj.get("product_codes") or []:
        if isinstance(entry, dict) and _text(entry.get("code"), 64):
            codes.append(((entry.get("type") or "CUSTOM").upper(), _text(entry.get("code"), 64)))
    if _text(obj.get("barcode"), 64):  # the 1.0 shape (webhooks)
        codes.append(("UPC", _text(obj.get("barcode"), 64)))
    ranked = sorted(codes, key=lambda c: _BARCODE_PREFERENCE.index(c[0]) if c[0] in _BARCODE_PREFERENCE else 99)
    barcodes = list(dict.fromkeys(code for _, code in ranked))
    return {
        "sku": _text(obj.get("sku"), 64),
        "upc": barcodes[0] if barcodes else None,
        "barcodes": barcodes,
        "name": _text(obj.get("name"), 300) or "",
        "variant_name": _text(obj.get("variant_name"), 300),
        "brand": _name_of(obj.get("brand")) or _text(obj.get("brand_name"), 200),
        "supplier": _name_of(obj.get("supplier")) or _text(obj.get("supplier_name"), 200),
        "version": _version(obj),
        "deleted": bool(obj.get("deleted_at")),
    }


def customer_values(obj: dict, region: str = "US") -> dict:
    address = {}
    for key in ("address_1", "address_2", "city", "suburb", "state", "postcode", "country_id"):
        for kind in ("physical", "postal"):
            value = _text(obj.get(f"{kind}_{key}"), 200)
            if value and key not in address:
                address[key] = value
    phone = try_normalize_phone(obj.get("mobile"), region) or try_normalize_phone(obj.get("phone"), region)
    return {
        "customer_code": _text(obj.get("customer_code"), 100),
        "first_name": _text(obj.get("first_name"), 100) or "",
        "last_name": _text(obj.get("last_name"), 100) or "",
        "email": try_normalize_email(obj.get("email")),
        "phone": phone,
        "address": address,
        "version": _version(obj),
        "deleted": bool(obj.get("deleted_at")),
    }


# A stored POS address (X-Series' keys; R-Series' are stored under them too) as an account's address, the keys
# of schemas.AddressSchema, each cut to what that schema takes.
_ADDRESS_FIELDS = (("line1", ("address_1",), 200), ("line2", ("address_2",), 200), ("city", ("city", "suburb"), 100),
                   ("region", ("state",), 100), ("postal_code", ("postcode",), 20))


def account_address(stored: dict | None) -> dict | None:
    """The address to prefill a new account with, or None when the POS has none."""
    stored = stored if isinstance(stored, dict) else {}
    out = {}
    for key, sources, max_len in _ADDRESS_FIELDS:
        value = next((v for v in (_text(stored.get(s), max_len) for s in sources) if v), None)
        if value:
            out[key] = value
    if not out:
        return None
    country = _text(stored.get("country_id"), 200)  # a code (X-Series, R-Series' countryCode), or a country's name
    if country and len(country) == 2 and country.isalpha():
        out["country"] = country.upper()
    return out
