#!/usr/bin/env python3
"""Benchmark the commit and resolve paths through the real WSGI server.

Loads N accounts (each linked to a POS customer, with punches from earlier sales) straight into the database,
starts `loyalty serve` (waitress) in a separate process, and drives it with concurrent keep-alive clients:
a trivial endpoint (the framework's ceiling), token auth, commits of a 5-line sale, resolve by email and by phone,
and a sale touching one punch program alone, then (once a points program is added, with a year of points history
per account) the same sale touching one punch and one points program, and last a fresh account against one with
500 completed cards and 5,000 points rows (commit and preview, one register).
Reports client latency, the server's own time (Server-Timing header), requests per second, the CPU a request
costs the server process (and PostgreSQL's backends serving it; from /proc, so on Linux), the ratios the
targets are about, and a markdown table for docs/performance.md.

    .venv/bin/python scripts/bench.py                              # SQLite, 100k accounts, 1M punches
    createdb -h 127.0.0.1 -U postgres bench_me                     # a database of its own: seeding drops its tables
    .venv/bin/python scripts/bench.py --db postgresql://postgres@127.0.0.1:5432/bench_me
    .venv/bin/python scripts/bench.py --db postgresql://postgres@127.0.0.1:5432/bench_me --register-async-commit
    .venv/bin/python scripts/bench.py --accounts 20000 --seconds 4  # the quick mode
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "server"))

PROGRAMS = 10
UPCS_PER_PROGRAM = 5
LINES_PER_SALE = 5


def upc(p, i):
    return f"{700000000000 + p * 100 + i}"


MARKER = "loyalty_bench_seeded"  # a table only this script creates: its database may be dropped again


def refuse_a_store_database(database):
    """Seeding drops every table of the loyalty schema first: do that only to an empty database or to one this
    script seeded, never to a store's (a URL copied from the server's settings by mistake)."""
    tables = set(database.get_tables())
    if tables and MARKER not in tables and "account" in tables:
        raise SystemExit(
            "refusing to seed: this database holds loyalty tables that scripts/bench.py did not create "
            "(a store's data?). Give --db a database of its own, e.g. createdb -h 127.0.0.1 -U postgres bench_me")


def seed(url: str, accounts: int, sales_per_account: int):
    """Bulk-load accounts, links, programs, sales, lines, cards and punches (LINES_PER_SALE punches a sale)."""
    from loyalty.auth import create_token
    from loyalty.db import database, init_database
    from loyalty.migrations import upgrade
    from loyalty.models import (Account, Card, PosLink, Program, ProgramCode, Punch, Sale, SaleLine,
                                drop_tables, utcnow)

    from loyalty import create_app

    create_app({"DATABASE_URL": url, "INIT_DATABASE": False})  # imports every feature's models: all their tables
    init_database(url)
    database.connect()
    refuse_a_store_database(database)
    drop_tables()
    database.execute_sql(f"CREATE TABLE IF NOT EXISTS {MARKER} (seeded_at TEXT)")
    upgrade()
    now = utcnow()
    t0 = time.perf_counter()
    with database.atomic():
        for p in range(PROGRAMS):
            prog = Program.create(name=f"Program {p}", manufacturer="M", distributor="D", buy_quantity=12,
                                  multi_purchase_threshold=1000)
            ProgramCode.insert_many([{"program": prog.id, "kind": "upc", "code": upc(p, i)}
                                     for i in range(UPCS_PER_PROGRAM)]).execute()
    batch = 2000
    sale_id = line_id = card_id = 0
    for start in range(0, accounts, batch):
        with database.atomic():
            ids = range(start + 1, min(start + batch, accounts) + 1)
            Account.insert_many([{
                "id": a, "first_name": f"First{a}", "last_name": f"Last{a}", "name_key": f"last{a} first{a}",
                "email": f"owner{a}@example.com", "phone": f"+1555{a:07d}", "created_at": now, "updated_at": now,
                "notes": ""} for a in ids]).execute()
            PosLink.insert_many([{"pos_system": "lightspeed-x", "pos_customer_id": f"c-{a}", "account": a,
                                  "linked_by": "bench", "linked_at": now} for a in ids]).execute()
            sales, lines, cards, punches = [], [], [], []
            for a in ids:
                programs_of_account = random.Random(a).sample(range(PROGRAMS), 2)
                card_ids = {}
                for p in programs_of_account:
                    card_id += 1
                    card_ids[p] = card_id
                    cards.append({"id": card_id, "account": a, "program": p + 1, "seq": 1, "status": "open",
                                  "punches": 0, "created_at": now, "first_punch_at": now})
                for s in range(sales_per_account):
                    sale_id += 1
                    sales.append({"id": sale_id, "pos_system": "lightspeed-x", "pos_sale_id": f"hist-{sale_id}",
                                  "account": a, "kind": "sale", "source": "register", "created_at": now,
                                  "updated_at": now})
                    for i in range(LINES_PER_SALE):
                        line_id += 1
                        p = programs_of_account[i % 2]
                        lines.append({"id": line_id, "sale": sale_id, "line_id": str(i + 1), "upc": upc(p, i % 5),
                                      "quantity": 1, "unit_price": "50.00"})
                        punches.append({"account": a, "program": p + 1, "card": card_ids[p], "kind": "purchase",
                                        "quantity": 1, "sale": sale_id, "line": line_id, "cause": line_id,
                                        "unit_price": "50.00", "upc": upc(p, i % 5), "actor": "bench",
                                        "needs_review": False, "created_at": now})
                for p, c in zip(programs_of_account, cards[-2:]):
                    # lines alternate between the two programs: ceil/floor of half the account's lines
                    total = sales_per_account * LINES_PER_SALE
                    c["punches"] = (total + 1) // 2 if p == programs_of_account[0] else total // 2
            for model, rows in ((Card, cards), (Sale, sales), (SaleLine, lines), (Punch, punches)):
                for i in range(0, len(rows), 1000):
                    model.insert_many(rows[i:i + 1000]).execute()
        print(f"\r  seeded {min(start + batch, accounts):,} accounts", end="", flush=True)
    from loyalty.db import is_postgres
    if is_postgres():  # explicit ids above: move the sequences past them
        for model in (Account, Card, Sale, SaleLine):
            t = model._meta.table_name
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")
    database.execute_sql("ANALYZE")
    punches_total = Punch.select().count()
    _, token = create_token("bench", "cashier")
    database.close()
    print(f"\n  {accounts:,} accounts, {punches_total:,} punches in {time.perf_counter() - t0:.0f} s")
    return token


def seed_points(url: str, accounts: int, rows_per_account: int = 4):
    """A points program (1 point per $1, 10 extra on a product, a reward) and a year of points history per
    account: earn rows spread over the last year and their balance cache."""
    import datetime as dt

    from loyalty.db import database, init_database
    from loyalty.models import Program, utcnow
    from loyalty.programs.points_models import PointsBalance, PointsEntry, PointsReward

    init_database(url)
    database.connect()
    now = utcnow()
    t0 = time.perf_counter()
    with database.atomic():
        program = Program.create(kind="points", name="Bench Points", buy_quantity=0, settings={
            "expiry_days": 365, "exclude_upcs": [], "exclude_skus": ["GIFT"],
            "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1"},
                           {"type": "item", "points": 10, "upcs": [upc(0, 0)], "skus": []}]})
        PointsReward.create(program=program.id, name="$5 off", cost=500, kind="amount_off", value="5.00")
    for start in range(0, accounts, 2000):
        with database.atomic():
            entries, balances = [], []
            for a in range(start + 1, min(start + 2000, accounts) + 1):
                for k in range(rows_per_account):
                    at = now - dt.timedelta(days=30 + k * 80)
                    entries.append({"account": a, "program": program.id, "kind": "earn", "points": 55,
                                    "actor": "bench", "key": f"bench:{a}:{k}", "created_at": at,
                                    "expires_at": at + dt.timedelta(days=365)})
                balances.append({"account": a, "program": program.id, "balance": 55 * rows_per_account,
                                 "lifetime_earned": 55 * rows_per_account, "updated_at": now})
            for i in range(0, len(entries), 1000):
                PointsEntry.insert_many(entries[i:i + 1000]).execute()
            PointsBalance.insert_many(balances).execute()
    database.execute_sql("ANALYZE")
    database.close()
    print(f"  points program added with {accounts * rows_per_account:,} ledger rows in "
          f"{time.perf_counter() - t0:.0f} s")


def commit_body(a: int, sale_id: str) -> str:
    """A new 5-line sale of seeded account ``a``, its lines on the account's two programs (each line punches)."""
    programs = random.Random(a).sample(range(PROGRAMS), 2)
    lines = [{"line_id": str(i + 1), "upc": upc(programs[i % 2], i % 5), "name": "Bag", "quantity": "1",
              "unit_price": "54.99"} for i in range(LINES_PER_SALE)]
    sale = {"pos": {"system": "lightspeed-x", "sale_id": sale_id}, "customer": {"pos_id": f"c-{a}"},
            "lines": lines}
    return json.dumps({"sale": sale})


