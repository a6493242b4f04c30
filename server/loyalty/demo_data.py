"""Demo data: a pet store's catalog, manufacturer programs, and customers in a few typical states.

The demo POS sells these products and lists these customers, so the programs' UPCs match its lines.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .domain.accounts import create_account
from .domain.programs import create_program
from .domain.redemptions import redeem_card
from .domain.reports import mark_credited
from .domain.sales import Options, commit_sale
from .programs import points_demo
from .models import Card, Program, clock_at, utcnow

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


def _sale(sale_id, customer_pos_id, items, account_id=None):
    lines = []
    for i, (pid, qty) in enumerate(items, 1):
        p = product(pid)
        lines.append({"line_id": str(i), "product_id": p["product_id"], "sku": p["sku"], "upc": p["upc"],
                      "name": p["name"], "quantity": Decimal(qty), "unit_price": p["unit_price"]})
    return {"pos": {"system": SYSTEM, "sale_id": sale_id, "store": "Main St", "register": "Register 1",
                    "return_for": None},
            "customer": {"pos_id": customer_pos_id}, "account_id": account_id, "lines": lines}


# Regular customers with a year of purchases (not POS customers of the demo sale screen): they fill the cards,
# the reports and the charts the way a store's first year does. (first, last, email, phone, program, product,
# purchases, extra account fields)
REGULARS = [
    ("Grace", "Kim", "grace.kim@example.com", "555-201-6060", "p-orijen-25", 13, {}),
    ("Oliver", "Brooks", "oliver.brooks@example.com", "555-201-2323", "p-farmina-26", 11, {"address": {
        "line1": "9 Birch Court", "city": "Portland", "region": "OR", "postal_code": "97210", "country": "US"}}),
    ("Hannah", "Novak", "hannah.novak@example.com", "555-201-8181", "p-lucy-25", 10, {}),
    ("Luis", "Ortega", "luis.ortega@example.com", "555-201-3737", "p-nwn-ch-5", 17, {}),
    ("Ruth", "Adeyemi", "ruth.adeyemi@example.com", "555-201-9494", "p-totw-hp-28", 12, {}),
    ("Mei", "Tanaka", "mei.tanaka@example.com", "555-201-5757", "p-acana-13", 5, {}),
    ("Ben", "Carter", "", "555-201-1212", "p-acana-25", 3, {}),
]
YEAR_DAYS = 360
CREDIT_AFTER_DAYS = 45  # distributors credit a claimed redemption after about six weeks


def history_day(days_ago: float, hour: int = 15) -> dt.datetime:
    """A moment ``days_ago`` days before now during store hours (naive UTC, as stored)."""
    day = utcnow() - dt.timedelta(days=days_ago)
    return day.replace(hour=hour, minute=(int(days_ago * 37) % 60), second=0, microsecond=0)


def load(actor: str = "demo") -> dict:
    """Create the demo programs and accounts with a year of history (idempotent: does nothing when programs
    exist). Every step runs at its own date through ``clock_at``, so punches, cards, expiry dates, redemptions
    and audit rows carry the dates a store's first year would have."""
    if Program.select().exists():
        return {"created": False}
    with clock_at(history_day(YEAR_DAYS + 10, hour=13)):
        for spec in PROGRAMS:
            create_program(dict(spec), actor)
        points_demo.create(actor)
    made: dict = {}
    for when, step in sorted(_history_steps(actor, made), key=lambda s: s[0]):
        with clock_at(when):
            step()
    points_demo.spread_history()
    return {"created": True, "accounts": [made["dana"].id, made["marcus"].id]}


