"""Run a report for a viewer: its SQL under their read scope and field access, into a Dataset (rows sorted,
top-N with an "others" row, totals over every record in scope, the previous period's totals when asked)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import PipelineDef
from engine.errors import FormulaError, PermissionDenied, QueryInvalid
from engine.fields.base import RELATIVE_DATE_OPS, FilterContext
from engine.fields.types.temporal import period
from engine.formulas import MappingEnv, compile_formula, evaluate
from engine.records.model import Actor, Query
from engine.records.paths import resolve_path
from engine.records.service import RecordService
from engine.reports import result_cache
from engine.reports.compile import CompiledReport, FieldHidden, compile_report
from engine.reports.dataset import Column, Dataset, Member, ValueKind
from engine.reports.labels import OTHERS_KEY, MemberMaker
from engine.reports.model import MeasureDef, ReportDef
from engine.reports.reached import line, reached, reached_pipeline, step_report, steps
from engine.reports.stages import stage_time_label
from engine.storage.database import read_transaction

COUNTS = ("count", "distinct")


class ReportForbidden(PermissionDenied):
    """The viewer may not run this report: the form is not theirs to read, or it uses a field hidden from them."""

    def __init__(self, actor: Actor, report: ReportDef, field: str | None = None):
        target = f"{report.form}.{field}" if field else report.form
        super().__init__(actor, "read", target)
        self.report, self.field = report, field


class TooManyGroups(QueryInvalid):
    """The records fall into more groups than the caller allows (`most`)."""

    def __init__(self, most: int):
        super().__init__("too_many_groups", max=most)
        self.most = most


def run_report(records: RecordService, actor: Actor, report: ReportDef) -> Dataset:
    """The report's dataset as `actor` may see it; ReportForbidden when they may not run it."""
    return result_cache.cached(records, actor, report, compute_report)


def compute_report(records: RecordService, actor: Actor, report: ReportDef) -> Dataset:
    """The report's dataset computed now, whatever was kept from an earlier run (benchmarks measure this)."""
    pipeline = reached_pipeline(records.runtimes.defs, report)
    if pipeline is not None:
        return _run_reached(records, actor, report, pipeline)
    compiled, ctx = _compile(records, actor, report, None)
    with read_transaction(records.report_engine) as conn:
        grouped = _grouped(conn, compiled, report.max_groups)
        totals = _combined(compiled, grouped) if _combinable(compiled) else _values(compiled, grouped[0]) \
            if not compiled.dimensions else _values(compiled, conn.execute(compiled.totals()).one())
        makers = [MemberMaker(d, records.tz) for d in compiled.dimensions]
        for i, maker in enumerate(makers):
            maker.load(conn, records.runtimes.defs, (row[i] for row in grouped))
        n = len(makers)
        rows = [[maker.member(row[i]) for i, maker in enumerate(makers)] + list(_values(compiled, row[n:]).values())
                for row in grouped]
        rows = _sorted(report, makers, rows, ctx)
        if report.limit is not None and len(rows) > report.limit:
            kept, rest = rows[:report.limit], rows[report.limit:]
            rows = kept
            if report.others and rest:
                leave_out = [[m.key for m in row[:n]] for row in kept]
                others = _values(compiled, conn.execute(compiled.totals(leave_out)).one())
                rows.append([maker.member(OTHERS_KEY) for maker in makers] + list(others.values()))
        previous = _previous(records, actor, report, ctx, conn) if report.compare else None
    columns = _columns(records, report, compiled)
    points = _percent_points(records, report, columns)
    measures = _as_ratios(_with_formulas(report, totals, ctx), points)
    dataset = Dataset(columns, [], measures,
                      _as_ratios(_with_formulas(report, previous, ctx), points) if previous is not None else None)
    for row in rows:
        values = dict(zip([m.id for m in compiled.aggregated], row[n:]))
        done = _as_ratios(_with_formulas(report, values, ctx), points)
        dataset.rows.append(row[:n] + [done[m.id] for m in report.measures])
    return dataset


def _grouped(conn: sa.Connection, compiled: CompiledReport, most: int | None) -> list[tuple[Any, ...]]:
    """The rows of the grouped statement (without dimensions: the one row over every record); TooManyGroups when
    there are more than `most` (only one more is read to know)."""
    stmt = compiled.grouped()
    if most is not None and compiled.dimensions:
        stmt = stmt.limit(most + 1)
    grouped = [tuple(r) for r in conn.execute(stmt)]
    if most is not None and len(grouped) > most:
        raise TooManyGroups(most)
    return grouped