HISTORY_CARDS = 500  # completed (and redeemed) cards of the history account
HISTORY_POINTS_ROWS = 5000


def seed_history(url: str):
    """Two more accounts for the "history vs fresh" rows: a fresh one (no cards, no points yet) and one with a long
    history in the same two programs: HISTORY_CARDS completed cards (each redeemed, 12 punches from sales), an open
    card, and HISTORY_POINTS_ROWS points ledger rows. Returns their POS customer ids (fresh, history)."""
    import datetime as dt

    from loyalty.db import database, init_database
    from loyalty.models import Account, Card, PosLink, Program, Punch, Redemption, Sale, SaleLine, utcnow
    from loyalty.programs.points_models import PointsBalance, PointsEntry

    init_database(url)
    database.connect()
    now = utcnow()
    t0 = time.perf_counter()
    points = Program.get_or_none(Program.kind == "points")
    punch_programs = [p.id for p in Program.select().where(Program.kind == "punch").order_by(Program.id).limit(2)]
    with database.atomic():
        ids = {}
        for who in ("fresh", "history"):
            acc = Account.create(first_name=who.title(), last_name="Bench", name_key=f"bench {who}",
                                 email=f"{who}@example.com", created_at=now, updated_at=now, notes="")
            PosLink.create(pos_system="lightspeed-x", pos_customer_id=f"c-{who}", account=acc.id, linked_by="bench",
                           linked_at=now)
            ids[who] = acc.id
        a = ids["history"]
        seq = {pid: 0 for pid in punch_programs}
        for k in range(HISTORY_CARDS):
            pid = punch_programs[k % 2]
            seq[pid] += 1
            at = now - dt.timedelta(days=HISTORY_CARDS - k)
            card = Card.create(account=a, program=pid, seq=seq[pid], status="redeemed", punches=12, created_at=at,
                               first_punch_at=at, completed_at=at, redeemed_at=at)
            sale = Sale.create(pos_system="lightspeed-x", pos_sale_id=f"history-{k}", account=a, created_at=at,
                               updated_at=at)
            lines, punches = [], []
            for i in range(6):
                lines.append(SaleLine.create(sale=sale.id, line_id=str(i + 1), upc=upc(pid - 1, i % 5),
                                             quantity=2, unit_price="50.00").id)
            Punch.insert_many([{"account": a, "program": pid, "card": card.id, "kind": "purchase", "quantity": 2,
                                "sale": sale.id, "line": line, "cause": line, "unit_price": "50.00",
                                "upc": upc(pid - 1, 0), "actor": "bench", "created_at": at}
                               for line in lines]).execute()
            Redemption.create(card=card.id, account=a, program=pid, pos_system="lightspeed-x",
                              pos_sale_id=f"history-{k}", item_upc=upc(pid - 1, 0), max_value="50.00", actor="bench",
                              created_at=at)
        for pid in punch_programs:
            Card.create(account=a, program=pid, seq=seq[pid] + 1, status="open", punches=0, created_at=now)
        if points is not None:
            rows = [{"account": a, "program": points.id, "kind": "earn", "points": 10, "actor": "bench",
                     "key": f"history:{a}:{k}", "created_at": now - dt.timedelta(hours=HISTORY_POINTS_ROWS - k),
                     "expires_at": now + dt.timedelta(days=30)} for k in range(HISTORY_POINTS_ROWS)]
            for i in range(0, len(rows), 1000):
                PointsEntry.insert_many(rows[i:i + 1000]).execute()
            PointsBalance.insert(account=a, program=points.id, balance=10 * HISTORY_POINTS_ROWS,
                                 lifetime_earned=10 * HISTORY_POINTS_ROWS, updated_at=now).execute()
    database.execute_sql("ANALYZE")
    database.close()
    print(f"  a fresh account and a history account ({HISTORY_CARDS} completed cards, {HISTORY_POINTS_ROWS:,} "
          f"points rows) in {time.perf_counter() - t0:.0f} s")
    return "c-fresh", "c-history"


