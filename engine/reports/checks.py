"""Semantic checks of report documents at publish: every name resolves, aggregates fit their fields' types,
formula measures type-check, ids are unique; each problem at its file:line and path, with a closest name."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from engine.definitions.checker import Report
from engine.definitions.model import Definitions, FormDef, Source
from engine.definitions.suggest import closest
from engine.errors import FormulaError
from engine.fields.base import RELATIVE_DATE_OPS
from engine.formulas import ANY, NULL, NUMBER, check, compile_formula
from engine.i18n import zh_en
from engine.records.model import Filter
from engine.records.paths import FieldPath, resolve_path
from engine.records.runtime import SYSTEM_FIELDS, FormRuntime
from engine.reports.charts import chart_names, chart_type
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.reached import REACHED, STEP_OPS, reached_pipeline
from engine.reports.schedules import check_schedules
from engine.reports.stages import measure_pipeline
from engine.storage.formtables import build_form_tables

NUMERIC = ("sum", "avg")
BUCKETS_ZH = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "year": "年"}
ORDERED = ("min", "max")


def check_reports(defs: Definitions, report: Report) -> None:
    """Every report of the definitions."""
    for item in reports_of(defs).values():
        check_report(defs, item, report)


def reports_of(defs: Definitions) -> dict[str, ReportDef]:
    found: dict[str, ReportDef] = dict(getattr(defs, "reports", {}) or {})
    return found


def checked_runtime(defs: Definitions, form_id: str) -> FormRuntime | None:
    """The runtime of a form to check a report or dashboard against; None when the form has a field of an unknown
    type (the form's own check names it, and nothing can be resolved through it)."""
    form = defs.forms[form_id]
    kept = _RUNTIMES.get(id(form))
    if kept is not None and kept[0] is form and kept[1] is defs:
        return kept[2]  # every report and dashboard filter of one check pass shares the form's runtime
    try:
        runtime: FormRuntime | None = FormRuntime(defs, form, build_form_tables(form, sa.MetaData()))
    except KeyError:
        runtime = None
    if len(_RUNTIMES) > 64:  # a few check passes at most: old definitions are let go
        _RUNTIMES.clear()
    _RUNTIMES[id(form)] = (form, defs, runtime)
    return runtime


# id(form) → (form, definitions, runtime): building a form's tables costs ~2 ms, and a workspace check asks for
# each form once per report and per dashboard filter. Kept only while the same form and definitions are asked.
_RUNTIMES: dict[int, tuple[FormDef, Definitions, FormRuntime | None]] = {}


def check_report(defs: Definitions, item: ReportDef, report: Report) -> None:
    src = item.source
    if item.app and item.app not in {a.id for a in defs.apps}:
        report.add(src, "", zh_en(f"没有与报表所在文件夹对应的应用“{item.app}”", f"no app '{item.app}' for this report's folder"), closest(item.app, [a.id for a in defs.apps]))
    if item.form not in defs.forms:
        report.add(src, "/form", zh_en(f"未知表单“{item.form}”", f"unknown form '{item.form}'"), closest(item.form, list(defs.forms)))
        return
    rt = checked_runtime(defs, item.form)
    if rt is None:
        return
    _check_filters(rt, item.filters, src, "/filters", report)
    _check_ids(item, report)
    for d in item.dimensions:
        path = _path(rt, d.field, d.source, "/field", report)
        if path is None:
            continue
        if not path.ftype.groupable(path.field):
            report.add(d.source, "/field", zh_en(f"不能按“{d.field}”分组:它不是每条记录一个值",
                                                 f"cannot group by '{d.field}': it does not hold one value per record"))
        if d.bucket and not path.ftype.bucketable(path.field):
            report.add(d.source, "/bucket", zh_en(f"“{d.field}”不是日期,不能按{BUCKETS_ZH.get(d.bucket, d.bucket)}分组",
                                                  f"'{d.field}' is not a date: it cannot be grouped by {d.bucket}"))
    earlier: list[str] = []
    for m in item.measures:
        _check_measure(rt, m, earlier, report)
        earlier.append(m.id)
    names = [d.id for d in item.dimensions] + [m.id for m in item.measures]
    for s in item.sort:
        if s.by not in names:
            report.add(s.source, "/by", zh_en(f"“{s.by}”不是报表的维度或指标",
                                             f"'{s.by}' is not a dimension or measure of the report"), closest(s.by, names))
    if item.limit is not None and not item.dimensions:
        report.add(src, "/limit", zh_en("前 N 名需要一个用于排名的维度", "a top-N limit needs a dimension to rank"))
    if item.compare and not any(f.op in RELATIVE_DATE_OPS for f in item.filters):
        report.add(src, "/compare", zh_en("与上一周期对比需要一个相对日期筛选(如本月、最近 N 天)来确定周期",
                         "comparing with the previous period needs a relative date filter "
                         "(such as this_month or last_n_days) to know the period"))
    _check_chart(item, report)
    _check_reached(defs, item, report)
    check_schedules(defs, item.schedules, report)


def _check_reached(defs: Definitions, item: ReportDef, report: Report) -> None:
    """A reached funnel counts along a pipeline: its one dimension is a pipeline's stage field, and a filter on
    that field chooses steps (eq, ne, in, not_in)."""
    if item.chart.type != "funnel" or item.chart.options.get("funnel") != REACHED or len(item.dimensions) != 1:
        return
    pipeline = reached_pipeline(defs, item)
    if pipeline is None:
        report.add(item.chart.source, "/options/funnel",
                   zh_en(f"按到达计数的漏斗需要按阶段流程的字段分组,“{item.dimensions[0].field}”不是",
                         f"a reached funnel groups by a pipeline's stage field; '{item.dimensions[0].field}' is not one"))
        return
    for i, flt in enumerate(item.filters):
        if flt.field == pipeline.field and flt.op not in STEP_OPS:
            report.add(item.source, f"/filters/{i}/op",
                       zh_en(f"按到达计数的漏斗中,阶段字段的筛选选择步骤,只能用 {'、'.join(STEP_OPS)}",
                             f"in a reached funnel a filter on the stage field chooses steps: it takes "
                             f"{', '.join(STEP_OPS)}"))


def _check_ids(item: ReportDef, report: Report) -> None:
    seen: set[str] = set()
    parts: list[DimensionDef | MeasureDef] = [*item.dimensions, *item.measures]
    for part in parts:
        if part.id in seen:
            report.add(part.source, "/id", zh_en(f"标识“{part.id}”在报表“{item.id}”中用了两次",
                                                    f"id '{part.id}' is used twice in report '{item.id}'"))
        seen.add(part.id)


def _path(rt: FormRuntime, name: str, src: Source, sub: str, report: Report) -> FieldPath | None:
    path = resolve_path(rt, name)
    if path is not None:
        return path
    head, _, tail = name.partition(".")
    if rt.field(head) is None:
        report.add(src, sub, zh_en(f"表单“{rt.form.id}”没有字段“{head}”", f"form '{rt.form.id}' has no field '{head}'"), closest(head, _names(rt.form.field_ids())))
    elif tail:
        report.add(src, sub, zh_en(f"“{name}”无法解析:“{head}”须为单选关联或成员字段,“{tail}”须为其指向表单的字段",
                         f"'{name}' does not resolve: '{head}' must be a single relation or user field and "
                         f"'{tail}' a field of what it points to"))
    return None


def _names(ids: Iterable[str]) -> list[str]:
    return [*ids, *SYSTEM_FIELDS]


def _check_filters(rt: FormRuntime, filters: tuple[Filter, ...], src: Source, sub: str, report: Report) -> None:
    for i, flt in enumerate(filters):
        path = _path(rt, flt.field, src, f"{sub}/{i}/field", report)
        if path is None:
            continue
        ops = path.ftype.operators_for(path.field)
        if not path.ftype.filterable(path.field):
            report.add(src, f"{sub}/{i}/field", zh_en(f"不能按“{flt.field}”筛选", f"cannot filter on '{flt.field}'"))
        elif flt.op not in ops:
            report.add(src, f"{sub}/{i}/op", zh_en(f"“{flt.field}”没有运算符“{flt.op}”(可用:{'、'.join(ops)})",
                                                          f"'{flt.field}' has no operator '{flt.op}' (it has {', '.join(ops)})"),
                       closest(flt.op, ops))


def _check_measure(rt: FormRuntime, m: MeasureDef, earlier: list[str], report: Report) -> None:
    if m.formula is not None:
        if m.aggregate is not None:
            report.add(m.source, "/aggregate", zh_en("公式指标不能再有自己的汇总方式", "a formula measure has no aggregate of its own"))
        _check_formula(m, earlier, report)
        return
    if m.aggregate is None:
        report.add(m.source, "", zh_en("指标需要汇总方式(count、sum、avg、min、max、distinct、duration、stage_time)或公式",
                         "a measure needs an aggregate (count, sum, avg, min, max, distinct, duration, stage_time) "
                         "or a formula"))
        return
    _check_filters(rt, m.filters, m.source, "/filter", report)
    if m.aggregate == "duration":
        for key, name in (("/from", m.start), ("/to", m.end)):
            if name is None:
                report.add(m.source, key, zh_en(f"时长需要“{key[1:]}”:一个日期或日期时间字段",
                                           f"a duration needs '{key[1:]}': a date or date-time field"))
                continue
            path = _path(rt, name, m.source, key, report)
            if path is not None and not path.ftype.bucketable(path.field):
                report.add(m.source, key, zh_en(f"“{name}”不是日期或日期时间字段", f"'{name}' is not a date or date-time field"))
        return
    if m.aggregate == "stage_time":
        _check_stage_time(rt, m, report)
        return
    if m.aggregate == "count":
        return
    if m.field is None:
        report.add(m.source, "/field", zh_en(f"“{m.aggregate}”需要一个字段", f"'{m.aggregate}' needs a field"))
        return
    path = _path(rt, m.field, m.source, "/field", report)
    if path is None:
        return
    fits = {"distinct": path.ftype.groupable(path.field) and not path.ftype.many, "sum": path.ftype.measurable(path.field),
            "avg": path.ftype.measurable(path.field)}
    fits.update(dict.fromkeys(ORDERED, path.ftype.measurable(path.field) or path.ftype.bucketable(path.field)))
    if not fits.get(m.aggregate, False):
        zh, en = ("数字", "a number") if m.aggregate in NUMERIC else ("数字或日期", "a number or a date") \
            if m.aggregate in ORDERED else ("每条记录一个值", "one value per record")
        report.add(m.source, "/field", zh_en(f"不能对“{m.field}”取 {m.aggregate}:它不是{zh}",
                                             f"cannot take the {m.aggregate} of '{m.field}': it is not {en}"))


def _check_stage_time(rt: FormRuntime, m: MeasureDef, report: Report) -> None:
    """The form has a pipeline (the one over `field` when it names one, else exactly one) and `stage` is its."""
    form = rt.form.id
    pipelines = [p for p in rt.defs.pipelines.values() if p.form == form]
    if not pipelines:
        report.add(m.source, "/aggregate", zh_en(f"表单“{form}”没有阶段流程,无法统计阶段停留时间",
                                                 f"form '{form}' has no stage pipeline to time a stage of"))
        return
    pipeline = measure_pipeline(rt.defs, form, m)
    if pipeline is None:
        fields = [p.field for p in pipelines]
        if m.field is None:
            report.add(m.source, "/field", zh_en(f"表单“{form}”有多个阶段流程:用“field”指明阶段字段({'、'.join(fields)})",
                                                 f"form '{form}' has several stage pipelines: name the stage field "
                                                 f"with 'field' ({', '.join(fields)})"))
        else:
            report.add(m.source, "/field", zh_en(f"“{m.field}”上没有阶段流程", f"no stage pipeline runs over '{m.field}'"),
                       closest(m.field, fields))
        return
    stages = [s.stage for s in pipeline.stages]
    if m.stage is None:
        report.add(m.source, "/stage", zh_en(f"阶段停留时间需要“stage”:流程中的一个阶段({'、'.join(stages)})",
                                             f"a stage time needs 'stage': a stage of the pipeline ({', '.join(stages)})"))
    elif m.stage not in stages:
        report.add(m.source, "/stage", zh_en(f"流程“{pipeline.id}”没有阶段“{m.stage}”",
                                             f"pipeline '{pipeline.id}' has no stage '{m.stage}'"), closest(m.stage, stages))


def _check_formula(m: MeasureDef, earlier: list[str], report: Report) -> None:
    assert m.formula is not None
    try:
        expr = compile_formula(m.formula)
        result = check(expr, lambda path: NUMBER if len(path) == 1 and path[0] in earlier else None,
                       variables={}, candidates=earlier)
    except FormulaError as exc:
        report.add(m.source, "/formula", zh_en(f"{exc.text('zh')}(公式指标只能引用排在它前面的指标)",
                                                f"{exc} (a formula measure reads the measures listed before it)"))
        return
    if result.kind not in (NUMBER.kind, ANY.kind, NULL.kind):
        report.add(m.source, "/formula", zh_en(f"公式指标必须得到数字,此公式得到 {result}",
                                              f"a formula measure must give a number, this gives {result}"))


def _check_chart(item: ReportDef, report: Report) -> None:
    chart = chart_type(item.chart.type)
    if chart is None:
        report.add(item.chart.source, "/type", zh_en(f"未知图表类型“{item.chart.type}”", f"unknown chart type '{item.chart.type}'"),
                   closest(item.chart.type, chart_names()))
        return
    chart.check([d.id for d in item.dimensions], [m.id for m in item.measures], item.chart.options,
                lambda sub, message: report.add(item.chart.source, sub, message))
