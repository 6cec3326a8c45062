"""Reading the job table for people: counts by status, a page of jobs in one status, the jobs a run queued,
and one job's progress as a page polls it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.jobs.queue import READY
from engine.jobs.tables import jobs

STATUSES = ("queued", "running", "retry", "done", "failed", "discarded")
RETRYABLE = ("failed", "discarded")  # what queue.retry_now accepts
DISCARDABLE = ("failed", *READY)  # what queue.discard accepts
MAX_PAGE = 500

# what a list shows of a job (not its payload or result, which can be large)
SUMMARY = (jobs.c.key, jobs.c.kind, jobs.c.label, jobs.c.status, jobs.c.attempts, jobs.c.max_attempts, jobs.c.next_at,
           jobs.c.created_at, jobs.c.started_at, jobs.c.finished_at, jobs.c.last_error, jobs.c.progress,
           jobs.c.progress_text, jobs.c.parent)


@dataclass(frozen=True)
class JobPage:
    """One page of jobs (newest first) and whether there are more after it."""

    jobs: list[dict[str, Any]]
    page: int
    more: bool


def status_counts(conn: sa.Connection) -> dict[str, int]:
    """How many jobs are in each status (every status named, 0 when none)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in conn.execute(sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)):
        counts[str(status)] = int(n)
    return counts


def list_jobs_sql(status: str, page: int, per_page: int) -> sa.Select[Any]:
    """The query for a page of jobs in one status: newest first (by creation, then key)."""
    per_page = max(1, min(per_page, MAX_PAGE))
    return sa.select(*SUMMARY).where(jobs.c.status == status) \
        .order_by(jobs.c.created_at.desc(), jobs.c.key.desc()).offset((max(1, page) - 1) * per_page).limit(per_page + 1)


def list_jobs(conn: sa.Connection, status: str, *, page: int = 1, per_page: int = 50) -> JobPage:
    """A page (1-based) of the jobs in `status`, newest first."""
    rows = [dict(r) for r in conn.execute(list_jobs_sql(status, page, per_page)).mappings()]
    per_page = max(1, min(per_page, MAX_PAGE))
    return JobPage(rows[:per_page], max(1, page), len(rows) > per_page)


def jobs_by_key(conn: sa.Connection, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Summaries of the jobs with these keys (the missing ones left out)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    return {str(r["key"]): dict(r) for r in conn.execute(sa.select(*SUMMARY).where(jobs.c.key.in_(wanted))).mappings()}


def children(conn: sa.Connection, parents: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The jobs each parent (an automation run) queued — emails, webhook calls — oldest first."""
    wanted = sorted(set(parents))
    found: dict[str, list[dict[str, Any]]] = {p: [] for p in wanted}
    if not wanted:
        return found
    stmt = sa.select(*SUMMARY).where(jobs.c.parent.in_(wanted)).order_by(jobs.c.created_at, jobs.c.key)
    for row in conn.execute(stmt).mappings():
        found[str(row["parent"])].append(dict(row))
    return found


def progress_of(conn: sa.Connection, key: str) -> dict[str, Any] | None:
    """What a page polling a long job shows: status, progress (0–100 or None), its text and the last error."""
    row = conn.execute(sa.select(jobs.c.status, jobs.c.progress, jobs.c.progress_text, jobs.c.last_error)
                       .where(jobs.c.key == key)).first()
    if row is None:
        return None
    return {"status": str(row.status), "progress": row.progress, "progress_text": row.progress_text or "",
            "error": row.last_error}
