"""Reports over stage periods: per stage how many records sit there, how long records stayed, which are stalled;
and the time one record has spent in each stage. Only records the actor may read are counted."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import PipelineDef
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor
from engine.records.service import RecordService
from engine.storage.database import read_transaction

DAY = 86400.0
STALLED_LIMIT = 200


@dataclass(frozen=True)
class StageStat:
    """One stage in a report: records there now, days spent by records that left it (mean and median, None when
    none left yet), how many of those there now are stalled, and its probability."""

    stage: str
    count: int = 0
    left: int = 0
    avg_days: float | None = None
    median_days: float | None = None
    stalled: int = 0
    probability: float | None = None
    stall_days: float | None = None


@dataclass(frozen=True)
class Stalled:
    """A record sitting in a stage longer than its stall_days."""

    record_id: int
    stage: str
    entered_at: datetime
    days: float


@dataclass(frozen=True)
class StageReport:
    """The report of one pipeline at `now`."""

    pipeline: PipelineDef
    now: datetime
    stages: list[StageStat] = field(default_factory=list)
    stalled: list[Stalled] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.stages)


@dataclass(frozen=True)
class StageTimes:
    """Time one record has spent in each stage (seconds, summed over its stays) and when it entered the current one."""

    seconds: Mapping[str, float]
    current: str | None = None
    entered_at: datetime | None = None


def _readable_ids(conn: sa.Connection, records: RecordService, actor: Actor, form_id: str) -> sa.Select[Any]:
    """SELECT of the ids of the live records of the form that `actor` may read (PermissionDenied without read)."""
    guard = records.guard(actor, form_id)
    guard.require("read")
    main = records.runtime(form_id).main
    stmt = sa.select(main.c.id).where(main.c.deleted_at.is_(None))
    if not guard.access.reaches_all("read"):
        stmt = stmt.where(guard.predicate(conn, "read", records.filter_context(actor)))
    return stmt


def _stage_column(records: RecordService, pipeline: PipelineDef) -> sa.Column[Any]:
    rt = records.runtime(pipeline.form)
    f = rt.form.field(pipeline.field)
    if f is None:
        raise KeyError(f"form '{pipeline.form}' has no field '{pipeline.field}'")
    return rt.main.c[next(iter(rt.types[f.id].to_db(f, None)))]


def stage_report(records: RecordService, actor: Actor, pipeline: PipelineDef, now: datetime) -> StageReport:
    """Count, mean and median days, and stalled records per stage, over the records `actor` may read."""
    t = stage_periods
    column = _stage_column(records, pipeline)
    main = records.runtime(pipeline.form).main
    mine = (t.c.form == pipeline.form, t.c.field == pipeline.field)
    with read_transaction(records.engine) as conn:
        readable = _readable_ids(conn, records, actor, pipeline.form).subquery()
        counts: dict[Any, int] = dict(conn.execute(sa.select(column, sa.func.count()).where(main.c.id.in_(sa.select(readable.c.id)))
                                   .group_by(column)).all())
        spent: dict[str, list[float]] = {}
        for stage, seconds in conn.execute(sa.select(t.c.stage, t.c.seconds).where(
                *mine, t.c.left_at.is_not(None), t.c.record_id.in_(sa.select(readable.c.id)))):
            spent.setdefault(str(stage), []).append(float(seconds or 0) / DAY)
        stalled = _stalled(conn, pipeline, readable, column, main, now)
    stats = []
    for stage in pipeline.stages:
        days = spent.get(stage.stage, [])
        stats.append(StageStat(
            stage.stage, int(counts.get(stage.stage, 0)), len(days),
            statistics.fmean(days) if days else None, statistics.median(days) if days else None,
            sum(1 for s in stalled if s.stage == stage.stage), stage.probability, stage.stall_days))
    return StageReport(pipeline, now, stats, stalled[:STALLED_LIMIT])


def _stalled(conn: sa.Connection, pipeline: PipelineDef, readable: Any, column: sa.Column[Any], main: sa.Table,
             now: datetime) -> list[Stalled]:
    """Records in a stage with stall_days longer than that (by their open period), longest first."""
    t = stage_periods
    found: list[Stalled] = []
    for stage in pipeline.stages:
        if stage.stall_days is None:
            continue
        since = now - timedelta(days=stage.stall_days)
        rows = conn.execute(sa.select(t.c.record_id, t.c.entered_at).join(main, main.c.id == t.c.record_id).where(
            t.c.form == pipeline.form, t.c.field == pipeline.field, t.c.stage == stage.stage, t.c.left_at.is_(None),
            t.c.entered_at < since, column == stage.stage, t.c.record_id.in_(sa.select(readable.c.id))))
        found += [Stalled(int(rid), stage.stage, at, (now - at).total_seconds() / DAY) for rid, at in rows]
    return sorted(found, key=lambda s: -s.days)


def stage_times(records: RecordService, pipeline: PipelineDef, record_id: int, now: datetime) -> StageTimes:
    """Seconds a record has spent in each stage (the current stay counted up to `now`); the caller has already
    read the record, so no permission check here."""
    t = stage_periods
    seconds: dict[str, float] = {}
    current: tuple[str, datetime] | None = None
    with read_transaction(records.engine) as conn:
        rows = conn.execute(sa.select(t.c.stage, t.c.entered_at, t.c.seconds, t.c.left_at).where(
            t.c.form == pipeline.form, t.c.field == pipeline.field, t.c.record_id == record_id).order_by(t.c.id))
        for stage, entered_at, spent, left_at in rows:
            if left_at is None:
                spent, current = max(0.0, (now - entered_at).total_seconds()), (str(stage), entered_at)
            seconds[str(stage)] = seconds.get(str(stage), 0.0) + float(spent or 0)
    return StageTimes(seconds, current[0] if current else None, current[1] if current else None)
