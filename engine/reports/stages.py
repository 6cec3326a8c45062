"""Time in a pipeline stage as a report measure (`aggregate: stage_time`): per record, the days it spent in the
stage, summed over its stays there, from the pipeline's stage periods; the report averages it over the records
that have such a stay. Stays that ended count; with `current`, so does a stay still going on, up to now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Definitions, PipelineDef
from engine.i18n import I18n, text
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor, Filter, Query
from engine.records.query import where_clause
from engine.records.runtime import FormRuntime
from engine.records.service import RecordService
from engine.reports.model import MeasureDef, ReportDef
from engine.storage.database import read_transaction
from engine.storage.sqltypes import UTCDateTime

DAY = 86400.0


def measure_pipeline(defs: Definitions, form_id: str, m: MeasureDef) -> PipelineDef | None:
    """The pipeline a stage-time measure reads: the one over its `field`, or the form's only one without it."""
    found = [p for p in defs.pipelines.values() if p.form == form_id and (m.field is None or p.field == m.field)]
    return found[0] if len(found) == 1 else None


def stays(pipeline: PipelineDef, m: MeasureDef, record_id: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """The stage periods the measure counts for the record whose id is `record_id`."""
    t = stage_periods
    found = [t.c.form == pipeline.form, t.c.field == pipeline.field, t.c.stage == str(m.stage),
             t.c.record_id == record_id]
    if not m.current:
        found.append(t.c.left_at.is_not(None))
    return found


def stage_days(pipeline: PipelineDef, m: MeasureDef, record_id: ColumnElement[Any], now: datetime,
               dialect: str) -> ColumnElement[Any]:
    """SQL: the days the record spent in the measure's stage (NULL when it has no such stay), a correlated
    subquery on the periods' (form, record, field) index."""
    t = stage_periods
    seconds: ColumnElement[Any] = t.c.seconds
    if m.current:
        at = sa.literal(now, UTCDateTime())
        if dialect == "postgresql":
            so_far: ColumnElement[Any] = sa.extract("epoch", at - t.c.entered_at)
        else:
            so_far = (sa.func.julianday(at) - sa.func.julianday(t.c.entered_at)) * DAY
        seconds = sa.func.coalesce(t.c.seconds, so_far)
    return sa.select(sa.func.sum(seconds) / DAY).where(*stays(pipeline, m, record_id)).scalar_subquery()


def had_stay(pipeline: PipelineDef, m: MeasureDef, record_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL: the record has a stay the measure counts."""
    return sa.exists().where(*stays(pipeline, m, record_id))


def stage_time_label(rt: FormRuntime, m: MeasureDef) -> I18n:
    """The column's name when the measure has no label: "Days in <stage>", the stage as its option reads."""
    pipeline = measure_pipeline(rt.defs, rt.form.id, m)
    f = rt.field(pipeline.field) if pipeline is not None else None
    options = {key: label for key, label, _ in rt.field_type_of(f).members(f)} if f is not None else {}
    stage = options.get(m.stage, str(m.stage))
    return {"zh": f"{text(stage, 'zh')}停留天数", "en": f"Days in {text(stage, 'en')}"}


def stayed(records: RecordService, actor: Actor, report: ReportDef, measure_id: str,
           filters: Sequence[Filter]) -> list[int] | None:
    """For drill-down: the ids of the records `actor` may read that match `filters` (the clicked cell's) and have
    a stay the stage-time measure counts; None when the measure is not a stage time."""
    m = report.measure(measure_id)
    pipeline = measure_pipeline(records.runtimes.defs, report.form, m) if m is not None else None
    if m is None or m.aggregate != "stage_time" or pipeline is None:
        return None
    rt = records.runtime(report.form)
    guard = records.guard(actor, report.form)
    guard.require("read")
    ctx = records.filter_context(actor)
    with read_transaction(records.engine) as conn:
        where = sa.and_(where_clause(rt, Query(filters=tuple(filters)), ctx), guard.predicate(conn, "read", ctx),
                        had_stay(pipeline, m, rt.main.c.id))
        return [int(i) for i, in conn.execute(sa.select(rt.main.c.id).where(where).order_by(rt.main.c.id))]
