"""Demo data: a pet store's catalog, manufacturer programs, and customers in a few typical states.

The demo POS sells these products and lists these customers, so the programs' UPCs match its lines.
"""
from __future__ import annotations

from decimal import Decimal

from .domain.accounts import create_account
from .domain.programs import create_program
from .domain.sales import Options, commit_sale
from .programs import points_demo
from .models import Program

SYSTEM = "demo"

PRODUCTS = [
    # product_id, sku, upc, name, price
    ("p-acana-25", "ACA-WP-25", "064992523251", "ACANA Wild Prairie Dog Food 25 lb", "94.99"),
    ("p-acana-13", "ACA-WP-13", "064992523138", "ACANA Wild Prairie Dog Food 13 lb", "64.99"),
    ("p-acana-4", "ACA-WP-4", "064992523046", "ACANA Wild Prairie Dog Food 4 lb (trial)", "24.99"),
    ("p-orijen-25", "ORI-OR-25", "064992180256", "ORIJEN Original Dog Food 25 lb", "119.99"),
    ("p-farmina-26", "FAR-CP-26", "8010276030877", "Farmina N&D Chicken & Pomegranate 26.4 lb", "102.99"),
    ("p-totw-hp-28", "TOW-HP-28", "074198608331", "Taste of the Wild High Prairie 28 lb", "64.99"),
    ("p-totw-ps-28", "TOW-PS-28", "074198608355", "Taste of the Wild Pacific Stream 28 lb", "62.99"),
    ("p-lucy-25", "LUC-FL-25", "850002475066", "Lucy Pet Formulas for Life 25 lb", "79.99"),
    ("p-nwn-ch-5", "NWN-CH-5", "879606000014", "Northwest Naturals Raw Chicken 5 lb (frozen)", "34.99"),
    ("p-kong-m", "KON-CL-M", "035585111315", "KONG Classic Dog Toy, Medium", "12.99"),
    ("p-bags", "EAR-BAG-120", "812006020018", "Earth Rated Poop Bags, 120 ct", "9.99"),
    ("p-bulk-treats", "BULK-LIVER", None, "Freeze-dried liver treats (per lb)", "18.00"),
]

PROGRAMS = [
    {"name": "ACANA 25 lb Frequent Buyer", "manufacturer": "Champion Petfoods", "distributor": "Pet Food Experts",
     "buy_quantity": 12, "upcs": ["064992523251"], "reward_rule": "lesser_or_equal", "window_days": 730},
    {"name": "ACANA 13 lb Frequent Buyer", "manufacturer": "Champion Petfoods", "distributor": "Pet Food Experts",
     "buy_quantity": 12, "upcs": ["064992523138"], "reward_rule": "lesser_or_equal", "window_days": 730},
    {"name": "ORIJEN 25 lb Frequent Buyer", "manufacturer": "Champion Petfoods", "distributor": "Pet Food Experts",
     "buy_quantity": 12, "upcs": ["064992180256"], "reward_rule": "lesser_or_equal", "window_days": 730},
    {"name": "Farmina Buy 10 Get 1", "manufacturer": "Farmina Pet Foods", "distributor": "Phillips Pet",
     "buy_quantity": 10, "upcs": ["8010276030877"], "reward_rule": "lesser_or_equal", "requires": ["address"]},
    {"name": "Taste of the Wild 28 lb Club", "manufacturer": "Diamond Pet Foods", "distributor": "Phillips Pet",
     "buy_quantity": 12, "upcs": ["074198608331", "074198608355"], "reward_rule": "most_frequent",
     "window_days": 365},
    {"name": "Lucy Pet Buy 10", "manufacturer": "Lucy Pet Products", "distributor": "Animal Supply Co",
     "buy_quantity": 10, "upcs": ["850002475066"], "requires": ["email"]},
    {"name": "Northwest Naturals Frozen Raw", "manufacturer": "Northwest Naturals", "distributor": "Animal Supply Co",
     "buy_quantity": 8, "skus": ["NWN-CH-5"], "window_days": 365},
]

