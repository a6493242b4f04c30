#!/usr/bin/env python3
"""What PostgreSQL does with a register's commit: the WAL flush, each statement's planning against its execution,
the statements as text against the same prepared, and bench.py's commit through the app with the CPU of the
backend serving it (read from /proc, so run it on the database's machine, as root or as the database's user).

    .venv/bin/python scripts/pg_statement_cost.py --db postgresql://postgres@127.0.0.1:5432/bench_<you>
    .venv/bin/python scripts/pg_statement_cost.py --no-seed --fk-cost --db ...   # + what the FK checks cost

Seeds the database as profile_commit.py does (2,000 accounts; ``--no-seed`` keeps what an earlier run left),
captures one commit's statements and parameters through the Flask test client, then replays them in transactions
that are rolled back. The app's own statements go through ``loyalty.pg_statements`` (prepared from their second
sending); the replay sends them itself, once as text and once as ``EXECUTE`` of a ``PREPARE``, interleaved.
"""
from __future__ import annotations

import argparse
import datetime as dt
import decimal
import os
import random
import re
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "server"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench  # noqa: E402


def backend_cpu_ms(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def wal_flush(conn, n: int):
    cur = conn.cursor()
    # not a TEMP table: those write no WAL, so their COMMIT flushes nothing
    cur.execute('CREATE TABLE IF NOT EXISTS "flush_probe" ("id" serial PRIMARY KEY, "v" integer)')
    for sync in ("on", "off"):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            cur.execute("BEGIN")
            cur.execute(f"SET LOCAL synchronous_commit = {sync}")
            cur.execute('INSERT INTO "flush_probe" ("v") VALUES (1)')
            cur.execute("COMMIT")
            times.append(time.perf_counter() - t)
        print(f"insert and COMMIT, synchronous_commit {sync}: median {statistics.median(times) * 1000:.3f} ms")
    cur.execute('DROP TABLE "flush_probe"')
    times = []
    for _ in range(n):
        t = time.perf_counter()
        cur.execute("SELECT 1")
        cur.fetchone()
        times.append(time.perf_counter() - t)
    print(f"SELECT 1 round trip: median {statistics.median(times) * 1000:.3f} ms")


def capture(app, token: str, accounts: int) -> list:
    """The statements (and parameters) of bench.py's commit, the third one sent (caches warm)."""
    from loyalty.db import database

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    db = database.obj
    real, log = db.execute_sql, []

    def logging_sql(sql, params=None):
        log.append((sql, list(params or ())))
        return real(sql, params)

    db.execute_sql = logging_sql
    try:
        rng = random.Random(11)
        for i in range(3):
            log.clear()
            r = client.post("/api/v1/sales/commit", headers=headers,
                            data=bench.commit_body(rng.randint(1, accounts), f"cost-{os.getpid()}-{i}"))
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
    finally:
        del db.execute_sql
    return log


def _param_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "bigint"
    if isinstance(v, (decimal.Decimal, float)):
        return "numeric"
    if isinstance(v, dt.datetime):
        return "timestamp"
    return "unknown"


def replay(conn, stmts: list, n: int, fk_cost: bool = False):
    """EXPLAIN each, then text against prepared (and, with ``fk_cost``, prepared without the foreign keys' checks);
    a new sale each time (the captured one is committed)."""
    sale_at = next(i for i, (s, _) in enumerate(stmts) if s.startswith('INSERT INTO "sale" '))
    old_pos = stmts[sale_at][1][1]
    old_id = next(p for s, p in stmts if s.startswith('INSERT INTO "sale_line"'))[0]
    cur = conn.cursor()
    counter = iter(range(10**9))

    def run(texts, explain=False):
        new, times = None, []
        for i, (sql, params) in enumerate(stmts):
            if i == sale_at:
                params = [f"replay-{os.getpid()}-{next(counter)}" if v == old_pos else v for v in params]
            elif new is not None:
                params = [new if v == old_id else v for v in params]
            if explain and i != sale_at:
                cur.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql, params)
                rows = [r[0] for r in cur.fetchall()]
                times.append(tuple(float(next(r for r in rows if r.startswith(k)).split()[2])
                                   for k in ("Planning Time", "Execution Time")))
                continue
            cur.execute(texts[i], params)
            if i == sale_at:
                new = cur.fetchone()[0]
                if explain:
                    times.append((float("nan"), float("nan")))
        return times

    cur.execute("BEGIN")
    times = run([s for s, _ in stmts], explain=True)
    cur.execute("ROLLBACK")
    for (sql, _), (plan, execution) in zip(stmts, times):
        print(f"  plan {plan:6.3f} ms  execute {execution:6.3f} ms  {sql[:80]}")
    known = [t for t in times if t[0] == t[0]]
    print(f"planning {sum(t[0] for t in known):.3f} ms, execution {sum(t[1] for t in known):.3f} ms "
          f"({len(known)} statements; the sale's insert not explained, it must return its id)")

    executes = []
    for i, (sql, params) in enumerate(stmts):
        numbered = iter(range(1, 10**6))
        body = re.sub(r"%[s%]", lambda m: "%" if m.group() == "%%" else f"${next(numbered)}", sql)
        types = f" ({', '.join(_param_type(v) for v in params)})" if params else ""
        cur.execute(f"PREPARE cost_{i}{types} AS {body}")
        executes.append(f"EXECUTE cost_{i} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE cost_{i}")
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    modes = [("text", [s for s, _ in stmts]), ("prepared", executes)]
    if fk_cost:  # the same prepared statements with the foreign keys' triggers off (superuser only)
        modes.append(("no FK checks", executes))
    got = {mode: ([], [], [0.0]) for mode, _ in modes}
    for _ in range(n):
        for mode, texts in modes:
            walls, cpus, backend = got[mode]
            b0, c0, w0 = backend_cpu_ms(pid), time.process_time(), time.perf_counter()
            cur.execute("BEGIN")
            if mode == "no FK checks":
                cur.execute("SET LOCAL session_replication_role = replica")
            run(texts)
            cur.execute("ROLLBACK")
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            backend[0] += backend_cpu_ms(pid) - b0
    for mode, (walls, cpus, backend) in got.items():
        print(f"{len(stmts)} statements {mode:>8}: backend CPU {backend[0] / n:.2f} ms a transaction, wall p50 "
              f"{statistics.median(walls) * 1000:.2f} ms, this process's CPU p50 {statistics.median(cpus) * 1000:.2f} ms")


