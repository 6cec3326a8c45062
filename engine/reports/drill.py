"""Drill-down: the list query selecting exactly the records behind one number of a report (a row's members, and
the measure's own filter), so the list page's count equals the cell. The list applies the viewer's scope itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from engine.definitions.model import PipelineDef
from engine.errors import QueryInvalid
from engine.records.model import Filter, Query
from engine.records.paths import FieldPath, resolve_path
from engine.records.runtime import FormRuntime
from engine.reports.buckets import next_start
from engine.reports.labels import OTHERS_KEY
from engine.reports.model import DimensionDef, ReportDef
from engine.reports.reached import other_filters, reached_pipeline, steps

NOT_DRILLABLE = "this number has no single list of records behind it"
Stayed = Callable[[list[Filter]], Sequence[int]]  # a stage time's records among those matching the filters
Reached = Callable[[Any, list[Filter]], Sequence[int]]  # a funnel step's records among those matching the filters


def drill_query(rt: FormRuntime, report: ReportDef, keys: Sequence[Any], tz: tzinfo, measure: str | None = None,
                kept: Sequence[Sequence[Any]] = (), limit: int = 50, stayed: Stayed | None = None,
                reached: Reached | None = None) -> Query:
    """The list query for the row whose dimension keys are `keys` (Member.key, in dimension order; an "others"
    row needs `kept`, the keys of the rows shown before it). `tz` is the zone the report buckets dates in.
    A stage-time measure needs `stayed`: given the cell's other filters, the ids of the records among them with a
    stay it counts (`stages.stayed`); the list gets `id in (…)`.
    A funnel of reached stages needs `reached`: given a step and the other filters, the ids of the records among
    them that reached it (`reached.reached_ids`).
    QueryInvalid when the number is not one set of records (a formula measure, others across two dimensions)."""
    pipeline = reached_pipeline(rt.defs, report)
    if pipeline is not None and len(keys) <= 1:  # a step, or no key: the total
        return _reached_query(report, pipeline, keys, measure, limit, reached)
    if len(keys) != len(report.dimensions):
        raise QueryInvalid("bad_filter", message=f"the report has {len(report.dimensions)} dimensions, "
                           f"{len(keys)} values were given")
    filters = list(report.filters)
    for i, (dim, key) in enumerate(zip(report.dimensions, keys)):
        if key == OTHERS_KEY:
            filters.extend(_others(_path(rt, dim), dim, [row[i] for row in kept], len(report.dimensions)))
        else:
            filters.extend(member_filters(rt, dim, key, tz))
    if measure is not None:
        filters.extend(_measure(report, measure, filters, stayed))
    return Query(filters=tuple(filters), limit=limit, with_total=True)


def _reached_query(report: ReportDef, pipeline: PipelineDef, keys: Sequence[Any], measure: str | None, limit: int,
                   reached: Reached | None) -> Query:
    """The records a step of a reached funnel counts: the report's record filters, then `id in (…)`."""
    if reached is None:
        raise QueryInvalid("bad_filter", message="a funnel step's records are those that reached it: none were given")
    filters = list(other_filters(pipeline, report))
    if measure is not None:
        filters.extend(_measure(report, measure, filters, None))
    if keys:  # a step, or (no key) every record that reached a step: the first step's
        step = keys[0]
    else:
        chosen = steps(pipeline, report)
        step = chosen[0] if chosen else None
    ids = reached(step, filters) if step is not None else []
    filters.append(Filter("id", "in", tuple(ids)) if ids else Filter("id", "empty"))
    return Query(filters=tuple(filters), limit=limit, with_total=True)


def member_filters(rt: FormRuntime, dim: DimensionDef, key: Any, tz: tzinfo) -> list[Filter]:
    """The list filters selecting the records under one member (a field holding several values: the records
    whose list holds it)."""
    if key is None:
        return [Filter(dim.field, "empty")]
    path = _path(rt, dim)
    if not dim.bucket:
        return [Filter(dim.field, path.ftype.member_op(path.field),
                       key.isoformat() if isinstance(key, (date, datetime)) else key)]
    start = date.fromisoformat(str(key)[:10])
    end = next_start(start, dim.bucket)
    if path.ftype.zoned(path.field):
        low, high = (datetime(d.year, d.month, d.day, tzinfo=tz).isoformat() for d in (start, end))
        return [Filter(dim.field, "ge", low), Filter(dim.field, "lt", high)]
    return [Filter(dim.field, "ge", start.isoformat()), Filter(dim.field, "lt", end.isoformat())]


def _path(rt: FormRuntime, dim: DimensionDef) -> FieldPath:
    path = resolve_path(rt, dim.field)
    if path is None:
        raise QueryInvalid("bad_filter", message=f"cannot filter on '{dim.field}'")
    return path


def _others(path: FieldPath, dim: DimensionDef, shown: list[Any], dimensions: int) -> list[Filter]:
    """The records in none of the rows shown: one dimension, not bucketed, one value per record (a list of values
    to leave out; a record holding several values is in "others" for the values not shown)."""
    if dimensions != 1 or dim.bucket or path.ftype.member_op(path.field) != "eq":
        raise QueryInvalid("bad_filter", message=NOT_DRILLABLE)
    values = [k for k in shown if k is not None]
    found = [Filter(dim.field, "not_in", tuple(values))] if values else []
    if None in shown:
        found.append(Filter(dim.field, "not_empty"))
    return found


def _measure(report: ReportDef, measure_id: str, before: list[Filter], stayed: Stayed | None) -> list[Filter]:
    m = report.measure(measure_id)
    if m is None:
        raise QueryInvalid("bad_filter", message=f"the report has no measure '{measure_id}'")
    if m.formula is not None:
        raise QueryInvalid("bad_filter", message=NOT_DRILLABLE)
    found = list(m.filters)
    if m.aggregate == "duration":
        found += [Filter(str(m.start), "not_empty"), Filter(str(m.end), "not_empty")]
    if m.aggregate == "stage_time":
        if stayed is None:
            raise QueryInvalid("bad_filter", message="a stage time's records are those with a stay in the stage: "
                                                     "none were given")
        ids = stayed(before + found)
        found.append(Filter("id", "in", tuple(ids)) if ids else Filter("id", "empty"))
    return found
