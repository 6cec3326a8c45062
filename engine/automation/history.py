"""What automations have done: each one's last run and its runs and failures in a recent window, and the run
history of one automation (newest first) with the jobs each run queued."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.jobs.listing import children, jobs_by_key
from engine.jobs.tables import automation_runs

RUN_STATUSES = ("running", "retrying", "done", "skipped", "failed")
MAX_PAGE = 200


@dataclass(frozen=True)
class RunStats:
    """One automation at a glance: its latest run (time, status, error) and runs and failures since a moment."""

    last_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    runs: int = 0
    failures: int = 0


@dataclass(frozen=True)
class RunPage:
    """A page of one automation's runs (newest first), each with its own job and the jobs it queued."""

    runs: list[dict[str, Any]]
    page: int
    more: bool
    total: int


def run_stats(conn: sa.Connection, since: datetime) -> dict[str, RunStats]:
    """automation id → its stats; runs and failures count those started at or after `since`."""
    r = automation_runs.c
    recent = sa.select(r.automation, sa.func.count(),
                       sa.func.sum(sa.case((r.status == "failed", 1), else_=0))) \
        .where(r.started_at >= since).group_by(r.automation)
    counts = {str(a): (int(n), int(f or 0)) for a, n, f in conn.execute(recent)}
    latest = sa.select(r.automation, sa.func.max(r.started_at).label("at")).group_by(r.automation).subquery()
    last_rows = conn.execute(sa.select(r.automation, r.started_at, r.status, r.error, r.key)
                             .join(latest, sa.and_(r.automation == latest.c.automation, r.started_at == latest.c.at))
                             .order_by(r.key)).all()
    last = {str(row.automation): row for row in last_rows}  # a tie on the same instant: the last key wins
    stats: dict[str, RunStats] = {}
    for automation in set(counts) | set(last):
        row = last.get(automation)
        runs, failures = counts.get(automation, (0, 0))
        stats[automation] = RunStats(row.started_at if row else None, str(row.status) if row else None,
                                     row.error if row else None, runs, failures)
    return stats


def list_runs_sql(automation_id: str, page: int, per_page: int) -> sa.Select[Any]:
    """The query for a page of an automation's runs, newest first (runs of one instant by record, newest first)."""
    per_page = max(1, min(per_page, MAX_PAGE))
    return sa.select(automation_runs).where(automation_runs.c.automation == automation_id) \
        .order_by(automation_runs.c.started_at.desc(), automation_runs.c.record_id.desc().nulls_last(),
                  automation_runs.c.key.desc()) \
        .offset((max(1, page) - 1) * per_page).limit(per_page + 1)


def _with_jobs(conn: sa.Connection, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each run with `job` (its own job row, the same key) and `children` (the jobs it queued)."""
    keys = [str(run["key"]) for run in runs]
    own, queued = jobs_by_key(conn, keys), children(conn, keys)
    return [{**run, "steps": run.get("steps") or [], "job": own.get(str(run["key"])),
             "children": queued.get(str(run["key"]), [])} for run in runs]


def list_runs(conn: sa.Connection, automation_id: str, *, page: int = 1, per_page: int = 20) -> RunPage:
    """A page (1-based) of the automation's runs, newest first, with their jobs."""
    per_page = max(1, min(per_page, MAX_PAGE))
    rows = [dict(r) for r in conn.execute(list_runs_sql(automation_id, page, per_page)).mappings()]
    total = conn.execute(sa.select(sa.func.count()).select_from(automation_runs)
                         .where(automation_runs.c.automation == automation_id)).scalar()
    return RunPage(_with_jobs(conn, rows[:per_page]), max(1, page), len(rows) > per_page, int(total or 0))


def automations_of(conn: sa.Connection, keys: Iterable[str]) -> dict[str, str]:
    """run key → its automation, for those of these keys that are automation runs."""
    wanted = sorted({k for k in keys if k})
    if not wanted:
        return {}
    stmt = sa.select(automation_runs.c.key, automation_runs.c.automation).where(automation_runs.c.key.in_(wanted))
    return {str(k): str(a) for k, a in conn.execute(stmt)}


def get_run(conn: sa.Connection, automation_id: str, key: str) -> dict[str, Any] | None:
    """One run of the automation with its jobs; None if there is no such run of this automation."""
    stmt = sa.select(automation_runs).where(automation_runs.c.key == key, automation_runs.c.automation == automation_id)
    row = conn.execute(stmt).mappings().first()
    return _with_jobs(conn, [dict(row)])[0] if row else None
