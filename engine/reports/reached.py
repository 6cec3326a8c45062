"""A funnel of reached stages (`chart: {type: funnel, options: {funnel: reached}}`, its one dimension a pipeline's
stage field): each step counts the records that REACHED that stage — that have had a stay (engine/pipelines'
stage periods) in it or in a later step, or are in one now — not only the records sitting in it now, so a won deal
counts in every step.

The steps are the pipeline's stages in order; filters on the stage field choose steps rather than records: `ne`
and `not_in` take stages off the line (`ne lost`: no "lost" step, and a stay in "lost" reaches nothing, so a deal
lost after its proposal counts up to the proposal), `eq` and `in` show only some steps (each still counting the
records that went beyond it). The report's other filters and the viewer's scope apply as usual; the rows come in step order
(no sort, no top-N), and the totals are those of the first step (every record that reached any step)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Definitions, PipelineDef
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor, Filter, Query
from engine.records.query import where_clause
from engine.records.service import RecordService
from engine.reports.model import ReportDef
from engine.storage.database import read_transaction

REACHED = "reached"
STEP_OPS = ("eq", "ne", "in", "not_in")  # the filters on the stage field that choose steps


def reached_pipeline(defs: Definitions, report: ReportDef) -> PipelineDef | None:
    """The pipeline a reached funnel counts along: the one over its dimension's field (None: not such a report)."""
    if report.chart.type != "funnel" or report.chart.options.get("funnel") != REACHED or len(report.dimensions) != 1:
        return None
    field = report.dimensions[0].field
    return next((p for p in defs.pipelines.values() if p.form == report.form and p.field == field), None)


def _keeps(flt: Filter, stage: str) -> bool:
    value = flt.value
    listed = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    return bool({"eq": stage == value, "ne": stage != value, "in": stage in listed,
                 "not_in": stage not in listed}.get(flt.op, True))


def line(pipeline: PipelineDef, report: ReportDef) -> list[str]:
    """The stages a record goes along, in order: the pipeline's, but those a `ne` or `not_in` filter on the stage
    field leaves out (`ne lost`: a lost deal's stay in "lost" reaches nothing)."""
    out = [f for f in report.filters if f.field == pipeline.field and f.op in ("ne", "not_in")]
    return [s.stage for s in pipeline.stages if all(_keeps(f, s.stage) for f in out)]


def steps(pipeline: PipelineDef, report: ReportDef) -> list[str]:
    """The funnel's steps: the stages of its line that the report's `eq` or `in` filters on the stage field keep
    (a dashboard's stage filter shows that step alone, still counting the deals that went beyond it)."""
    shown = [f for f in report.filters if f.field == pipeline.field and f.op in ("eq", "in")]
    return [s for s in line(pipeline, report) if all(_keeps(f, s) for f in shown)]


def other_filters(pipeline: PipelineDef, report: ReportDef) -> tuple[Filter, ...]:
    """The report's filters that select records (those on the stage field choose steps instead)."""
    return tuple(f for f in report.filters if f.field != pipeline.field)


def reached(pipeline: PipelineDef, along: Sequence[str], step: str, table: sa.Table) -> ColumnElement[bool]:
    """SQL: the record (a row of the form's `table`) has had a stay in `step` or in a later stage `along` the
    line, or is in one now (a record older than its stage history)."""
    later = list(along[along.index(step):]) if step in along else []
    t = stage_periods
    return sa.or_(table.c[pipeline.field].in_(later),
                  sa.exists().where(t.c.form == pipeline.form, t.c.field == pipeline.field,
                                    t.c.record_id == table.c.id, t.c.stage.in_(later)))


def step_report(pipeline: PipelineDef, report: ReportDef) -> ReportDef:
    """The report one step is counted with: no dimension, no filter on the stage field, no sort or top-N."""
    return replace(report, dimensions=(), filters=other_filters(pipeline, report), sort=(), limit=None, compare=None)


def reached_ids(records: RecordService, actor: Actor, report: ReportDef, step: str,
                filters: Sequence[Filter]) -> list[int]:
    """For drill-down: the ids of the records `actor` may read that match `filters` (the clicked step's other
    filters) and reached `step` of the report's funnel."""
    pipeline = reached_pipeline(records.runtimes.defs, report)
    if pipeline is None:
        return []
    rt = records.runtime(report.form)
    guard = records.guard(actor, report.form)
    guard.require("read")
    ctx = records.filter_context(actor)
    with read_transaction(records.engine) as conn:
        where = sa.and_(where_clause(rt, Query(filters=tuple(filters)), ctx), guard.predicate(conn, "read", ctx),
                        reached(pipeline, line(pipeline, report), step, rt.main))
        return [int(i) for i, in conn.execute(sa.select(rt.main.c.id).where(where).order_by(rt.main.c.id))]