# POS customers of the demo store (what the demo sale screen can attach to a sale).
CUSTOMERS = [
    {"pos_id": "c-1001", "first_name": "Dana", "last_name": "Whitfield", "email": "dana.whitfield@example.com",
     "phone": "(555) 201-3344"},
    {"pos_id": "c-1002", "first_name": "Marcus", "last_name": "Lee", "email": "marcus.lee@example.com",
     "phone": "555-201-7788"},
    {"pos_id": "c-1003", "first_name": "Priya", "last_name": "Shah", "email": "Priya.Shah@example.com",
     "phone": "555 201 9090"},
    {"pos_id": "c-1004", "first_name": "Tomi", "last_name": "Okafor", "email": "",
     "phone": "+1 555 201 4646"},
    {"pos_id": "c-1005", "first_name": "Sam", "last_name": "Rivera", "email": "sam.rivera@example.com",
     "phone": "555-201-5151"},
]


def product(pid: str) -> dict:
    for p in PRODUCTS:
        if p[0] == pid:
            return {"product_id": p[0], "sku": p[1], "upc": p[2], "name": p[3], "unit_price": Decimal(p[4])}
    raise KeyError(pid)


def _sale(sale_id, customer_pos_id, items):
    lines = []
    for i, (pid, qty) in enumerate(items, 1):
        p = product(pid)
        lines.append({"line_id": str(i), "product_id": p["product_id"], "sku": p["sku"], "upc": p["upc"],
                      "name": p["name"], "quantity": Decimal(qty), "unit_price": p["unit_price"]})
    return {"pos": {"system": SYSTEM, "sale_id": sale_id, "store": "Main St", "register": "Register 1",
                    "return_for": None},
            "customer": {"pos_id": customer_pos_id}, "account_id": None, "lines": lines}


def load(actor: str = "demo") -> dict:
    """Create the demo programs and accounts (idempotent: does nothing when programs exist)."""
    if Program.select().exists():
        return {"created": False}
    for spec in PROGRAMS:
        create_program(dict(spec), actor)
    points_demo.create(actor)
    c = {x["pos_id"]: x for x in CUSTOMERS}
    dana = create_account({**_contact(c["c-1001"]), "sms_consent": True, "consent_source": "demo: in store",
                           "link": {"system": SYSTEM, "customer_id": "c-1001"}}, actor)
    marcus = create_account({**_contact(c["c-1002"]), "address": {
        "line1": "42 Alder Lane", "city": "Portland", "region": "OR", "postal_code": "97205", "country": "US"},
        "link": {"system": SYSTEM, "customer_id": "c-1002"}}, actor)
    # Priya has an account (same email, typed differently) that is not linked yet: a candidate to Select.
    create_account({"first_name": "Priya", "last_name": "Shah", "email": "priya.shah@example.com"}, actor)
    # Two members of one household share a phone: a family.
    create_account({"first_name": "Ada", "last_name": "Okafor", "phone": "555-201-4646"}, actor)
    create_account({"first_name": "Chidi", "last_name": "Okafor", "phone": "(555) 201-4646"}, actor)
    opts = Options(actor=actor)
    reason = {"reason": "Stocking up", "note": None}
    for n in range(7):
        commit_sale(_sale(f"demo-hist-d{n}", "c-1001", [("p-acana-25", 1)]), {}, opts)
    commit_sale(_sale("demo-hist-m1", "c-1002", [("p-totw-hp-28", 6), ("p-totw-ps-28", 2)]),
                {str(_pid("Taste of the Wild 28 lb Club")): reason}, opts)
    commit_sale(_sale("demo-hist-m2", "c-1002", [("p-totw-hp-28", 4)]),
                {str(_pid("Taste of the Wild 28 lb Club")): reason}, opts)
    commit_sale(_sale("demo-hist-m3", "c-1002", [("p-farmina-26", 1)]), {}, opts)
    points_demo.spread_history()
    return {"created": True, "accounts": [dana.id, marcus.id]}


def _contact(c: dict) -> dict:
    return {k: c[k] for k in ("first_name", "last_name", "email", "phone") if c.get(k)}


def _pid(name: str) -> int:
    return Program.get(Program.name == name).id
