"""A burst worker ends when nothing is left to do now, whatever the timing: rq's command listener cannot hold a
worker's return for a minute, an abandoned job is pushed once (not on every round), and what is not due or is
held by another runner is left alone."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from redis import Redis
from rq import Queue

from engine.jobs import queue as jobqueue
from engine.jobs.rq_bridge import QUEUE, Worker, push_due
from engine.mail import counters
from engine.storage.database import write_transaction
from engine.workspace import Workspace
from tests.jobs.conftest import job_rows, run_burst, wait_until

HOUR = timedelta(hours=1)
RQ_COMMAND_READ = 60  # seconds: how long rq's own listener reads its command channel before it looks up


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """rq installs SIGINT/SIGTERM handlers when it works in this process: give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


class ListenerReadsFirst(Worker):
    """Our worker, with the interleaving that hung bursts forced: its command listener reads the reply to the
    worker's UNSUBSCRIBE before the worker tells it to stop (under load, the listener thread often wins)."""

    def subscribe(self) -> None:
        super().subscribe()
        pubsub: Any = self.pubsub
        unsubscribe = pubsub.unsubscribe

        def unsubscribe_then_let_the_listener_read(*args: Any) -> Any:
            sent = unsubscribe(*args)
            wait_until(lambda: not pubsub.subscribed, 120, "the listener to read the unsubscribe reply")
            return sent

        pubsub.unsubscribe = unsubscribe_then_let_the_listener_read


def test_a_worker_returns_at_once_when_its_listener_read_the_unsubscribe_reply(
        redis: Redis, keep_signal_handlers: None) -> None:
    worker = ListenerReadsFirst([Queue(QUEUE, connection=redis)], connection=redis)
    started = time.monotonic()
    assert worker.work(burst=True, logging_level="WARNING") is False  # nothing queued: one empty round
    # rq's listener would wait a whole read for a subscription that never comes; ours looks up within a second
    assert time.monotonic() - started < RQ_COMMAND_READ / 2


def _job(ws: Workspace, key: str, *, at: datetime | None = None) -> None:
    """A recount of a record that does not exist: a real job that finishes at once ("skipped")."""
    with write_transaction(ws.engine) as conn:
        jobqueue.enqueue(conn, key, counters.KIND, {"form": "customer", "id": 999_999, "fields": {}},
                         now=ws.now(), at=at)


def _claim(ws: Workspace, key: str, *, now: datetime, lease: timedelta) -> jobqueue.Claim:
    with write_transaction(ws.engine) as conn:
        claim = jobqueue.claim(conn, key, now, lease)
    assert claim is not None
    return claim


def _states(ws: Workspace) -> dict[str, tuple[str, int]]:
    return {j["key"]: (j["status"], j["attempts"]) for j in job_rows(ws)}


def _leave_work_that_is_not_for_now(ws: Workspace) -> None:
    """A job due in an hour, one failed with its retry in an hour, one held by a live runner, one abandoned."""
    now = ws.now()
    _job(ws, "burst:later", at=now + HOUR)
    _job(ws, "burst:retry", at=now)
    failed = _claim(ws, "burst:retry", now=now, lease=HOUR)
    with write_transaction(ws.engine) as conn:
        jobqueue.fail(conn, failed, now, "HTTP 503", base=HOUR.total_seconds())
    _job(ws, "burst:held", at=now)
    _claim(ws, "burst:held", now=now, lease=HOUR)
    _job(ws, "burst:abandoned", at=now - 3 * HOUR)
    _claim(ws, "burst:abandoned", now=now - 2 * HOUR, lease=HOUR)  # its runner died an hour ago


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_burst_ends_when_what_is_left_is_not_due_or_held_by_another_runner(
        shop_factory: Callable[..., Workspace], redis_url: str, db: str) -> None:
    ws = shop_factory(db)
    _leave_work_that_is_not_for_now(ws)
    _job(ws, "burst:now")
    run_burst(ws, redis_url)
    assert _states(ws) == {"burst:later": ("queued", 0), "burst:retry": ("retry", 1), "burst:held": ("running", 1),
                           "burst:abandoned": ("done", 2), "burst:now": ("done", 1)}
    run_burst(ws, redis_url)  # nothing is due now: a burst with nothing to do ends too
    assert _states(ws)["burst:retry"] == ("retry", 1)


def test_an_abandoned_job_is_pushed_once_when_its_lease_runs_out(shop_factory: Callable[..., Workspace],
                                                                  redis: Redis) -> None:
    ws = shop_factory()
    rq_queue = Queue(QUEUE, connection=redis)
    now = ws.now()
    for key in ("lost:never-pushed", "lost:pushed-before"):
        _job(ws, key, at=now - 3 * HOUR)
    with write_transaction(ws.engine) as conn:  # handed to Redis when it came due, two hours ago
        jobqueue.mark_enqueued(conn, ["lost:pushed-before"], now - 2 * HOUR)
    for key in ("lost:never-pushed", "lost:pushed-before"):
        _claim(ws, key, now=now - 2 * HOUR + timedelta(seconds=1), lease=HOUR)
    assert push_due(ws, rq_queue) == 2  # both runners are gone: both jobs go to Redis for a takeover …
    assert push_due(ws, rq_queue) == 0  # … once: a dispatcher round that pushed them again would never be idle
    assert rq_queue.count == 2
