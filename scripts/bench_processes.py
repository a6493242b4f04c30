#!/usr/bin/env python3
"""Commits through `loyalty serve --workers N`: one process against several, on the same seeded database.

Seeds the database once with scripts/bench.py's loader, then for each process count starts `loyalty serve
--workers N` and drives it with scripts/bench.py's keep-alive clients: GET /health, 8 clients committing 5-line
sales, then one client. Prints each row as it runs and, at the end, markdown rows ready for docs/performance.md
(with the load average, since figures on a shared machine move with it).

    .venv/bin/python scripts/bench_processes.py                                # SQLite, 20k accounts, 1 and 2
    .venv/bin/python scripts/bench_processes.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python scripts/bench_processes.py --processes 1,2,4 --seconds 10
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import LINES_PER_SALE, PROGRAMS, ROOT, run_load, seed, upc  # noqa: E402

HOST = "127.0.0.1"


def start_server(url: str, port: int, workers: int = 1, threads: int = 8, cwd: str | None = None):
    """`loyalty serve --workers N` on ``url`` in its own process; returns the Popen once /health answers."""
    env = dict(os.environ, LOYALTY_DATABASE_URL=url, PYTHONPATH=os.path.join(ROOT, "server"))
    proc = subprocess.Popen([sys.executable, "-m", "loyalty.cli", "serve", "--port", str(port), "--threads",
                             str(threads), "--workers", str(workers)], env=env, cwd=cwd or tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120  # a busy machine may take a while to start it
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"loyalty serve exited: {proc.stderr.read().decode()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=1)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("loyalty serve did not answer within 120 s")


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def commit_maker(accounts: int, seed_value: int = 7, lines=lambda rng: LINES_PER_SALE, unknown: float = 0.0):
    """A make_request for bench.run_load: a new sale of a random seeded customer, ``lines(rng)`` lines on the
    account's two programs (every line punches), except a share ``unknown`` of lines on products no program
    knows."""
    rng = random.Random(seed_value)
    counter = iter(range(10**9))
    tag = f"{os.getpid()}-{time.time_ns()}"

    def make():
        a = rng.randint(1, accounts)
        programs = random.Random(a).sample(range(PROGRAMS), 2)
        body = [{"line_id": str(i + 1), "upc": upc(programs[i % 2], i % 5) if rng.random() >= unknown else
                 f"8{rng.randrange(10**11):011d}", "name": "Bag", "quantity": "1", "unit_price": "54.99"}
                for i in range(lines(rng))]
        sale = {"pos": {"system": "lightspeed-x", "sale_id": f"bench-{tag}-{next(counter)}"},
                "customer": {"pos_id": f"c-{a}"}, "lines": body}
        return "POST", "/api/v1/sales/commit", json.dumps({"sale": sale})

    return make


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def markdown_rows(results) -> str:
    out = ["| processes | row | req/s | client p50 | client p99 | client max | server p50 | server p99 | errors |",
           "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for workers, row in results:
        out.append(f"| {workers} | {row['name'].strip()} | {row['per_s']:.0f} | {row['p50']:.2f} ms | "
                   f"{row['p99']:.2f} ms | {row['max']:.0f} ms | {row['srv_p50']:.2f} ms | {row['srv_p99']:.2f} ms | {row['errors']} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--sales-per-account", type=int, default=2, help="each sale punches 5 times")
    ap.add_argument("--processes", default="1,2", help="process counts to compare, e.g. 1,2,4")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads in each process")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--port", type=int, default=5078)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="loyalty-bench-processes-")
    url = args.db or "sqlite:///" + os.path.join(tmp, "bench.sqlite3")
    print(f"seeding {url.split('@')[-1]}")
    token = seed(url, args.accounts, args.sales_per_account)
    started_load = load_average()
    results = []
    try:
        for workers in [int(n) for n in args.processes.split(",")]:
            server = start_server(url, args.port, workers, args.threads, cwd=tmp)
            print(f"loyalty serve --workers {workers}: {args.clients} keep-alive clients, {args.seconds:g} s a row, "
                  f"{args.threads} threads a process, {os.cpu_count()} cores")
            try:
                def row(name, make, clients, seconds):
                    results.append((workers, run_load(name, HOST, args.port, token, make, clients, seconds)))

                row("GET /health (no db)", lambda: ("GET", "/api/v1/health", None), args.clients, args.seconds)
                row("POST /sales/commit (5 lines)", commit_maker(args.accounts, workers), args.clients,
                    args.seconds)
                row("same, 1 client", commit_maker(args.accounts, 100 + workers), 1, args.seconds / 2)
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload average (1/5/15 min): {started_load} at the start, {load_average()} at the end; "
          f"{os.cpu_count()} cores; {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, "
          f"{args.accounts:,} accounts\n")
    print(markdown_rows(results))
    return results


if __name__ == "__main__":
    main()
