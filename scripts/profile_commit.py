#!/usr/bin/env python3
"""In-process cost of the register's commit and preview: no HTTP, no threads, so it is steady on a busy machine.

Seeds a database the way scripts/bench.py does (a points program with its history included), adds a *fresh*
account (nothing yet) and a *history* account (500 completed and redeemed cards, ~6,000 punches, 5,000 points
ledger rows), then drives the Flask test client in this process and reports, per request kind, the median CPU
time (``time.process_time``), the median wall time and the number of SQL statements:

    .venv/bin/python scripts/profile_commit.py                          # SQLite
    .venv/bin/python scripts/profile_commit.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python scripts/profile_commit.py --profile commit         # + cProfile of bench.py's commits

Instruction counts (steady even on a loaded machine): seed once into a file, then run one kind of request
under callgrind twice with different counts; the difference divided by the extra requests is the cost of one
(the seeded file is copied first, so both runs start from the same database):

    .venv/bin/python scripts/profile_commit.py --keep /tmp/prof.sqlite3 --only "commit, random account" -n 10
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python scripts/profile_commit.py \
        --keep /tmp/prof.sqlite3 --only "commit, random account" -n 10      # and again with -n 110
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import shutil
import random
import statistics
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "server"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None)
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("-n", type=int, default=200, help="requests of each kind")
    ap.add_argument("--profile", choices=["commit", "preview", "history-commit"], default=None,
                    help="commit: bench.py's 5-line commit of a random seeded account")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--keep", metavar="PATH", help="SQLite file: seeded once, copied for each run")
    ap.add_argument("--only", metavar="LABEL", help='one kind of request, e.g. "commit, random account"')
    args = ap.parse_args()

    from loyalty import create_app  # every feature's tables registered before seeding creates them
    from loyalty.db import database

    tmp = tempfile.mkdtemp(prefix="loyalty-prof-")
    url = args.db or "sqlite:///" + os.path.join(tmp, "prof.sqlite3")
    if args.keep and os.path.exists(args.keep):
        shutil.copy(args.keep, os.path.join(tmp, "prof.sqlite3"))
        with open(args.keep + ".token") as f:
            token = f.read()
        fresh, history = "c-fresh", "c-history"
    else:
        token = bench.seed(url, args.accounts, 2)
        bench.seed_points(url, args.accounts)
        fresh, history = bench.seed_history(url)
        if args.keep:
            shutil.copy(os.path.join(tmp, "prof.sqlite3"), args.keep)
            with open(args.keep + ".token", "w") as f:
                f.write(token)

    app = create_app({"DATABASE_URL": url})
    from loyalty.models import create_tables

    database.connect(reuse_if_open=True)
    create_tables()  # the tables of modules create_app imported
    database.close()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    statements = [0]
    db = database.obj
    real = db.execute_sql

    def counting(*a, **kw):
        statements[0] += 1
        if os.environ.get("PROFILE_SQL"):  # print each statement (run with -n 1 --only ...)
            print("SQL:", a[0][:300])
        return real(*a, **kw)

    db.execute_sql = counting
    counter = iter(range(10**9))

    rng = random.Random(7)

    def one(kind, customer, profile=None):
        if kind == "random-commit":
            path = "/api/v1/sales/commit"
            body = bench.commit_body(rng.randint(1, args.accounts), f"prof-{next(counter)}")
        else:
            path, body = bench.register_request(kind, customer, f"prof-{next(counter)}")
        statements[0] = 0
        c0, w0 = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        resp = client.post(path, data=body, headers=headers)
        if profile is not None:
            profile.disable()
        c1, w1 = time.process_time(), time.perf_counter()
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        return (c1 - c0) * 1000, (w1 - w0) * 1000, statements[0], len(resp.get_data())

    def run(pairs, n, profile=None):
        """``pairs`` [(label, kind, customer)] interleaved, n times each: the machine's load hits all alike."""
        got = {label: [] for label, _, _ in pairs}
        for _ in range(n):
            for label, kind, customer in pairs:
                got[label].append(one(kind, customer, profile))
        return {label: tuple(statistics.median(x[i] for x in rows) for i in range(4)) for label, rows in got.items()}

    pairs = [(f"{kind}, {who} account", kind, customer) for kind in ("commit", "preview")
             for who, customer in (("fresh", fresh), ("history", history))]
    pairs.append(("commit, random account", "random-commit", None))
    if args.only:
        pairs = [p for p in pairs if p[0] == args.only]
    run(pairs, 5 if args.only else 20)  # warm caches
    results = run(pairs, args.n)
    print(f"\n{'in-process, 1 thread':<26} {'cpu p50':>9} {'wall p50':>9} {'statements':>10} {'answer':>8}")
    for label, (cpu, wall, stmts, size) in results.items():
        print(f"{label:<26} {cpu:7.2f} ms {wall:6.2f} ms {stmts:10.0f} {size:7.0f} B")
    for kind in ("commit", "preview") if not args.only else ():
        ratio = results[f"{kind}, history account"][0] / results[f"{kind}, fresh account"][0]
        print(f"{kind}: history / fresh CPU = {ratio:.2f}x")
    if args.profile:
        kind, customer = {"commit": ("random-commit", None), "preview": ("preview", fresh),
                          "history-commit": ("commit", history)}[args.profile]
        prof = cProfile.Profile()
        run([(kind, kind, customer)], args.n, prof)
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        if os.environ.get("PROFILE_CALLERS"):  # e.g. PROFILE_CALLERS=phonenumberutil: who calls those
            stats.print_callers(os.environ["PROFILE_CALLERS"])


if __name__ == "__main__":
    main()