def register_request(kind: str, pos_customer_id: str, sale_id: str):
    """(path, body) of a preview or commit of a 5-line sale on the first two punch programs (and points)."""
    lines = [{"line_id": str(i + 1), "upc": upc(i % 2, i % 5), "name": "Bag", "quantity": "1",
              "unit_price": "54.99"} for i in range(LINES_PER_SALE)]
    sale = {"pos": {"system": "lightspeed-x", "sale_id": sale_id}, "customer": {"pos_id": pos_customer_id},
            "lines": lines}
    return f"/api/v1/sales/{kind}", json.dumps({"sale": sale})


class Client(threading.Thread):
    def __init__(self, host, port, token, make_request, stop_at, out):
        super().__init__(daemon=True)
        self.host, self.port, self.token = host, port, token
        self.make_request, self.stop_at, self.out = make_request, stop_at, out

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while time.perf_counter() < self.stop_at:
            method, path, body = self.make_request()
            t = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            elapsed = (time.perf_counter() - t) * 1000
            timing = resp.getheader("Server-Timing", "app;dur=nan").split("dur=")[1]
            self.out.append((resp.status, elapsed, float(timing)))


class CpuMeter:
    """CPU time (user + system, from /proc) of the server process and, on PostgreSQL, of the database's backends
    serving it: per request, steadier than latency on a shared machine, and what the 8-client rows cost more of."""

    def __init__(self, server_pid: int, url: str):
        self.server_pid, self.url = server_pid, url

    @staticmethod
    def _cpu(pid) -> float:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # no /proc (not Linux), or a backend that ended
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _backends(self) -> list[int]:
        if not self.url.startswith("postgres"):
            return []
        import psycopg2
        from urllib.parse import urlparse

        conn = psycopg2.connect(self.url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                        (urlparse(self.url).path.lstrip("/"),))
            return [pid for pid, in cur.fetchall()]
        finally:
            conn.close()

    def sample(self) -> dict:
        return {"server": self._cpu(self.server_pid), "db": {pid: self._cpu(pid) for pid in self._backends()}}

    @staticmethod
    def per_request(before: dict, after: dict, requests: int) -> tuple[float, float]:
        """(server ms, database ms) of CPU per request between two samples (a backend that started between them
        counts from zero)."""
        if not requests:
            return float("nan"), float("nan")
        server = (after["server"] - before["server"]) * 1000 / requests
        db = sum(cpu - before["db"].get(pid, 0.0) for pid, cpu in after["db"].items()) * 1000 / requests
        return server, db


