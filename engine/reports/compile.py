"""A report as SQL, built apart from running it: one aggregate SELECT over the form's table (relation paths LEFT
JOINed) under the viewer's scope. Dimension keys and measure inputs are computed per record in an inner SELECT;
the outer one groups and aggregates them, so every statement is parameterised and groups by plain columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import QueryInvalid
from engine.fields.base import FilterContext
from engine.records.model import Filter, Query
from engine.records.paths import FieldPath, linked, path_filter, resolve_path
from engine.records.query import where_clause
from engine.records.runtime import FormRuntime
from engine.reports.buckets import bucket_sql
from engine.reports.model import MeasureDef, ReportDef
from engine.reports.stages import measure_pipeline, stage_days

AGGREGATES: dict[str, Callable[[ColumnElement[Any]], ColumnElement[Any]]] = {
    "count": sa.func.count, "sum": sa.func.sum, "avg": sa.func.avg, "min": sa.func.min, "max": sa.func.max,
    "distinct": lambda col: sa.func.count(sa.distinct(col)), "duration": sa.func.avg, "stage_time": sa.func.avg,
}


class FieldHidden(QueryInvalid):
    """The report names a field the viewer may not see (a 403: the report is not for them as it stands)."""

    def __init__(self, name: str):
        super().__init__("bad_filter", message=f"you may not see the field '{name}' this report uses")
        self.field = name


@dataclass(frozen=True)
class DimensionSpec:
    id: str
    path: FieldPath
    bucket: str | None


@dataclass
class CompiledReport:
    """The report's statements: `grouped()` gives a row per combination of dimension keys, `totals()` one row
    over every record in scope (optionally leaving out some key combinations: the rest after a top-N)."""

    report: ReportDef
    dimensions: list[DimensionSpec]
    aggregated: list[MeasureDef]  # the measures computed in SQL (formula measures are computed after)
    inner: sa.Subquery
    whole: sa.Subquery | None = None  # one row per record, when a dimension spreads a record over several rows

    @property
    def spread(self) -> bool:
        """Whether a record may be in several groups (a dimension on a field holding several values)."""
        return self.whole is not None

    def _measures(self, inner: sa.Subquery | None = None) -> list[ColumnElement[Any]]:
        inner = self.inner if inner is None else inner
        return [(sa.func.count() if _every_row(m) else AGGREGATES[str(m.aggregate)](inner.c[f"m{i}"])).label(f"m{i}")
                for i, m in enumerate(self.aggregated)]

    def keys(self) -> list[ColumnElement[Any]]:
        return [self.inner.c[f"d{i}"] for i in range(len(self.dimensions))]

    def grouped(self) -> sa.Select[Any]:
        keys = self.keys()  # select_from: a plain count(*) names no column of the rows it counts
        return sa.select(*keys, *self._measures()).select_from(self.inner).group_by(*keys)

    def totals(self, leave_out: Sequence[Sequence[Any]] = ()) -> sa.Select[Any]:
        """Every record once; with `leave_out`, the rows of the other key combinations (a record holding several
        of their values is in each of them, as in the rows)."""
        rows = self.whole if self.whole is not None and not leave_out else self.inner
        stmt = sa.select(*self._measures(rows)).select_from(rows)
        if leave_out:
            keys = self.keys()
            stmt = stmt.where(sa.not_(sa.or_(*(sa.and_(*(k.is_not_distinct_from(v) for k, v in zip(keys, row)))
                                               for row in leave_out))))
        return stmt


def compile_report(rt: FormRuntime, report: ReportDef, ctx: FilterContext, scope: ColumnElement[bool],
                   tz: tzinfo, sees: Callable[[str], bool]) -> CompiledReport:
    """The report's SQL for one viewer: `scope` is the rows they may read, `sees(path)` whether they may see a
    field; `tz` is the zone dates are bucketed in. FieldHidden for a field they may not see."""
    compiler = _Compiler(rt, ctx, sees)
    where = sa.and_(where_clause(rt, Query(filters=tuple(compiler.filter_paths(report.filters)), search=report.search),
                                 ctx), scope)
    dims = [DimensionSpec(d.id, compiler.path(d.field), d.bucket) for d in report.dimensions]
    keys: list[ColumnElement[Any]] = []
    spreads: list[sa.FromClause] = []
    for i, d in enumerate(dims):
        col = compiler.column(d.path)
        items = d.path.ftype.spread(d.path.field, col, ctx.dialect)
        if items is not None:
            spreads.append(items)
            col = items.c.value
        elif d.bucket:
            col = bucket_sql(col, d.bucket, d.path.ftype.zoned(d.path.field), tz, ctx.dialect)
        keys.append(col.label(f"d{i}"))
    aggregated = [m for m in report.measures if m.formula is None]
    inputs: list[ColumnElement[Any]] = [compiler.measure_input(m).label(f"m{i}")
                                        for i, m in enumerate(aggregated) if not _every_row(m)]
    source: sa.FromClause = rt.main
    for path in compiler.joins.values():
        source = source.outerjoin(path.table, linked(path, rt))
    whole = _inner(source, inputs, where, "w") if spreads else None
    for items in spreads:
        source = source.outerjoin(items, sa.true())
    return CompiledReport(report, dims, aggregated, _inner(source, keys + inputs, where, "r"), whole)


def _inner(source: sa.FromClause, columns: list[ColumnElement[Any]], where: ColumnElement[bool],
           name: str) -> sa.Subquery:
    """The per-record select (a select needs a column: only plain counts have none of their own)."""
    return sa.select(*(columns or [sa.literal(1).label("one")])).select_from(source).where(where).subquery(name)


def _every_row(m: MeasureDef) -> bool:
    """A plain count: `count(*)` over the rows, no input column (as a count written by hand)."""
    return m.aggregate == "count" and not m.filters


class _Compiler:
    def __init__(self, rt: FormRuntime, ctx: FilterContext, sees: Callable[[str], bool]):
        self.rt, self.ctx, self.sees = rt, ctx, sees
        self.joins: dict[str, FieldPath] = {}  # link field id → the path (its table aliased once per link)
        self.aliases: dict[str, sa.Table] = {}

    def path(self, name: str) -> FieldPath:
        if not self.sees(name):
            raise FieldHidden(name)
        path = resolve_path(self.rt, name)
        if path is None:
            raise QueryInvalid("bad_filter", message=f"form '{self.rt.form.id}' has no field '{name}'")
        return path

    def filter_paths(self, filters: Sequence[Filter]) -> list[Filter]:
        for flt in filters:
            self.path(flt.field)
        return list(filters)

    def column(self, path: FieldPath) -> ColumnElement[Any]:
        """The path's column: the form's own, or the joined table's (one LEFT JOIN per link)."""
        if path.link is None:
            return path.column
        if path.link.id not in self.joins:
            alias = path.table.alias(f"j_{path.link.id}")
            self.aliases[path.link.id] = alias  # type: ignore[assignment]
            self.joins[path.link.id] = FieldPath(path.name, path.field, path.ftype, alias, path.link,  # type: ignore[arg-type]
                                                 path.form)
        return self.aliases[path.link.id].c[path.field.id]

    def measure_input(self, m: MeasureDef) -> ColumnElement[Any]:
        """What one record gives the measure (NULL when the measure's own filter leaves it out)."""
        value: ColumnElement[Any]
        if m.aggregate == "count":
            value = sa.literal(1)
        elif m.aggregate == "duration":
            value = self._days(self.path(str(m.end))) - self._days(self.path(str(m.start)))
        elif m.aggregate == "stage_time":
            pipeline = measure_pipeline(self.rt.defs, self.rt.form.id, m)
            if pipeline is None:
                raise QueryInvalid("bad_filter", message=f"form '{self.rt.form.id}' has no pipeline for '{m.id}'")
            self.path(pipeline.field)  # the stage field must be one the viewer sees
            value = stage_days(pipeline, m, self.rt.main.c.id, self.ctx.now, self.ctx.dialect)
        else:
            value = self.column(self.path(str(m.field)))
        if not m.filters:
            return value
        holds = sa.and_(*(path_filter(self.rt, self.path(f.field), f, self.ctx) for f in m.filters))
        return sa.case((holds, value), else_=sa.null())

    def _days(self, path: FieldPath) -> ColumnElement[Any]:
        """A date or moment as a number of days (moments in UTC, dates at midnight UTC, on both databases)."""
        col = self.column(path)
        if self.ctx.dialect == "postgresql":
            moment = col if path.ftype.zoned(path.field) else sa.cast(col, sa.DateTime())
            return sa.extract("epoch", moment) / 86400.0
        return sa.func.julianday(col)
