"""The background seam: periodic jobs and the outbox, claimed from database rows, surviving a dead worker."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from loyalty import background
from loyalty.background import (FAILED, PENDING, SENDING, SENT, BackgroundJob, OutboxItem, PermanentFailure,
                                TemporaryFailure, claim_outbox, enqueue, register_handler, register_job, run_once)
from loyalty.db import write_transaction
from loyalty.models import utcnow


@pytest.fixture
def registry(monkeypatch):
    """Tests register their own jobs and handlers without leaking them to other tests."""
    monkeypatch.setattr(background, "JOBS", {})
    monkeypatch.setattr(background, "HANDLERS", {})
    return background


def later(seconds, start=None):
    return (start or utcnow()) + dt.timedelta(seconds=seconds)


def test_a_job_runs_when_due_and_not_before(app, registry):
    runs = []
    register_job("count", 60, lambda: runs.append(1) or len(runs))
    now = utcnow()
    assert run_once(now)["jobs"] == ["count"]
    assert run_once(later(30, now))["jobs"] == []
    assert run_once(later(61, now))["jobs"] == ["count"]
    assert len(runs) == 2
    row = BackgroundJob.get(BackgroundJob.name == "count")
    assert row.last_result == "2" and row.lease_until is None and row.last_error is None


def test_a_failing_job_is_recorded_and_runs_again_next_period(app, registry):
    def broken():
        raise RuntimeError("POS unreachable")

    register_job("poll", 10, broken)
    now = utcnow()
    assert run_once(now)["jobs"] == ["poll"]
    assert "POS unreachable" in BackgroundJob.get(BackgroundJob.name == "poll").last_error
    assert run_once(later(11, now))["jobs"] == ["poll"]


def test_a_job_whose_worker_died_runs_again_after_its_lease(app, registry):
    runs = []
    register_job("expiry", 60, lambda: runs.append(1), lease_seconds=120)
    now = utcnow()
    # A worker claimed the job and was killed: the lease is set, the job never finished.
    assert background._claim_job(background.JOBS["expiry"], now)
    assert run_once(later(90, now))["jobs"] == []  # still leased to the dead worker
    assert run_once(later(121, now))["jobs"] == ["expiry"]
    assert runs == [1]


def test_outbox_row_is_handled_once_and_marked_sent(app, registry):
    seen = []
    register_handler("note", lambda item: seen.append(item.payload["text"]))
    with write_transaction():
        enqueue("note", {"text": "hello"}, account_id=7)
    now = utcnow()
    assert run_once(now)["outbox"] == 1
    assert run_once(later(3600, now))["outbox"] == 0
    assert seen == ["hello"]
    row = OutboxItem.get()
    assert (row.state, row.attempts, row.account_id, row.last_error) == (SENT, 1, 7, None)


def test_outbox_row_rolled_back_with_its_event_is_never_sent(app, registry):
    seen = []
    register_handler("note", lambda item: seen.append(item.id))
    with pytest.raises(RuntimeError):
        with write_transaction():
            enqueue("note", {"text": "lost sale"})
            raise RuntimeError("the event failed")
    run_once()
    assert seen == [] and OutboxItem.select().count() == 0


def test_outbox_retries_with_backoff_then_succeeds_once(app, registry):
    outcome = {"up": False, "sent": 0}

    def flaky(item):
        if not outcome["up"]:
            raise TemporaryFailure("server down")
        outcome["sent"] += 1

    register_handler("note", flaky)
    with write_transaction():
        enqueue("note", {})
    now = utcnow()
    run_once(now)
    row = OutboxItem.get()
    assert (row.state, row.attempts, row.last_error) == (PENDING, 1, "server down")
    assert row.next_attempt_at == now + dt.timedelta(seconds=30)
    run_once(later(10, now))  # not due yet
    assert OutboxItem.get().attempts == 1
    run_once(later(31, now))
    assert OutboxItem.get().next_attempt_at == later(31, now) + dt.timedelta(seconds=60)  # doubled
    outcome["up"] = True
    run_once(later(100, now))
    run_once(later(10000, now))
    assert outcome["sent"] == 1 and OutboxItem.get().state == SENT


def test_outbox_gives_up_after_max_attempts_or_a_permanent_failure(app, registry):
    def always_down(item):
        raise ConnectionRefusedError("no route")

    def refused(item):
        raise PermanentFailure("550 no such mailbox")

    register_handler("down", always_down, max_attempts=3)
    register_handler("refused", refused)
    with write_transaction():
        enqueue("down", {})
        enqueue("refused", {})
    now = utcnow()
    for hours in range(0, 10):
        run_once(later(hours * 3600, now))
    down = OutboxItem.get(OutboxItem.kind == "down")
    refused_row = OutboxItem.get(OutboxItem.kind == "refused")
    assert (down.state, down.attempts) == (FAILED, 3) and "no route" in down.last_error
    assert (refused_row.state, refused_row.attempts, refused_row.last_error) == (FAILED, 1, "550 no such mailbox")


def test_a_claimed_row_of_a_killed_worker_is_retried_after_the_lease(app, registry):
    seen = []
    register_handler("note", lambda item: seen.append(item.id))
    with write_transaction():
        enqueue("note", {})
    now = utcnow()
    claimed = claim_outbox(now)  # the worker claims the row, then the process is killed
    assert [r.state for r in claimed] == [SENDING]
    assert run_once(later(60, now))["outbox"] == 0  # leased
    assert run_once(later(301, now))["outbox"] == 1
    assert seen == [claimed[0].id]
    row = OutboxItem.get()
    assert (row.state, row.attempts) == (SENT, 2)
    # the dead worker's late result is dropped: its claim is no longer the row's
    assert background._finish(claimed[0], later(302, now), state=FAILED) is False
    assert OutboxItem.get().state == SENT


def test_two_workers_never_claim_the_same_row(app, registry):
    register_handler("note", lambda item: None)
    with write_transaction():
        for n in range(30):
            enqueue("note", {"n": n})
    now = utcnow()
    claims = []

    def worker():
        with app.app_context():
            claims.append([r.id for r in claim_outbox(now, limit=10)])
            if background.is_postgres():
                background.database.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for batch in claims for i in batch]
    assert len(ids) == 30 and len(set(ids)) == 30


def test_enqueue_with_a_dedupe_key_adds_one_row(app, registry):
    with write_transaction():
        first = enqueue("note", {}, dedupe_key="reward:card:1")
        second = enqueue("note", {}, dedupe_key="reward:card:1")
    assert first is not None and second is None
    assert OutboxItem.select().count() == 1


def test_rows_of_a_kind_without_handler_wait(app, registry):
    with write_transaction():
        enqueue("later-feature", {})
    assert run_once()["outbox"] == 0
    assert OutboxItem.get().state == PENDING


def test_loyalty_worker_once_runs_due_jobs_and_the_outbox(tmp_path, monkeypatch, registry):
    from click.testing import CliRunner

    from loyalty.cli import main

    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "worker.sqlite3"))
    runs = []
    register_job("tick", 60, lambda: runs.append(1))
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    # The app's own features (e.g. R-Series polling) register jobs too; this test's job ran among them.
    assert re.search(r"jobs run: [^;]*\btick\b[^;]*; outbox rows handled: 0", result.output), result.output
    assert runs == [1]
