"""R-Series objects (API V3 shapes: every value a string, one-element lists as the element) turned into the
values of the shared catalog and customer rows."""
from __future__ import annotations

from ...domain.contacts import try_normalize_email, try_normalize_phone
from .client import as_list

# Which of an Item's codes a manufacturer's program most likely lists first.
ITEM_CODES = ("upc", "ean", "customSku", "manufacturerSku")
# A customer's phones, best first for reaching the person (and for matching).
PHONE_PREFERENCE = ("Mobile", "Home", "Work", "Fax", "Pager")


def _text(value, max_len: int) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    value = str(value).strip()
    return value[:max_len] or None


def _true(value) -> bool:
    return str(value).strip().lower() == "true"


def item_values(obj: dict) -> dict:
    """UPC and EAN are barcodes; the custom SKU is the store's own code and the manufacturer SKU the maker's.
    All of them go in ``barcodes`` (a program's code list may name any); ``sku`` is the custom SKU, else the
    manufacturer's, else R-Series' own system SKU."""
    codes = [_text(obj.get(key), 64) for key in ITEM_CODES]
    barcodes = list(dict.fromkeys(code for code in codes if code))
    upc = _text(obj.get("upc"), 64) or _text(obj.get("ean"), 64)
    return {
        "sku": _text(obj.get("customSku"), 64) or _text(obj.get("manufacturerSku"), 64)
        or _text(obj.get("systemSku"), 64),
        "upc": upc or (barcodes[0] if barcodes else None),
        "barcodes": barcodes,
        "name": _text(obj.get("description"), 300) or "",
        "variant_name": None,
        "brand": _text((obj.get("Manufacturer") or {}).get("name") if isinstance(obj.get("Manufacturer"), dict)
                       else None, 200),
        "supplier": None,
        "version": None,
        "deleted": _true(obj.get("archived")),
    }


def contact_of(obj: dict) -> dict:
    contact = obj.get("Contact")
    return contact if isinstance(contact, dict) else {}


def emails_of(obj: dict) -> list:
    emails = contact_of(obj).get("Emails")
    found = as_list(emails.get("ContactEmail")) if isinstance(emails, dict) else []
    primary = [e for e in found if str(e.get("useType")) == "Primary"]
    return [e.get("address") for e in primary + [e for e in found if e not in primary] if e.get("address")]


def phones_of(obj: dict) -> list:
    phones = contact_of(obj).get("Phones")
    found = as_list(phones.get("ContactPhone")) if isinstance(phones, dict) else []
    rank = {kind: i for i, kind in enumerate(PHONE_PREFERENCE)}
    return [p.get("number") for p in sorted(found, key=lambda p: rank.get(str(p.get("useType")), 99))
            if p.get("number")]


def customer_values(obj: dict, region: str = "US") -> dict:
    addresses = contact_of(obj).get("Addresses")
    address = as_list(addresses.get("ContactAddress"))[:1] if isinstance(addresses, dict) else []
    address = address[0] if address else {}
    phone = next((p for p in (try_normalize_phone(n, region) for n in phones_of(obj)) if p), None)
    email = next((e for e in (try_normalize_email(a) for a in emails_of(obj)) if e), None)
    return {
        "customer_code": None,
        "first_name": _text(obj.get("firstName"), 100) or "",
        "last_name": _text(obj.get("lastName"), 100) or "",
        "email": email,
        "phone": phone,
        # X-Series' address keys, so an R-Series customer is stored as an X-Series one is.
        "address": {k: v for k, v in (("address_1", _text(address.get("address1"), 200)),
                                      ("address_2", _text(address.get("address2"), 200)),
                                      ("city", _text(address.get("city"), 200)),
                                      ("state", _text(address.get("state"), 200)),
                                      ("postcode", _text(address.get("zip"), 200)),
                                      ("country_id", _text(address.get("countryCode") or address.get("country"),
                                                           200))) if v},
        "version": None,
        "deleted": _true(obj.get("archived")),
    }