def _history_steps(actor: str, made: dict) -> list:
    """(when, step) pairs: accounts opened and sales rung up over the past year, in any order (load sorts them)."""
    c = {x["pos_id"]: x for x in CUSTOMERS}
    opts = Options(actor=actor)
    reason = {"reason": "Stocking up", "note": None}

    def account(key, data):
        return lambda: made.__setitem__(key, create_account(data, actor))

    def sale(sale_id, pos_id, items, reasons=None, key=None):
        def run():
            commit_sale(_sale(sale_id, pos_id, items, made[key].id if key else None),
                        {str(_pid(p)): reason for p in (reasons or [])}, opts)
        return run

    steps = [
        (history_day(350), account("dana", {**_contact(c["c-1001"]), "sms_consent": True,
                                            "consent_source": "demo: in store",
                                            "link": {"system": SYSTEM, "customer_id": "c-1001"}})),
        (history_day(320), account("marcus", {**_contact(c["c-1002"]), "address": {
            "line1": "42 Alder Lane", "city": "Portland", "region": "OR", "postal_code": "97205", "country": "US"},
            "link": {"system": SYSTEM, "customer_id": "c-1002"}})),
        # Priya has an account (same email, typed differently) that is not linked yet: a candidate to Select.
        (history_day(200), account("priya", {"first_name": "Priya", "last_name": "Shah",
                                             "email": "priya.shah@example.com"})),
        # Two members of one household share a phone: a family.
        (history_day(150), account("ada", {"first_name": "Ada", "last_name": "Okafor", "phone": "555-201-4646"})),
        (history_day(149), account("chidi", {"first_name": "Chidi", "last_name": "Okafor",
                                             "phone": "(555) 201-4646"})),
    ]
    # Dana: 7 of 12 on her ACANA 25 lb card, about one bag every seven weeks.
    steps += [(history_day(340 - n * 50), sale(f"demo-hist-d{n}", "c-1001", [("p-acana-25", 1)]))
              for n in range(7)]
    # Marcus stocks up on Taste of the Wild (a reward available) and starts on Farmina.
    steps += [
        (history_day(300), sale("demo-hist-m1", "c-1002", [("p-totw-hp-28", 6), ("p-totw-ps-28", 2)],
                                ["Taste of the Wild 28 lb Club"])),
        (history_day(150), sale("demo-hist-m2", "c-1002", [("p-totw-hp-28", 4)], ["Taste of the Wild 28 lb Club"])),
        (history_day(60), sale("demo-hist-m3", "c-1002", [("p-farmina-26", 1)])),
    ]
    for first, last, email, phone, pid, purchases, extra in REGULARS:
        key = f"{first} {last}"
        steps += _regular_steps(key, first, last, email, phone, pid, purchases, extra, actor, made, account,
                                sale)
    return steps


def _regular_steps(key, first, last, email, phone, pid, purchases, extra, actor, made, account, sale):
    """A regular's account, one bag per visit spread evenly over the year, and each reward redeemed on the visit
    after the card filled up (the older ones already credited by the distributor)."""
    data = {"first_name": first, "last_name": last, "phone": phone, "email_consent": bool(email),
            "consent_source": "demo: in store", **extra}
    if email:
        data["email"] = email
    start = YEAR_DAYS - 5
    gap = (start - 3) / max(purchases, 1)
    steps = [(history_day(start + 1), account(key, data))]
    slug = last.lower()
    program = _program_for(pid)
    for n in range(purchases):
        days_ago = start - n * gap
        steps.append((history_day(days_ago, hour=14 + n % 6), sale(f"demo-hist-{slug}{n}", None, [(pid, 1)],
                                                                    key=key)))
        if (n + 1) % program["buy_quantity"] == 0:
            redeem_day = days_ago - min(gap / 2, 10)
            steps.append((history_day(redeem_day, hour=16), _redeem(key, pid, f"demo-hist-{slug}r{n}", actor, made)))
            if redeem_day > CREDIT_AFTER_DAYS + 10:
                steps.append((history_day(redeem_day - CREDIT_AFTER_DAYS, hour=12),
                              _credit(f"demo-hist-{slug}r{n}", actor, made)))
    return steps


def _redeem(key, pid, sale_id, actor, made):
    def run():
        card = Card.get((Card.account == made[key].id) & (Card.status == "complete"))
        p = product(pid)
        item = {"sku": p["sku"], "upc": p["upc"], "name": p["name"], "unit_price": p["unit_price"]}
        made.setdefault("redeemed", {})[sale_id] = redeem_card(card.id, {"system": SYSTEM, "sale_id": sale_id}, item,
                                                           actor).id
    return run


def _credit(sale_id, actor, made):
    return lambda: mark_credited([made["redeemed"][sale_id]], actor)


def _program_for(pid: str) -> dict:
    p = product(pid)
    for spec in PROGRAMS:
        if p["upc"] in spec.get("upcs", []) or p["sku"] in spec.get("skus", []):
            return spec
    raise KeyError(pid)


def _contact(c: dict) -> dict:
    return {k: c[k] for k in ("first_name", "last_name", "email", "phone") if c.get(k)}


def _pid(name: str) -> int:
    return Program.get(Program.name == name).id
