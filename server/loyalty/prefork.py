"""``loyalty serve --workers N``: N app processes serving one listening socket, each with waitress.

One Python process runs one request's Python at a time (the GIL); N processes use N cores. The supervisor (the
process ``loyalty serve`` started as) binds the socket once, runs the schema migrations once, then forks N
children that each serve that socket with waitress (the kernel hands each new connection to one of them). It
restarts a child that dies and, on SIGTERM or SIGINT, stops every child and exits. A child that is told to stop
closes its listening socket, finishes the requests it has read and sends their answers, closes its idle
keep-alive connections, and exits (``Drain``, at most 10 s).

The background worker (outbox, periodic jobs) runs in child 0 only (and again in its replacement). Claiming is safe
across processes anyway (``FOR UPDATE SKIP LOCKED`` and leases on PostgreSQL; the write lock on SQLite), so a
separate ``loyalty worker`` beside it does no harm.

Correctness across processes is the database's: PostgreSQL's row locks serve processes as they serve threads;
SQLite writers of all processes queue on a file lock beside the database (``loyalty.db.sqlite_writer_lock``).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback

log = logging.getLogger("loyalty.prefork")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_GRACE = 30.0  # seconds a child gets to drain (10 s), let waitress stop its threads (5 s) and its worker pass
RESTART_PAUSE = 1.0  # a child that died within this long of its start is restarted after this pause


def bind_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """The listening socket all the children accept on (IPv4 or IPv6, as ``host`` resolves)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def release_database():
    """Close this process's database connections before forking: a child must open its own (a SQLite or
    PostgreSQL connection shared by two processes corrupts both sides' view of it)."""
    from .db import database

    if database.obj is None:
        return
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


class Supervisor:
    """Forks and watches the children. ``run()`` returns the exit status once every child has stopped."""

    def __init__(self, serve_child, workers: int):
        self.serve_child = serve_child  # serve_child(index) -> exit status, run in the child
        self.workers = workers
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at)
        self.stopping = False

    def spawn(self, index: int, old_mask):
        sys.stdout.flush()  # else a child would write the supervisor's buffered output again
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the supervisor's code
            status = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
                status = self.serve_child(index)
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 0
            except BaseException:  # noqa: BLE001 - reported, then the supervisor restarts this child
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        self.children[pid] = (index, time.monotonic())

    def reap(self, old_mask):
        """Collect dead children; restart them unless stopping."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.children:
                continue
            index, started = self.children.pop(pid)
            if self.stopping:
                continue
            log.warning("app process %s (pid %s) exited with status %s; starting another", index, pid,
                        os.waitstatus_to_exitcode(status))
            if time.monotonic() - started < RESTART_PAUSE:
                time.sleep(RESTART_PAUSE)  # not a tight fork loop when a child cannot start
            self.spawn(index, old_mask)

    def stop(self, old_mask):
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_GRACE
        while self.children and time.monotonic() < deadline:
            self.reap(old_mask)
            if self.children:
                signal.sigtimedwait({signal.SIGCHLD}, 0.1)
        for pid in list(self.children):
            log.warning("app process pid %s did not stop in %g s; killing it", pid, STOP_GRACE)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        self.children.clear()

    def run(self) -> int:
        # The supervisor takes its signals synchronously (sigtimedwait): nothing interrupts it between a fork and
        # the bookkeeping of the child. Children restore the mask and take them as usual.
        watched = {signal.SIGCHLD, *STOP_SIGNALS}
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
        try:
            for index in range(self.workers):
                self.spawn(index, old_mask)
            while True:
                info = signal.sigtimedwait(watched, 1.0)
                if info is not None and info.si_signo in STOP_SIGNALS:
                    break
                self.reap(old_mask)
            self.stop(old_mask)
            return 0
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


class Drain:
    """A child's stop: stop accepting, let the requests in progress finish and their answers go out, close the idle
    keep-alive connections, then leave waitress's loop (at most DRAIN_SECONDS)."""

    DRAIN_SECONDS = 10.0

    def __init__(self, server):
        self.server = server
        self.started = False

    def start(self, signum, frame):
        if self.started:  # Ctrl-C reaches the supervisor and the children, then the supervisor's SIGTERM: once
            return
        self.started = True
        from waitress import wasyncore

        # This process's listening socket only (the server's own close() also closes the loop's trigger).
        wasyncore.dispatcher.close(self.server)
        threading.Thread(target=self._wait_until_idle, name="loyalty-drain", daemon=True).start()

    def _wait_until_idle(self):
        from waitress.channel import HTTPChannel

        deadline = time.monotonic() + self.DRAIN_SECONDS
        while time.monotonic() < deadline:
            channels = [c for c in list(self.server._map.values()) if isinstance(c, HTTPChannel)]
            if not channels:
                break
            for channel in channels:
                if not channel.requests and channel.request is None and not channel.total_outbufs_len:
                    channel.close_when_flushed = True  # idle: closed by the loop, which is not waiting on it
            self.server.pull_trigger()
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGUSR1)  # the loop's thread leaves through _leave_loop


def _leave_loop(signum, frame):
    raise SystemExit(0)  # waitress's loop catches it and waits for its threads


def serve_processes(app, host: str, port: int, workers: int, threads: int = 8, worker: bool = True,
                    trusted_proxy: str | None = None) -> int:
    """Run ``workers`` app processes on ``host:port`` until SIGTERM or SIGINT; the exit status."""
    from .background import Worker
    from .cli import make_server

    sock = bind_socket(host, port)
    release_database()

    def serve_child(index: int) -> int:
        server = make_server(app, host, port, threads, trusted_proxy, sockets=[sock])
        drain = Drain(server)
        for signum in STOP_SIGNALS:
            signal.signal(signum, drain.start)
        signal.signal(signal.SIGUSR1, _leave_loop)
        running = Worker(app).start() if worker and index == 0 else None
        try:
            server.run()
        finally:
            if running:
                running.stop()
            release_database()
        return 0

    try:
        return Supervisor(serve_child, workers).run()
    finally:
        sock.close()