METER: CpuMeter | None = None  # set by main() once the server runs


def metered(rows_of_load):
    """Run ``rows_of_load()`` (a list of summarize() rows) and add each row's CPU per request (for rows run
    together, the same figure: their requests' CPU over all of them)."""
    before = METER.sample() if METER else None
    rows = rows_of_load()
    if METER:
        server, db = CpuMeter.per_request(before, METER.sample(), sum(r["requests"] + r["errors"] for r in rows))
        for r in rows:
            r["cpu_server"], r["cpu_db"] = server, db
            print(f"  {'':<28} CPU a request: server {server:.2f} ms" + (f", database {db:.2f} ms" if
                                                                             METER.url.startswith("postgres") else ""))
    return rows


def run_load(name, host, port, token, make_request, clients, seconds):
    return metered(lambda: [_run_load(name, host, port, token, make_request, clients, seconds)])[0]


def _run_load(name, host, port, token, make_request, clients, seconds):
    results = []
    stop_at = time.perf_counter() + seconds
    threads = [Client(host, port, token, make_request, stop_at, results) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarize(name, results, time.perf_counter() - t0)


def run_alternating(names, host, port, token, makers, seconds):
    """One client sending each kind of request in turn (``makers``, one row each in ``names``): the machine's
    load falls on every kind alike, so their ratio holds even when the absolute figures drift."""
    results, kinds = [], []
    turn = iter(range(10**9))

    def make():
        k = next(turn) % len(makers)
        kinds.append(k)
        return makers[k]()

    def load():
        stop_at = time.perf_counter() + seconds
        client = Client(host, port, token, make, stop_at, results)
        t0 = time.perf_counter()
        client.start()
        client.join()
        wall = time.perf_counter() - t0
        return [summarize(name, [r for r, k in zip(results, kinds) if k == i], wall)
                for i, name in enumerate(names)]

    return metered(load)


def summarize(name, results, wall):
    ok = [r for r in results if r[0] < 400]
    bad = len(results) - len(ok)
    lat = sorted(r[1] for r in ok)
    srv = sorted(r[2] for r in ok)

    def pct(xs, q):
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")

    row = {"name": name, "requests": len(ok), "errors": bad, "per_s": len(ok) / wall,
           "p50": pct(lat, 0.50), "p99": pct(lat, 0.99), "srv_p50": pct(srv, 0.50), "srv_p99": pct(srv, 0.99),
           "max": lat[-1] if lat else float("nan")}
    print(f"  {name:<28} {row['per_s']:8.0f}/s  client p50 {row['p50']:6.2f} ms  p99 {row['p99']:7.2f} ms   "
          f"server p50 {row['srv_p50']:5.2f} ms  p99 {row['srv_p99']:6.2f} ms  errors {bad}")
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--sales-per-account", type=int, default=2, help="each sale punches 5 times")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--port", type=int, default=5077)
    ap.add_argument("--register-async-commit", action="store_true",
                    help="PostgreSQL: serve with LOYALTY_REGISTER_SYNCHRONOUS_COMMIT=off (commits do not wait for "
                         "the WAL flush; see docs/performance.md)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="loyalty-bench-")
    url = args.db or "sqlite:///" + os.path.join(tmp, "bench.sqlite3")
    print(f"seeding {url.split('@')[-1]}")
    token = seed(url, args.accounts, args.sales_per_account)

    env = dict(os.environ, LOYALTY_DATABASE_URL=url, PYTHONPATH=os.path.join(ROOT, "server"),
               LOYALTY_REGISTER_SYNCHRONOUS_COMMIT="off" if args.register_async_commit else "on")
    server = subprocess.Popen([sys.executable, "-m", "loyalty.cli", "serve", "--port", str(args.port),
                               "--threads", str(args.threads)], env=env, cwd=tmp,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    global METER
    METER = CpuMeter(server.pid, url)
    host = "127.0.0.1"
    for _ in range(600):  # a busy machine may take a while to start it
        try:
            c = http.client.HTTPConnection(host, args.port, timeout=1)
            c.request("GET", "/api/v1/health")
            c.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    rng = random.Random(7)
    n = args.accounts
    counter = iter(range(10**9))

    def commit_request():
        return "POST", "/api/v1/sales/commit", commit_body(rng.randint(1, n), f"bench-{os.getpid()}-{next(counter)}")

    def one_punch_request():
        a = rng.randint(1, n)
        program = random.Random(a).sample(range(PROGRAMS), 2)[0]
        lines = [{"line_id": str(i + 1), "upc": upc(program, i % 5), "name": "Bag", "quantity": "1",
                  "unit_price": "54.99"} for i in range(2)]
        sale = {"pos": {"system": "lightspeed-x", "sale_id": f"bench-{os.getpid()}-{next(counter)}"},
                "customer": {"pos_id": f"c-{a}"}, "lines": lines}
        return "POST", "/api/v1/sales/commit", json.dumps({"sale": sale})

    def resolve_request(by):
        def make():
            a = rng.randint(1, n)
            customer = {"pos_id": f"new-{a}", "first_name": "X", "last_name": "Y"}
            customer[by] = f"owner{a}@example.com" if by == "email" else f"(555) {a // 10000:03d}-{a % 10000:04d}"
            return "POST", "/api/v1/customers/resolve", json.dumps({"pos": {"system": "lightspeed-x"},
                                                                    "customer": customer})
        return make

    print(f"load: {args.clients} concurrent keep-alive clients, {args.seconds:g} s each, waitress "
          f"{args.threads} threads, {os.cpu_count()} cores")
    rows = []
    try:
        rows.append(run_load("GET /health (no db)", host, args.port, token,
                             lambda: ("GET", "/api/v1/health", None), args.clients, args.seconds))
        rows.append(run_load("GET /me (token lookup)", host, args.port, token,
                             lambda: ("GET", "/api/v1/me", None), args.clients, args.seconds))
        rows.append(run_load("POST /sales/commit (5 lines)", host, args.port, token, commit_request,
                             args.clients, args.seconds))
        # One register at a time: the server's own time without queueing behind other writers.
        rows.append(run_load("  same, 1 client", host, args.port, token, commit_request, 1, args.seconds / 2))
        rows.append(run_load("POST /customers/resolve email", host, args.port, token, resolve_request("email"),
                             args.clients, args.seconds))
        rows.append(run_load("POST /customers/resolve phone", host, args.port, token, resolve_request("phone"),
                             args.clients, args.seconds))
        rows.append(run_load("  resolve email, 1 client", host, args.port, token, resolve_request("email"), 1,
                             args.seconds / 2))
        # One program kind, then two: the same one-client commit before and after a points program exists.
        rows.append(run_load("commit 1 punch, 1 client", host, args.port, token, one_punch_request, 1,
                             args.seconds / 2))
        seed_points(url, n)
        rows.append(run_load("commit 1 punch + points, 1 cl.", host, args.port, token, one_punch_request, 1,
                             args.seconds / 2))
        # Flat in history: the same sale for a fresh account and for one with years of cards and points rows.
        fresh, history = seed_history(url)
        for kind in ("commit", "preview"):  # the two accounts in turn, one register
            makers = [lambda kind=kind, customer=customer: ("POST",) + register_request(
                kind, customer, f"bench-{os.getpid()}-{next(counter)}") for customer in (fresh, history)]
            rows += run_alternating([f"{kind}, fresh account, 1 cl.", f"{kind}, history account, 1 cl."], host,
                                    args.port, token, makers, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    by_name = {r["name"]: r for r in rows}
    health = by_name["GET /health (no db)"]
    commits, one_punch = by_name["POST /sales/commit (5 lines)"], by_name["commit 1 punch, 1 client"]
    notes = [f"commit throughput (8 clients) is {commits['per_s'] / health['per_s']:.0%} of GET /health's in the "
             "same run (targets: 25% SQLite, 20% PostgreSQL)",
             f"punch + points server p50 is "
             f"{by_name['commit 1 punch + points, 1 cl.']['srv_p50'] / one_punch['srv_p50']:.2f}x "
             "the punch-only one (target: at most 1.2x)"]
    for kind in ("commit", "preview"):
        history, fresh = by_name[f"{kind}, history account, 1 cl."], by_name[f"{kind}, fresh account, 1 cl."]
        ratio = history["srv_p50"] / fresh["srv_p50"]
        notes.append(f"{kind}: history account server p50 is {ratio:.2f}x the fresh account's (target: at most 1.2x)")
    for note in notes:
        print(note)
    print()
    print(markdown(rows, url, args, notes))
    return rows


def markdown(rows, url, args, notes) -> str:
    """The figures as a table for docs/performance.md."""
    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    sync = ", register commits with synchronous_commit off" if args.register_async_commit and db == "PostgreSQL" \
        else ""
    out = [f"{db}{sync}, {args.accounts:,} accounts, {args.clients} clients unless noted, {args.seconds:g} s a row "
           "(1-client rows half that)", "",
           "| row | req/s | client p50 | client p99 | server p50 | server p99 | server CPU/req | db CPU/req |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        db_cpu = f"{r.get('cpu_db', float('nan')):.2f} ms" if db == "PostgreSQL" else "-"
        out.append(f"| {r['name'].strip()} | {r['per_s']:.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | "
                   f"{r['srv_p50']:.2f} ms | {r['srv_p99']:.2f} ms | {r.get('cpu_server', float('nan')):.2f} ms | "
                   f"{db_cpu} |" + (f" ({r['errors']} errors)" if r["errors"] else ""))
    out.append("")
    out += [f"- {note}" for note in notes]
    return "\n".join(out)


if __name__ == "__main__":
    main()
