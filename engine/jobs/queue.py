"""The job table's state changes, each one conditional update: enqueue (idempotent), claim, fence, finish, fail.

A job is claimed by one runner at a time under a lease; a runner that dies leaves the lease to expire and
another takes the job over. `fence` lets a handler prove, inside its own write transaction, that it still
holds the job, so a stale runner's effects roll back instead of landing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.jobs.tables import jobs

READY = ("queued", "retry")
MAX_ERROR = 4000


class LeaseLost(Exception):
    """Another runner took this job over (our lease expired); our work in this transaction must not land."""


@dataclass(frozen=True)
class Claim:
    """A job held by this runner: its key, kind, payload and which attempt this is."""

    key: str
    kind: str
    payload: Mapping[str, Any]
    attempt: int
    max_attempts: int


def enqueue(conn: sa.Connection, key: str, kind: str, payload: Mapping[str, Any], *, now: datetime,
            at: datetime | None = None, max_attempts: int = 5, label: str = "", parent: str | None = None) -> bool:
    """Add a job in the caller's transaction; False (and nothing changes) if a job with this key exists."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(jobs).values(
        key=key[:200], kind=kind, label=label[:200], payload=dict(payload), status="queued", attempts=0,
        max_attempts=max_attempts, next_at=at or now, created_at=now, parent=parent,
    ).on_conflict_do_nothing(index_elements=["key"])
    return bool(conn.execute(stmt).rowcount)


def _ready(now: datetime) -> Any:
    """Jobs a runner may start now: due ones waiting, and running ones whose runner lost its lease."""
    waiting = sa.and_(jobs.c.status.in_(READY), jobs.c.next_at <= now)
    abandoned = sa.and_(jobs.c.status == "running", jobs.c.lease_until < now)
    return sa.or_(waiting, abandoned)


def due_keys(conn: sa.Connection, now: datetime, limit: int, *, requeue_after: timedelta | None = None) -> list[str]:
    """Keys of jobs ready to run, oldest first. With `requeue_after`, only those not handed to a queue lately
    (an abandoned job counts as handed over only if that was after its lease ran out, so it is taken over at once
    but pushed once, not on every round: a dispatcher that pushed it every round would keep a burst going)."""
    query = sa.select(jobs.c.key).where(_ready(now))
    if requeue_after is not None:
        query = query.where(sa.or_(jobs.c.enqueued_at.is_(None), jobs.c.enqueued_at < now - requeue_after,
                                   sa.and_(jobs.c.status == "running", jobs.c.enqueued_at < jobs.c.lease_until)))
    return [str(k) for k in conn.execute(query.order_by(jobs.c.next_at, jobs.c.key).limit(limit)).scalars()]


def mark_enqueued(conn: sa.Connection, keys: list[str], now: datetime) -> None:
    if keys:
        conn.execute(sa.update(jobs).where(jobs.c.key.in_(keys)).values(enqueued_at=now))


def claim(conn: sa.Connection, key: str, now: datetime, lease: timedelta) -> Claim | None:
    """Take a ready job for this runner (one conditional update); None if it is not ready or someone has it."""
    taken = conn.execute(
        sa.update(jobs).where(jobs.c.key == key, _ready(now))
        .values(status="running", attempts=jobs.c.attempts + 1, lease_until=now + lease, started_at=now)
    ).rowcount
    if not taken:
        return None
    row = conn.execute(sa.select(jobs.c.kind, jobs.c.payload, jobs.c.attempts, jobs.c.max_attempts)
                       .where(jobs.c.key == key)).one()
    return Claim(key, str(row.kind), row.payload or {}, int(row.attempts), int(row.max_attempts))


def _held(job: Claim) -> Any:
    return sa.and_(jobs.c.key == job.key, jobs.c.status == "running", jobs.c.attempts == job.attempt)


def fence(conn: sa.Connection, job: Claim, now: datetime, lease: timedelta) -> None:
    """Inside a write transaction: prove we still hold the job (and extend the lease), or raise LeaseLost."""
    if not conn.execute(sa.update(jobs).where(_held(job)).values(lease_until=now + lease)).rowcount:
        raise LeaseLost(job.key)


def progress(conn: sa.Connection, job: Claim, percent: int, text: str = "") -> None:
    conn.execute(sa.update(jobs).where(_held(job)).values(progress=max(0, min(100, percent)), progress_text=text[:200]))


def finish(conn: sa.Connection, job: Claim, now: datetime, result: Any) -> bool:
    return bool(conn.execute(sa.update(jobs).where(_held(job)).values(
        status="done", finished_at=now, result=result, lease_until=None, last_error=None,
        progress=sa.case((jobs.c.progress.is_not(None), 100), else_=None))).rowcount)


def backoff(attempt: int, base: float) -> timedelta:
    """Wait before the next try: base, 2×, 4×… seconds, at most an hour."""
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 3600.0))


def fail(conn: sa.Connection, job: Claim, now: datetime, error: str, *, base: float, permanent: bool = False) -> str:
    """Record a failed try: retry later with backoff, or `failed` after the last try. Returns the new status."""
    final = permanent or job.attempt >= job.max_attempts
    status = "failed" if final else "retry"
    values: dict[str, Any] = {"status": status, "last_error": error[:MAX_ERROR], "lease_until": None,
                              "enqueued_at": None}
    if final:
        values["finished_at"] = now
    else:
        values["next_at"] = now + backoff(job.attempt, base)
    conn.execute(sa.update(jobs).where(_held(job)).values(**values))
    return status


def retry_now(conn: sa.Connection, key: str, now: datetime) -> bool:
    """An admin's retry of a failed (or discarded) job: it gets a fresh set of tries."""
    return bool(conn.execute(sa.update(jobs).where(jobs.c.key == key, jobs.c.status.in_(("failed", "discarded")))
                             .values(status="queued", attempts=0, next_at=now, enqueued_at=None, finished_at=None,
                                     lease_until=None)).rowcount)


def discard(conn: sa.Connection, key: str, now: datetime) -> bool:
    """An admin gives up on a failed or waiting job."""
    return bool(conn.execute(sa.update(jobs).where(jobs.c.key == key, jobs.c.status.in_(("failed", *READY)))
                             .values(status="discarded", finished_at=now, lease_until=None)).rowcount)


def get(conn: sa.Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(jobs).where(jobs.c.key == key)).mappings().first()
    return dict(row) if row else None
