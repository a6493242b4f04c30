"""Database selection and transactions.

One peewee ``DatabaseProxy`` is shared by every model; ``init_database`` binds it to SQLite (the default, an
embedded file in WAL mode) or PostgreSQL, chosen by a URL.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlparse, unquote, parse_qsl

from peewee import DatabaseProxy, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from .errors import BadSetting

database = DatabaseProxy()

# Why these pragmas: WAL lets the staff pages read while a register commits; busy_timeout makes a second
# writer wait instead of failing at once; foreign keys are off by default in SQLite.
SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", "normal"),
    ("foreign_keys", 1),
    ("busy_timeout", 10000),
    ("cache_size", -32000),
)


class PooledPostgres(PooledPostgresqlDatabase):
    """The pool checks a connection out without peewee's ``SELECT 1`` round trip (it cost a loopback round trip
    on every request); the transaction status is read locally from libpq, and a connection psycopg2 found broken
    is marked closed and dropped at the next check-out. Statements sent again are prepared once per connection,
    and ``BEGIN`` (with a ``SET LOCAL`` after it) rides on the transaction's first statement (``pg_statements``)."""

    def _is_closed(self, conn):
        return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown

    def begin(self, isolation_level=None):
        conn = self.connection()
        if getattr(conn, "lb_pending", "") is not None:  # not ours, or a BEGIN already waiting
            return super().begin(isolation_level)
        level = self._isolation_level if isolation_level is None else isolation_level
        conn.lb_pending = (f"BEGIN TRANSACTION ISOLATION LEVEL {self._adapter.isolation_level_str(level)}"
                           if level else "BEGIN")

    def commit(self):
        if not self._drop_pending():
            super().commit()

    def rollback(self):
        if not self._drop_pending():
            super().rollback()

    def _drop_pending(self) -> bool:
        """True when the transaction sent nothing (its BEGIN still waits): there is nothing to end."""
        conn = None if self.is_closed() else self._state.conn
        if getattr(conn, "lb_pending", None) is None:
            return False
        conn.lb_pending = None
        return True

    def execute_sql(self, sql, params=None):
        from . import pg_statements

        conn = self.connection()
        if not isinstance(conn, pg_statements.Connection):
            return super().execute_sql(sql, params)
        pending = conn.lb_pending
        if pending is not None and not params and sql.startswith("SET LOCAL ") and "%" not in sql:
            conn.lb_pending = f"{pending}; {sql}"  # answers nothing: it rides with BEGIN
            return conn.cursor()
        text = pg_statements.statement(conn, sql, params)
        pending = conn.lb_pending  # preparing may have sent it
        if pending is not None:
            conn.lb_pending = None
            text = f"{pending}; {text}"
        return self._execute_cursor(text, params)


def make_database(url: str):
    """Build (but do not connect) a peewee database for ``url``."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as in SQLAlchemy's convention
        path = unquote(parsed.netloc + parsed.path)
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:]
        if path in ("", ":memory:"):
            path = ":memory:"
        # IMMEDIATE: a writer takes the write lock when its transaction begins, so two commits never
        # deadlock upgrading a read lock; the loser waits (busy_timeout) rather than failing.
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", check_same_thread=False,
                              returning_clause=True)
    if scheme in ("postgres", "postgresql"):
        params = dict(parse_qsl(parsed.query))
        return PooledPostgres(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            max_connections=int(params.pop("max_connections", 32)),
            stale_timeout=300,
            connection_factory=_pg_connection_class(),
            **params,
        )
    raise BadSetting(f"unsupported database URL scheme {parsed.scheme!r}: use sqlite:/// or postgresql://")


def _pg_connection_class():
    from .pg_statements import Connection

    return Connection


def make_private(path: str):
    """The SQLite file readable by its owner only (0600): it holds customers' contact details and the tokens'
    hashes. SQLite gives its -wal and -shm files the database file's mode, so creating the file first (or
    tightening one an older version made 0644) covers all three."""
    import os

    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is an empty SQLite database
    for name in (path, path + "-wal", path + "-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except FileNotFoundError:
            pass


def init_database(url: str):
    db = make_database(url)
    if isinstance(db, SqliteDatabase) and db.database != ":memory:":
        make_private(db.database)
    database.initialize(db)
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, PooledPostgresqlDatabase)


# SQLite has one writer at a time. Threads of this process queue on a lock instead of on SQLite's busy handler,
# which polls with growing sleeps and turned a burst of commits into seconds-long tails. Processes (``loyalty serve
# --workers N``, ``loyalty worker`` beside a server) queue on a file lock beside the database (``<file>-writer.lock``)
# that a thread takes once it holds the process's lock, so at most one thread a process waits on the file. Both
# waits are bounded: past WRITE_LOCK_TIMEOUT the write fails as "database is locked", which the app answers 503
# (retry) instead of hanging.
WRITE_LOCK_TIMEOUT = 10.0  # seconds, as SQLite's busy_timeout
_sqlite_writer = threading.RLock()
_writer_depth = threading.local()  # nested write_transaction() calls of one thread take the file lock once
_file_lock = {"pid": None, "path": None, "fd": None}  # this process's lock file (re-opened after a fork)


def _lock_file_fd():
    """The lock file of the current SQLite database for this process, or None (in-memory database)."""
    import os

    path = getattr(database.obj, "database", ":memory:")
    if path == ":memory:" or not path:
        return None
    pid = os.getpid()
    if _file_lock["pid"] != pid or _file_lock["path"] != path:
        # A forked child must not share its parent's open file: flock belongs to the open file, not the process.
        if _file_lock["fd"] is not None and _file_lock["pid"] == pid:
            os.close(_file_lock["fd"])
        fd = os.open(os.path.abspath(path) + "-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        _file_lock.update(pid=pid, path=path, fd=fd)
    return _file_lock["fd"]


def _busy(what: str):
    from peewee import OperationalError

    return OperationalError(f"database is locked: no {what} within {WRITE_LOCK_TIMEOUT:g} s")


@contextmanager
def sqlite_writer_lock(timeout: float | None = None):
    """This thread alone writes to the SQLite database, among this process's threads and other processes."""
    import fcntl
    import time

    timeout = WRITE_LOCK_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    if not _sqlite_writer.acquire(timeout=timeout):
        raise _busy("turn among this process's writers")
    depth = getattr(_writer_depth, "n", 0)
    fd = None
    try:
        if depth == 0:
            fd = _lock_file_fd()
            # Another process holds it for one transaction (a few ms): poll without blocking, in short sleeps
            # (SQLite's busy handler grows its sleeps to 100 ms), until the deadline.
            pause = 0.0002
            while fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        fd = None
                        raise _busy("turn among the processes writing to this database") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        _writer_depth.n = depth + 1
        try:
            yield
        finally:
            _writer_depth.n = depth
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _sqlite_writer.release()


@contextmanager
def write_transaction():
    """A transaction for a write path (``BEGIN IMMEDIATE`` on SQLite, see ``make_database``)."""
    if is_postgres():
        with database.atomic() as tx:
            yield tx
    else:
        with sqlite_writer_lock(), database.atomic() as tx:
            yield tx


def redact_url(url: str) -> str:
    """The URL with any password replaced, for logs and CLI output."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(":" + parsed.password + "@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url
