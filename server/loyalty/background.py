"""Background work: periodic jobs and an outbox, run by one worker loop.

Two kinds of work share the loop, both kept in database rows so that nothing is lost when a process dies:

**Periodic jobs** (points expiry, polling a POS, ...)::

    from loyalty.background import register_job

    def expire_points():          # called in an app context, outside any transaction; idempotent
        ...                       # returns how many things it did (or None), for the log
    register_job("points-expiry", 3600, expire_points)

  Register at import time in a module that ``create_app`` imports (your feature package's ``__init__``). Each
  job has a ``background_job`` row holding when it is next due and a lease: one process at a time runs a job
  (claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, under the write lock on SQLite). A process killed
  mid-run leaves the lease, which expires after ``lease_seconds``; another worker then runs the job again, so
  the function must be safe to run twice (do its work in transactions that mark what they did).

**The outbox** (a message to send, a call to make) for work that must happen once an event has been committed::

    from loyalty.background import enqueue, register_handler, TemporaryFailure, PermanentFailure

    register_handler("email", send_email, max_attempts=8)   # send_email(item: OutboxItem) -> None
    with write_transaction():
        ...the event...
        enqueue("email", {"to": ...}, account_id=account.id)  # committed with the event, or not at all

  The worker claims due rows (several workers never take the same row), calls the handler outside any
  transaction and records the result: ``sent``; ``skipped`` on ``Skipped``; on ``TemporaryFailure``
  (or any other exception) a retry with
  exponential back-off until ``max_attempts``, then ``failed``; on ``PermanentFailure`` ``failed`` at once. A
  claimed row whose process died is claimed again once its lease expires, so a handler may, rarely, run twice
  for one row: give receivers something to de-duplicate on (the row id, e.g. in a Message-ID).

``loyalty serve`` (and ``loyalty demo``) run the loop in a thread; ``loyalty worker`` runs it alone (for several
app processes, run one or more workers and ``serve --no-worker``). Tests call ``run_once(now=...)``.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Callable

from peewee import CharField, DateTimeField, IntegerField, TextField

from .db import database, is_postgres, write_transaction
from .models import BaseModel, JSONField, register_models, utcnow

log = logging.getLogger("loyalty.background")

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"


class BackgroundJob(BaseModel):
    """When a periodic job is next due, and who is running it now (a lease, so a dead worker's run expires)."""

    name = CharField(max_length=100, unique=True)
    next_run_at = DateTimeField(default=utcnow)
    lease_until = DateTimeField(null=True)
    last_started_at = DateTimeField(null=True)
    last_finished_at = DateTimeField(null=True)
    last_result = CharField(max_length=200, null=True)
    last_error = TextField(null=True)


class OutboxItem(BaseModel):
    """Work to do once, after the transaction that wrote this row committed."""

    kind = CharField(max_length=50, index=True)
    payload = JSONField()
    state = CharField(max_length=10, default=PENDING)  # pending | sending | sent | failed | skipped
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    lease_until = DateTimeField(null=True)
    claim = CharField(max_length=32, null=True)  # which claim owns a 'sending' row; a stale worker's result is dropped
    last_error = TextField(null=True)
    account_id = IntegerField(null=True, index=True)  # whose it is, for "messages of this account" (optional)
    dedupe_key = CharField(max_length=200, null=True, unique=True)  # enqueue once per key (optional)
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "outbox"
        indexes = ((("state", "next_attempt_at"), False),)


register_models(BackgroundJob, OutboxItem)


class TemporaryFailure(Exception):
    """The handler could not do it now (server down, rate limited): try again later."""


class PermanentFailure(Exception):
    """The handler can never do it (address refused, bad payload): do not try again."""


class Skipped(Exception):
    """Nothing to do any more (e.g. the customer withdrew consent before it went out): recorded, not an error."""


@dataclass
class Job:
    name: str
    every_seconds: float
    func: Callable[[], object]
    lease_seconds: float


@dataclass
class Handler:
    kind: str
    func: Callable[[OutboxItem], None]
    max_attempts: int


JOBS: dict[str, Job] = {}
HANDLERS: dict[str, Handler] = {}
OUTBOX_LEASE = dt.timedelta(minutes=5)
OUTBOX_BATCH = 20
BACKOFF_FIRST = 30  # seconds before the first retry; doubles each time
BACKOFF_MAX = 6 * 3600


def register_job(name: str, every_seconds: float, func: Callable[[], object], *, lease_seconds: float | None = None):
    """Run ``func()`` every ``every_seconds`` in the worker (one process at a time). Registering a name again
    replaces it (module reloads, tests)."""
    lease = lease_seconds if lease_seconds is not None else max(300.0, every_seconds * 2)
    JOBS[name] = Job(name, float(every_seconds), func, float(lease))


def register_handler(kind: str, func: Callable[[OutboxItem], None], *, max_attempts: int = 8):
    """Handle outbox rows of ``kind`` (see the module docstring for what the handler may raise)."""
    HANDLERS[kind] = Handler(kind, func, max_attempts)


def enqueue(kind: str, payload: dict, *, account_id: int | None = None, dedupe_key: str | None = None,
            delay_seconds: float = 0, now: dt.datetime | None = None) -> OutboxItem | None:
    """Add a row to the outbox, in the caller's transaction (call it inside the event's ``write_transaction``).
    With ``dedupe_key``, a second enqueue of the same key does nothing and returns None."""
    now = now or utcnow()
    fields = dict(kind=kind, payload=payload, account_id=account_id, dedupe_key=dedupe_key,
                  next_attempt_at=now + dt.timedelta(seconds=delay_seconds), created_at=now)
    if dedupe_key is None:
        return OutboxItem.create(**fields)
    if OutboxItem.select().where(OutboxItem.dedupe_key == dedupe_key).exists():
        return None
    # A concurrent enqueue of the same key (PostgreSQL) waits here and then inserts nothing.
    OutboxItem.insert(**fields).on_conflict_ignore().execute()
    return OutboxItem.get_or_none(OutboxItem.dedupe_key == dedupe_key)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, ... at most 6 h."""
    return dt.timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


# --- claiming ----------------------------------------------------------------------------------------------------

def _locked(query):
    """Rows another worker holds are skipped, not waited for (PostgreSQL); SQLite's write lock already
    serialises the claim."""
    return query.for_update("FOR UPDATE SKIP LOCKED") if is_postgres() else query


def _due_outbox(now):
    return (((OutboxItem.state == PENDING) & (OutboxItem.next_attempt_at <= now)) | (
        (OutboxItem.state == SENDING) & (OutboxItem.lease_until < now))) & OutboxItem.kind.in_(list(HANDLERS))


def claim_outbox(now: dt.datetime, limit: int = OUTBOX_BATCH) -> list[OutboxItem]:
    """Take up to ``limit`` due rows for this worker (a row whose lease expired counts as due)."""
    # A cheap read first: an idle worker never takes the write lock.
    if not OutboxItem.select().where(_due_outbox(now)).exists():
        return []
    token = uuid.uuid4().hex
    with write_transaction():
        rows = list(_locked(OutboxItem.select().where(_due_outbox(now))
                            .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit)))
        if not rows:
            return []
        ids = [r.id for r in rows]
        (OutboxItem.update(state=SENDING, claim=token, lease_until=now + OUTBOX_LEASE,
                           attempts=OutboxItem.attempts + 1)
         .where(OutboxItem.id.in_(ids)).execute())
    return list(OutboxItem.select().where(OutboxItem.id.in_(ids), OutboxItem.claim == token)
                .order_by(OutboxItem.id))


def _finish(item: OutboxItem, now: dt.datetime, **fields) -> bool:
    with write_transaction():
        changed = (OutboxItem.update(claim=None, lease_until=None, **fields)
                   .where(OutboxItem.id == item.id, OutboxItem.claim == item.claim).execute())
    if not changed:
        log.warning("outbox row %s was reclaimed by another worker after its lease expired", item.id)
    return bool(changed)


def process_item(item: OutboxItem, now: dt.datetime) -> str:
    """Run the handler of one claimed row and record what happened; returns the new state."""
    handler = HANDLERS[item.kind]
    try:
        handler.func(item)
    except Skipped as exc:
        _finish(item, now, state=SKIPPED, last_error=str(exc)[:2000], finished_at=now)
        return SKIPPED
    except PermanentFailure as exc:
        _finish(item, now, state=FAILED, last_error=str(exc)[:2000], finished_at=now)
        log.warning("outbox %s #%s failed for good: %s", item.kind, item.id, exc)
        return FAILED
    except Exception as exc:  # noqa: BLE001 - any other error is worth another try, up to max_attempts
        if not isinstance(exc, TemporaryFailure):
            log.exception("outbox %s #%s: handler error", item.kind, item.id)
        error = f"{type(exc).__name__}: {exc}"[:2000] if not isinstance(exc, TemporaryFailure) else str(exc)[:2000]
        if item.attempts >= handler.max_attempts:
            _finish(item, now, state=FAILED, last_error=error, finished_at=now)
            log.warning("outbox %s #%s failed after %s attempts: %s", item.kind, item.id, item.attempts, error)
            return FAILED
        _finish(item, now, state=PENDING, last_error=error, next_attempt_at=now + backoff(item.attempts))
        log.info("outbox %s #%s will be retried: %s", item.kind, item.id, error)
        return PENDING
    _finish(item, now, state=SENT, last_error=None, finished_at=now)
    return SENT


def drain_outbox(now: dt.datetime | None = None) -> int:
    """Handle every due outbox row (in batches); returns how many were handled."""
    done = 0
    while True:
        at = now or utcnow()
        batch = claim_outbox(at)
        for item in batch:
            process_item(item, now or utcnow())
        done += len(batch)
        if len(batch) < OUTBOX_BATCH:
            return done


def _claim_job(job: Job, now: dt.datetime) -> bool:
    due = (BackgroundJob.name == job.name) & (BackgroundJob.next_run_at <= now) & (
        BackgroundJob.lease_until.is_null() | (BackgroundJob.lease_until < now))
    row = BackgroundJob.get_or_none(BackgroundJob.name == job.name)
    if row is not None and not BackgroundJob.select().where(due).exists():
        return False
    with write_transaction():
        if row is None:
            BackgroundJob.insert(name=job.name, next_run_at=now).on_conflict_ignore().execute()
        if _locked(BackgroundJob.select().where(due)).first() is None:
            return False
        BackgroundJob.update(lease_until=now + dt.timedelta(seconds=job.lease_seconds),
                             last_started_at=now).where(BackgroundJob.name == job.name).execute()
    return True


def run_job(job: Job, now: dt.datetime | None = None) -> bool:
    """Run ``job`` if it is due and no other worker holds it; returns whether it ran."""
    now = now or utcnow()
    if not _claim_job(job, now):
        return False
    result, error = None, None
    try:
        result = job.func()
    except Exception as exc:  # noqa: BLE001 - a failing job is logged and tried again at its next period
        log.exception("background job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"[:2000]
    finished = utcnow()
    with write_transaction():
        BackgroundJob.update(lease_until=None, last_finished_at=finished, last_error=error,
                             last_result=None if result is None else str(result)[:200],
                             next_run_at=now + dt.timedelta(seconds=job.every_seconds)
                             ).where(BackgroundJob.name == job.name).execute()
    if result:
        log.info("background job %s: %s", job.name, result)
    return True


def run_once(now: dt.datetime | None = None) -> dict:
    """One pass of the worker: every due job, then the outbox. Returns what ran (for tests and ``--once``)."""
    ran = [job.name for job in list(JOBS.values()) if run_job(job, now)]
    return {"jobs": ran, "outbox": drain_outbox(now)}


# --- the loop ----------------------------------------------------------------------------------------------------

class Worker:
    """The loop: ``run_once`` every ``poll_seconds`` until ``stop()``. One per process is enough."""

    def __init__(self, app, poll_seconds: float = 1.0):
        self.app = app
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def tick(self):
        with self.app.app_context():
            try:
                run_once()
            except Exception:  # noqa: BLE001 - the loop outlives a database hiccup; the rows are still there
                log.exception("background worker pass failed; retrying")
            finally:
                if not database.is_closed() and is_postgres():
                    database.close()  # back to the pool between passes

    def run_forever(self):
        log.info("background worker started (jobs: %s; outbox kinds: %s)", ", ".join(sorted(JOBS)) or "none",
                 ", ".join(sorted(HANDLERS)) or "none")
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.poll_seconds)

    def start(self) -> "Worker":
        self.thread = threading.Thread(target=self.run_forever, name="loyalty-worker", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float = 10):
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)
