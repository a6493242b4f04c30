#!/usr/bin/env python3
"""What every request pays around its view: whole requests (GET /health, GET /me, bench.py's commit) and the
pieces of each (the token check, the body's loading, each before/after_request hook, the request context), called
through the WSGI app itself (no test client, an environ like waitress's), on a database seeded by profile_commit.py:

    .venv/bin/python scripts/profile_commit.py --keep /tmp/prof.sqlite3 -n 10     # seeds once (and runs)
    .venv/bin/python scripts/profile_request.py --keep /tmp/prof.sqlite3             # CPU time per piece
    .venv/bin/python scripts/profile_request.py --keep /tmp/prof.sqlite3 --callgrind # instructions per piece

``--callgrind`` runs this script again under ``valgrind --tool=callgrind --dump-before=getpgid``: each piece runs
``-n`` times between two ``os.getpgid`` calls, so each run of a piece is one dump, and the instructions of a piece
are its dump's total over ``-n`` (minus an empty loop's). Steady on a loaded machine, unlike the CPU times.
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "server"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench  # noqa: E402


def environ(token: str, method: str, path: str, body: bytes = b"") -> dict:
    """What waitress hands the app for a register's request (keep-alive, no cookie, no Accept-Language)."""
    return {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "REMOTE_HOST": "127.0.0.1", "REMOTE_PORT": "50000", "REQUEST_URI": path,
            "HTTP_HOST": "127.0.0.1:5000", "HTTP_ACCEPT_ENCODING": "identity",
            "HTTP_AUTHORIZATION": f"Bearer {token}", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False, "wsgi.input_terminated": True, "wsgi.version": (1, 0)}


def pieces(app, token: str, accounts: int):
    """[(label, function, needs a pushed request context)]."""
    from flask import request
    from flask_babel import get_locale, refresh

    from loyalty import api, auth, bounds
    from loyalty.schemas import CommitSchema

    rng, counter = random.Random(7), iter(range(10**9))
    body = bench.commit_body(5, "piece-1").encode()

    def call(method, path, data=b""):
        out = []
        chunks = app(environ(token, method, path, data), lambda status, headers, exc=None: out.append(status))
        b"".join(chunks)
        assert out[0].startswith("200"), out

    def commit():
        call("POST", "/api/v1/sales/commit",
             bench.commit_body(rng.randint(1, accounts), f"req-{os.getpid()}-{next(counter)}").encode())

    def loaded_body():
        request._cached_data = body
        api.body(CommitSchema)

    def new_response():
        return app.response_class("{}", mimetype="application/json")

    def context():
        ctx = app.request_context(environ(token, "POST", "/api/v1/sales/commit", body))
        ctx.push()
        ctx.pop()

    def locale():
        refresh()
        get_locale()

    out = [("(empty loop)", lambda: None, False),
           ("GET /health", lambda: call("GET", "/api/v1/health"), False),
           ("GET /me", lambda: call("GET", "/api/v1/me"), False),
           ("POST /sales/commit (bench.py's sale)", commit, False),
           ("request context push + pop", context, False),
           ("token check (auth.authenticate)", lambda: auth.authenticate("Bearer " + token), True),
           ("body(CommitSchema), body read", loaded_body, True),
           ("  bounds.loads", lambda: bounds.loads(body, nul_ok=True), True),
           ("locale choice (refresh + get_locale)", locale, True),
           ("all after_request hooks", lambda: app.process_response(new_response()), True),
           ("  a new response alone", new_response, True)]
    out += [(f"  after {f.__name__}", (lambda f=f: f(new_response())), True) for f in app.after_request_funcs[None]]
    out += [(f"  before {f.__name__}", f, True) for f in app.before_request_funcs[None]]
    return out, body


def run(args):
    from loyalty import create_app
    from loyalty.db import database
    from loyalty.models import create_tables

    tmp = tempfile.mkdtemp(prefix="loyalty-req-")
    shutil.copy(args.keep, os.path.join(tmp, "prof.sqlite3"))
    with open(args.keep + ".token") as f:
        token = f.read()
    app = create_app({"DATABASE_URL": "sqlite:///" + os.path.join(tmp, "prof.sqlite3")})
    database.connect(reuse_if_open=True)
    create_tables()
    items, body = pieces(app, token, args.accounts)
    ctx = app.request_context(environ(token, "POST", "/api/v1/sales/commit", body))
    cpu = {}
    for label, fn, in_context in items:
        if in_context:
            ctx.push()
        for _ in range(20):  # warm caches
            fn()
        os.getpgid(0)  # a callgrind dump ends here (the warm-up) ...
        c0 = time.process_time()
        for _ in range(args.n):
            fn()
        cpu[label] = (time.process_time() - c0) / args.n
        os.getpgid(0)  # ... and here (this piece's n runs)
        if in_context:
            ctx.pop()
    shutil.rmtree(tmp, ignore_errors=True)
    return [label for label, _, _ in items], cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", required=True, metavar="PATH", help="SQLite file seeded by profile_commit.py --keep")
    ap.add_argument("--accounts", type=int, default=2000, help="accounts in that file")
    ap.add_argument("-n", type=int, default=200, help="calls of each piece")
    ap.add_argument("--callgrind", action="store_true", help="instructions per piece, under valgrind")
    ap.add_argument("--labels-to", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.callgrind:
        labels, cpu = run(args)
        if args.labels_to:
            with open(args.labels_to, "w") as f:
                json.dump(labels, f)
            return
        empty = cpu[labels[0]]
        print(f"{'in-process, 1 thread, CPU per call':<42} {'us':>8}")
        for label in labels[1:]:
            print(f"{label:<42} {(cpu[label] - empty) * 1e6:8.1f}")
        return
    out = tempfile.mkdtemp(prefix="loyalty-cg-")
    dump = os.path.join(out, "cg")
    labels_file = os.path.join(out, "labels.json")
    cmd = ["valgrind", "--tool=callgrind", "--dump-before=getpgid", f"--callgrind-out-file={dump}", sys.executable,
           os.path.abspath(__file__), "--keep", args.keep, "--accounts", str(args.accounts), "-n", str(args.n),
           "--labels-to", labels_file]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, PYTHONHASHSEED="0"))
    with open(labels_file) as f:
        labels = json.load(f)
    files = sorted(glob.glob(dump + ".*"), key=lambda name: int(name.rsplit(".", 1)[1]))
    totals = []
    for name in files:
        with open(name) as f:
            totals.append(int(re.search(r"^totals: (\d+)", f.read(), re.M).group(1)))
    # dump 1: start-up and the first warm-up; then for each piece its n runs, then the next piece's warm-up.
    per = [totals[2 * i + 1] / args.n for i in range(len(labels))]
    print(f"{'in-process, instructions per call':<42} {'count':>10}")
    for label, count in zip(labels[1:], per[1:]):
        print(f"{label:<42} {count - per[0]:10.0f}")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