def _run_reached(records: RecordService, actor: Actor, report: ReportDef, pipeline: PipelineDef) -> Dataset:
    """A funnel of reached stages (engine/reports/reached.py): one count per step, in the pipeline's order."""
    rt = records.runtime(report.form)
    f = rt.field(pipeline.field)
    options = {key: (label, color) for key, label, color in rt.field_type_of(f).members(f)} if f is not None else {}
    bare = step_report(pipeline, report)
    chosen, along = steps(pipeline, report), line(pipeline, report)
    found: list[tuple[Member, dict[str, Any]]] = []
    ctx: FilterContext | None = None
    with read_transaction(records.report_engine) as conn:
        for i, step in enumerate(chosen):
            compiled, ctx = _compile(records, actor, bare, ctx, reached(pipeline, along, step, rt.main))
            label, color = options.get(step, (step, None))
            values = _values(compiled, conn.execute(compiled.totals()).one())
            found.append((Member(step, label, color, (0, float(i), "")), values))
    compiled, ctx = _compile(records, actor, report, ctx)  # the columns as the report names them
    columns = _columns(records, report, compiled)
    points = _percent_points(records, report, columns)
    totals = found[0][1] if found else {m.id: _number(m, None) for m in compiled.aggregated}
    dataset = Dataset(columns, [], _as_ratios(_with_formulas(report, totals, ctx), points))
    for member, values in found:
        done = _as_ratios(_with_formulas(report, values, ctx), points)
        dataset.rows.append([member] + [done[m.id] for m in report.measures])
    return dataset


def _percent_points(records: RecordService, report: ReportDef, columns: list[Column]) -> set[str]:
    """The measures shown as a percent that aggregate a percent field: the field stores points (12.5 for 12.5%),
    a dataset's percent is a ratio (0.125), as a formula's rate is."""
    kinds = {c.key: c.kind for c in columns}
    rt = records.runtime(report.form)
    found = set()
    for m in report.measures:
        if kinds.get(m.id) != "percent" or not m.field or m.aggregate in COUNTS or m.formula is not None:
            continue
        path = resolve_path(rt, m.field)
        if path is not None and path.ftype.cell_kind(path.field) == "percent":
            found.add(m.id)
    return found


def _as_ratios(values: dict[str, Any], points: set[str]) -> dict[str, Any]:
    if not points:
        return values
    return {k: v / 100 if k in points and isinstance(v, (int, float, Decimal)) else v for k, v in values.items()}


def _compile(records: RecordService, actor: Actor, report: ReportDef, ctx: FilterContext | None,
             narrower: ColumnElement[bool] | None = None) -> tuple[CompiledReport, FilterContext]:
    """The report's SQL for the viewer (`narrower`: a further condition on the records, a funnel step's)."""
    guard = records.guard(actor, report.form)
    if not guard.access.can("read"):
        raise ReportForbidden(actor, report)
    ctx = ctx or records.filter_context(actor)
    with read_transaction(records.engine) as conn:
        scope = guard.predicate(conn, "read", ctx)
    if report.search:  # a search over the fields the viewer sees (the guard's clause, when some are hidden)
        _, visible = guard.narrow(Query(search=report.search))
        if visible is not None:
            report, scope = replace(report, search=None), sa.and_(scope, visible)
    if narrower is not None:
        scope = sa.and_(scope, narrower)
    try:
        compiled = compile_report(records.runtime(report.form), report, ctx, scope, records.tz, guard.sees)
    except FieldHidden as exc:
        raise ReportForbidden(actor, report, exc.field) from None
    return compiled, ctx


COMBINE: dict[str, Callable[[list[Any]], Any]] = {"count": sum, "sum": sum, "min": min, "max": max}  # aggregates whose total follows from the groups


def _combinable(compiled: CompiledReport) -> bool:
    return bool(compiled.dimensions) and not compiled.spread and all(m.aggregate in COMBINE for m in compiled.aggregated)