def through_app(app, token: str, accounts: int, n: int):
    """bench.py's commit n times through the app (after 30 to warm up): its CPU, its backend's, the round trips."""
    import psycopg2.extensions

    from loyalty.db import database

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    rng = random.Random(5)
    counter = iter(range(10**9))

    def commit():
        r = client.post("/api/v1/sales/commit", headers=headers,
                        data=bench.commit_body(rng.randint(1, accounts), f"cost-app-{os.getpid()}-{next(counter)}"))
        assert r.status_code == 200, r.get_data(as_text=True)[:300]

    for _ in range(30):
        commit()
    with app.app_context():
        pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        database.close()
    sent = [0]
    real = psycopg2.extensions.cursor.execute

    class Counting(psycopg2.extensions.cursor):
        def execute(self, sql, params=None):
            sent[0] += 1
            return real(self, sql, params)

    for _, _, pooled in database.obj._connections:  # each execute() is one round trip
        pooled.cursor_factory = Counting
    cpus, walls, trips = [], [], []
    b0 = backend_cpu_ms(pid)
    for _ in range(n):
        sent[0] = 0
        c0, w0 = time.process_time(), time.perf_counter()
        commit()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
        trips.append(sent[0])
    backend = (backend_cpu_ms(pid) - b0) / n
    with app.app_context():
        same = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] == pid
        database.close()
    print(f"bench.py's commit through the app, {n}: CPU p50 {statistics.median(cpus) * 1000:.2f} ms, backend CPU "
          f"{backend:.2f} ms a commit{'' if same else ' (the pooled connection changed: not valid)'}, wall p50 "
          f"{statistics.median(walls) * 1000:.2f} ms, round trips {statistics.median(trips):.0f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a PostgreSQL database of your own (it is emptied and seeded)")
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--no-seed", action="store_true", help="use what an earlier run seeded (its token is kept in "
                                                           "the database's api_token table: a new one is made)")
    ap.add_argument("--fk-cost", action="store_true",
                    help="also replay the prepared statements with the foreign keys' checks off (what they cost the "
                         "backend; needs a superuser, rolled back like every replay)")
    ap.add_argument("-n", type=int, default=300, help="replays of each kind, and commits through the app")
    args = ap.parse_args()
    import psycopg2

    from loyalty import create_app
    from loyalty.auth import create_token
    from loyalty.db import database

    if args.no_seed:
        app = create_app({"DATABASE_URL": args.db})
        with app.app_context():
            token = create_token("cost", "cashier")[1]
            database.close()
    else:
        token = bench.seed(args.db, args.accounts, 2)
        bench.seed_points(args.db, args.accounts)
        app = create_app({"DATABASE_URL": args.db})
    conn = psycopg2.connect(args.db)
    conn.autocommit = True
    wal_flush(conn, 200)
    replay(conn, capture(app, token, args.accounts), args.n, args.fk_cost)
    through_app(app, token, args.accounts, args.n)


if __name__ == "__main__":
    main()
