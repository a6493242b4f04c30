#!/usr/bin/env python3
"""A server's memory over 50,000 commits: the resident size (VmRSS) of a real `loyalty serve` every 5,000 commits.

Seeds a small database with scripts/bench.py's loader, starts `loyalty serve` (one process; with --workers N the
sum of its N app processes), and commits new sales from keep-alive clients, each sale with a random number of
lines (1 to --max-lines, some of them on products no program knows) so that the statements whose shape depends
on the sale (IN-lists, multi-row INSERTs) take many lengths. Reads /proc/<pid>/status after every --every commits
and prints markdown rows ready for docs/performance.md.

    .venv/bin/python scripts/bench_memory.py                                   # SQLite, 50,000 commits
    .venv/bin/python scripts/bench_memory.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python scripts/bench_memory.py --commits 10000 --every 1000      # a quick look
    .venv/bin/python scripts/bench_memory.py --python-heap --commits 6000 --every 1000

With --python-heap the commits go through the Flask test client in this process (one thread) under tracemalloc,
and each reading is what Python's own allocator holds beyond the first reading: flat there and growing in RSS
means the growth is outside Python's objects (SQLite's page caches, the C allocator).
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import seed  # noqa: E402
from bench_processes import HOST, commit_maker, load_average, start_server, stop_server  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def app_pids(server_pid: int, workers: int) -> list[int]:
    """The processes that serve requests: the server itself, or the supervisor's children."""
    if workers == 1:
        return [server_pid]
    with open(f"/proc/{server_pid}/task/{server_pid}/children") as f:
        return [int(pid) for pid in f.read().split()]


def commit_batch(port: int, token: str, make, count: int, clients: int) -> tuple[int, int]:
    """``count`` commits from ``clients`` keep-alive clients; (answered 200, other answers)."""
    left = iter(range(count))
    lock = threading.Lock()
    tally = {"ok": 0, "bad": 0}

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if next(left, None) is None:
                    return
                method, path, body = make()  # the generator's random state is not thread-safe
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            with lock:
                tally["ok" if resp.status == 200 else "bad"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally["ok"], tally["bad"]


def python_heap(url: str, token: str, make, commits: int, every: int):
    """Commits in this process under tracemalloc; prints the Python heap held since the first reading."""
    import gc
    import tracemalloc

    from bench import ROOT

    os.environ.setdefault("LOYALTY_INSTANCE", os.path.join(os.path.dirname(url[len("sqlite:///"):]) if
                                                           url.startswith("sqlite") else tempfile.mkdtemp()))
    sys.path.insert(0, os.path.join(ROOT, "server"))
    from loyalty import create_app
    from loyalty.migrations import upgrade

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade()  # the tables of the feature packages, as `loyalty serve` does
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def run(n):
        for _ in range(n):
            _, path, body = make()
            response = client.post(path, data=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)

    run(every)  # warm: what the first requests import and build
    tracemalloc.start()
    print("| commits | Python heap held since the first reading |\n| ---: | ---: |")
    for done in range(every, every + commits + 1, every):
        gc.collect()
        print(f"| {done:,} | {tracemalloc.get_traced_memory()[0] / 1024:.1f} KiB |", flush=True)
        if done < every + commits:
            run(every)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--accounts", type=int, default=5_000)
    ap.add_argument("--commits", type=int, default=50_000)
    ap.add_argument("--every", type=int, default=5_000, help="commits between two readings")
    ap.add_argument("--max-lines", type=int, default=40, help="a sale has 1 to this many lines")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1, help="app processes (loyalty serve --workers)")
    ap.add_argument("--port", type=int, default=5079)
    ap.add_argument("--python-heap", action="store_true", help="in this process, under tracemalloc (see above)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="loyalty-bench-memory-")
    url = args.db or "sqlite:///" + os.path.join(tmp, "bench.sqlite3")
    print(f"seeding {url.split('@')[-1]}")
    token = seed(url, args.accounts, 1)
    make = commit_maker(args.accounts, lines=lambda rng: rng.randint(1, args.max_lines), unknown=0.2)
    if args.python_heap:
        try:
            return python_heap(url, token, make, args.commits, args.every)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    started_load = load_average()
    server = start_server(url, args.port, args.workers, cwd=tmp)
    readings = []
    try:
        # One commit per client first: the first requests import and build what a server keeps for good.
        commit_batch(args.port, token, make, args.clients, args.clients)
        pids = app_pids(server.pid, args.workers)
        readings.append((0, sum(rss_kib(pid) for pid in pids), 0, 0.0))
        done, errors = 0, 0
        t0 = time.perf_counter()
        while done < args.commits:
            n = min(args.every, args.commits - done)
            t = time.perf_counter()
            ok, bad = commit_batch(args.port, token, make, n, args.clients)
            done, errors = done + ok + bad, errors + bad
            readings.append((done, sum(rss_kib(pid) for pid in pids), errors, n / (time.perf_counter() - t)))
            print(f"  {done:>7,} commits  RSS {readings[-1][1] / 1024:7.1f} MiB  {readings[-1][3]:5.0f} commits/s  "
                  f"errors {errors}", flush=True)
        wall = time.perf_counter() - t0
    finally:
        stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{done:,} commits of 1 to {args.max_lines} lines in {wall:.0f} s by {args.clients} clients, "
          f"{args.workers} process(es); load average (1/5/15 min) {started_load} at the start, {load_average()} at "
          f"the end; {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}\n")
    base = readings[1][1]
    print("| commits | RSS | since the first 5,000 | commits/s | errors |".replace("5,000", f"{args.every:,}"))
    print("| ---: | ---: | ---: | ---: | ---: |")
    for commits, kib, errs, rate in readings:
        since = "" if commits <= args.every else f"{(kib - base) / 1024:+.1f} MiB"
        print(f"| {commits:,} | {kib / 1024:.1f} MiB | {since} | {rate:.0f} | {errs} |")


if __name__ == "__main__":
    main()