def _combined(compiled: CompiledReport, grouped: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Totals from the groups (every record is in exactly one), saving a second pass over the table."""
    n = len(compiled.dimensions)
    found: dict[str, Any] = {}
    for i, m in enumerate(compiled.aggregated):
        present = [row[n + i] for row in grouped if row[n + i] is not None]
        found[m.id] = _number(m, COMBINE[str(m.aggregate)](present) if present else None)
    return found


def _values(compiled: CompiledReport, row: Sequence[Any]) -> dict[str, Any]:
    return {m.id: _number(m, v) for m, v in zip(compiled.aggregated, row)}


def _number(m: MeasureDef, value: Any) -> Any:
    if m.aggregate in COUNTS:
        return int(value or 0)
    if value is None or isinstance(value, (date, datetime)):
        return value
    if m.aggregate in ("avg", "duration", "stage_time"):
        return float(value)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _with_formulas(report: ReportDef, values: Mapping[str, Any], ctx: FilterContext) -> dict[str, Any]:
    """Every measure's value: the aggregated ones as given, formula measures computed from those before them."""
    done: dict[str, Any] = {}
    for m in report.measures:
        if m.formula is None:
            done[m.id] = values.get(m.id)
            continue
        env = MappingEnv({k: Decimal(str(v)) if isinstance(v, (int, float)) else v for k, v in done.items()},
                         ctx.now, ctx.tz)
        try:
            result = evaluate(compile_formula(m.formula), env)
        except FormulaError:
            result = None  # e.g. a rate over no records: no value, not an error
        done[m.id] = float(result) if isinstance(result, (int, float, Decimal)) and not isinstance(result, bool) \
            else None
    return done


def _sorted(report: ReportDef, makers: list[MemberMaker], rows: list[list[Any]],
            ctx: FilterContext) -> list[list[Any]]:
    """Rows in the report's order (stable sorts, last key first); dimensions in their natural order by default."""
    n = len(makers)
    measure_index = {m.id: n + i for i, m in enumerate(m for m in report.measures if m.formula is None)}
    formula_ids = {m.id for m in report.measures if m.formula is not None}
    keys = [(s.by, s.desc) for s in report.sort] or [(d.id, False) for d in report.dimensions]
    dim_index = {d.id: i for i, d in enumerate(report.dimensions)}
    ordered = list(rows)
    for by, desc in reversed(keys):
        if by in dim_index:
            i = dim_index[by]
            ordered.sort(key=lambda r, i=i: makers[i].rank(r[i]), reverse=desc)  # type: ignore[misc]
        elif by in measure_index or by in formula_ids:
            def value(r: list[Any], by: str = by) -> Any:
                if by in measure_index:
                    return r[measure_index[by]]
                return _with_formulas(report, dict(zip(measure_index, r[n:])), ctx).get(by)
            present = [r for r in ordered if value(r) is not None]
            missing = [r for r in ordered if value(r) is None]
            ordered = sorted(present, key=value, reverse=desc) + missing
    return ordered


def _previous(records: RecordService, actor: Actor, report: ReportDef, ctx: FilterContext,
              conn: sa.Connection) -> dict[str, Any]:
    """The totals of the period before: the report run as if it were one period earlier."""
    flt = next(f for f in report.filters if f.op in RELATIVE_DATE_OPS)
    today = ctx.now.astimezone(ctx.tz).date()
    start, end = period(flt.op, flt.value, today)
    months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
    if start.day == 1 and end.day == 1 and months > 0:
        index = today.year * 12 + today.month - 1 - months
        year, month = divmod(index, 12)
        day = min(today.day, 28)
        earlier = ctx.now.astimezone(ctx.tz).replace(year=year, month=month + 1, day=day)
    else:
        earlier = ctx.now - (end - start)
    compiled, _ = _compile(records, actor, report, replace(ctx, now=earlier))
    return _values(compiled, conn.execute(compiled.totals()).one())


def _columns(records: RecordService, report: ReportDef, compiled: CompiledReport) -> list[Column]:
    columns = [Column(d.id, report.dimensions[i].label or d.path.field.label, "dimension",
                      "date" if d.bucket else "text") for i, d in enumerate(compiled.dimensions)]
    rt = records.runtime(report.form)
    for m in report.measures:
        kind: ValueKind = "number"
        decimals = m.decimals
        path = None
        if m.field and m.aggregate not in COUNTS and m.aggregate != "stage_time":
            path = resolve_path(rt, m.field)
        if m.format in ("number", "money", "percent", "days"):
            kind = m.format  # type: ignore[assignment]
        elif m.aggregate in ("duration", "stage_time"):
            kind = "days"
        elif path is not None and path.ftype.bucketable(path.field):
            kind = "date"
        elif path is not None and path.ftype.report_kind(path.field) is not None:
            kind = path.ftype.report_kind(path.field)  # type: ignore[assignment]
        if decimals is None and path is not None:
            decimals = path.ftype.decimals(path.field)
        label = m.label or (path.field.label if path is not None else
                            stage_time_label(rt, m) if m.aggregate == "stage_time" else m.id)
        currency = path.ftype.currency(path.field) if path is not None and kind == "money" else None
        columns.append(Column(m.id, label, "measure", kind, decimals, currency, drillable=m.formula is None))
    return columns
