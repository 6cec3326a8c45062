"""JobService: relay the outbox into jobs, tick the clock for scheduled work, and run due jobs.

Producers are registered by the parts of the engine that need background work (automations, mail):
- handlers run one kind of job;
- outbox consumers turn a committed record event into jobs, in the relay's transaction;
- tickers turn a stretch of time (previous tick, now] into jobs (schedules, date triggers).
Because every produced job has a key, relaying or ticking twice produces nothing twice.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.jobs import queue
from engine.jobs.context import JobContext, PermanentError
from engine.jobs.queue import LeaseLost
from engine.jobs.tables import automation_state
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import outbox

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.jobs")

Handler = Callable[[JobContext], Any]
OutboxConsumer = Callable[[sa.Connection, "OutboxEvent", datetime], None]
Ticker = Callable[[sa.Connection, datetime, datetime], None]
CLOCK_KEY = "clock:tick"
MAX_CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class OutboxEvent:
    """One committed change, as the record service wrote it to the outbox."""

    id: int
    topic: str
    form: str | None
    payload: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class RunOutcome:
    key: str
    status: str  # done | retry | failed | busy (someone else holds it or it is not ready) | lost
    error: str | None = None


class JobService:
    """The job system of one workspace (`host`): registration, relay, ticks and running jobs."""

    def __init__(self, host: Workspace, *, lease_seconds: float = 300, backoff_seconds: float = 10):
        self.host = host
        self.lease = timedelta(seconds=lease_seconds)
        self.backoff = backoff_seconds
        self.handlers: dict[str, Handler] = {}
        self.consumers: list[OutboxConsumer] = []
        self.tickers: list[Ticker] = []

    def handle(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def consume(self, consumer: OutboxConsumer) -> None:
        self.consumers.append(consumer)

    def tick_with(self, ticker: Ticker) -> None:
        self.tickers.append(ticker)

    # --- producing jobs -------------------------------------------------------------------------

    def relay(self, limit: int = 500) -> int:
        """Turn undispatched outbox events into jobs, in one transaction per batch; returns events relayed."""
        with read_transaction(self.host.engine) as conn:  # idle rounds only read: no write lock every half second
            if conn.execute(sa.select(outbox.c.id).where(outbox.c.dispatched_at.is_(None)).limit(1)).first() is None:
                return 0
        with write_transaction(self.host.engine) as conn:
            query = sa.select(outbox).where(outbox.c.dispatched_at.is_(None)).order_by(outbox.c.id).limit(limit)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).mappings().all()
            if not rows:
                return 0
            now = self.host.now()
            for row in rows:
                event = OutboxEvent(int(row["id"]), str(row["topic"]), row["form"], row["payload"] or {},
                                    row["created_at"])
                for consumer in self.consumers:
                    consumer(conn, event, now)
            conn.execute(sa.update(outbox).where(outbox.c.id.in_([r["id"] for r in rows]))
                         .values(dispatched_at=now, attempts=outbox.c.attempts + 1))
        return len(rows)

    def tick(self) -> bool:
        """Give the tickers the time since the last tick (at most a day back); False if another runner ticked."""
        with write_transaction(self.host.engine) as conn:
            now = self.host.now()
            query = sa.select(automation_state.c.value).where(automation_state.c.key == CLOCK_KEY)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            stored = conn.execute(query).scalar()
            previous = datetime.fromisoformat(str(stored["at"])) if isinstance(stored, dict) else now - timedelta(minutes=1)
            previous = max(previous, now - MAX_CATCH_UP)
            if now <= previous:
                return False
            for ticker in self.tickers:
                ticker(conn, previous, now)
            value = {"at": now.isoformat()}
            if stored is None:
                conn.execute(sa.insert(automation_state).values(key=CLOCK_KEY, value=value))
            else:
                conn.execute(sa.update(automation_state).where(automation_state.c.key == CLOCK_KEY).values(value=value))
        return True

    # --- running jobs ---------------------------------------------------------------------------

    def due(self, limit: int = 100, requeue_after: timedelta | None = None) -> list[str]:
        with read_transaction(self.host.engine) as conn:
            return queue.due_keys(conn, self.host.now(), limit, requeue_after=requeue_after)

    def run(self, key: str) -> RunOutcome:
        """Claim and run one job; its handler's errors become a retry (with backoff) or a failure."""
        with write_transaction(self.host.engine) as conn:
            job = queue.claim(conn, key, self.host.now(), self.lease)
        if job is None:
            return RunOutcome(key, "busy")
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise PermanentError(f"no handler for jobs of kind '{job.kind}'")
            result = handler(JobContext(self.host, job, self.lease))
        except LeaseLost:
            return RunOutcome(key, "lost")
        except Exception as exc:  # a job's failure is recorded on the job, never lost in a log
            permanent = isinstance(exc, PermanentError)
            message = str(exc) if permanent else "".join(traceback.format_exception_only(exc)).strip()
            if not permanent:
                log.warning("job %s failed (try %s of %s): %s", key, job.attempt, job.max_attempts, message)
            with write_transaction(self.host.engine) as conn:
                status = queue.fail(conn, job, self.host.now(), message, base=self.backoff, permanent=permanent)
            return RunOutcome(key, status, message)
        with write_transaction(self.host.engine) as conn:
            done = queue.finish(conn, job, self.host.now(), _jsonable(result))
        return RunOutcome(key, "done" if done else "lost")

    def run_due(self, limit: int = 100) -> list[RunOutcome]:
        return [self.run(key) for key in self.due(limit)]

    def drain(self, rounds: int = 50) -> list[RunOutcome]:
        """Relay, tick and run until nothing is left to do now (the in-process mode and tests use it)."""
        outcomes: list[RunOutcome] = []
        for _ in range(rounds):
            relayed = self.relay()
            self.tick()
            ran = self.run_due()
            outcomes.extend(ran)
            if not relayed and not any(o.status != "busy" for o in ran):
                break
        return outcomes

    def retry(self, key: str) -> bool:
        with write_transaction(self.host.engine) as conn:
            return queue.retry_now(conn, key, self.host.now())

    def discard(self, key: str) -> bool:
        with write_transaction(self.host.engine) as conn:
            return queue.discard(conn, key, self.host.now())

    def get(self, key: str) -> dict[str, Any] | None:
        with read_transaction(self.host.engine) as conn:
            return queue.get(conn, key)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
