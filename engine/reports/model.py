"""Report definitions as frozen objects (built from schema-checked YAML), each part keeping its source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from engine.definitions.model import Source, frozen
from engine.definitions.yamlsource import YamlDocument
from engine.i18n import I18n
from engine.records.model import Filter
from engine.reports.schedules import Schedulable, ScheduleDef, build_schedules, register_schedulable


@dataclass(frozen=True)
class DimensionDef:
    """Group by a field (or a path through one relation), dates by `bucket`."""

    id: str
    field: str
    label: I18n | None = None
    bucket: str | None = None
    source: Source = Source()


@dataclass(frozen=True)
class MeasureDef:
    """A number per row: an aggregate of a field (`aggregate`), or a `formula` over other measures."""

    id: str
    label: I18n | None = None
    aggregate: str | None = None
    field: str | None = None
    start: str | None = None  # duration: `from`
    end: str | None = None  # duration: `to`
    filters: tuple[Filter, ...] = ()
    formula: str | None = None
    stage: str | None = None  # stage_time: the pipeline stage
    current: bool = False  # stage_time: count a stay still going on, up to now
    format: str | None = None
    decimals: int | None = None
    source: Source = Source()


@dataclass(frozen=True)
class SortDef:
    by: str
    desc: bool = False
    source: Source = Source()


@dataclass(frozen=True)
class ChartDef:
    type: str = "table"
    options: Mapping[str, Any] = field(default_factory=lambda: frozen({}))
    source: Source = Source()


@dataclass(frozen=True)
class ReportDef:
    """A report over the records of `form` (in `app`)."""

    id: str
    app: str
    label: I18n
    form: str
    filters: tuple[Filter, ...] = ()
    dimensions: tuple[DimensionDef, ...] = ()
    measures: tuple[MeasureDef, ...] = ()
    sort: tuple[SortDef, ...] = ()
    limit: int | None = None
    others: bool = True
    compare: str | None = None
    chart: ChartDef = ChartDef()
    description: I18n | None = None
    schedules: tuple[ScheduleDef, ...] = ()
    source: Source = Source()
    search: str | None = None  # a quick search over the text fields the viewer sees (the API's `q`)
    max_groups: int | None = None  # more groups than this: TooManyGroups instead of a dataset (the API's cap)

    def measure(self, measure_id: str) -> MeasureDef | None:
        return next((m for m in self.measures if m.id == measure_id), None)

    def dimension(self, dimension_id: str) -> DimensionDef | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)


def _src(doc: YamlDocument, pointer: str) -> Source:
    return Source(doc.file, doc.line(pointer), pointer)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def build_filters(value: Any) -> tuple[Filter, ...]:
    """Filters from their YAML form: [{field, op, value}]."""
    return tuple(Filter(str(_dict(f).get("field", "")), str(_dict(f).get("op", "")), _plain(_dict(f).get("value")))
                 for f in _list(value))


def _plain(value: Any) -> Any:
    """Operands as hashable values (a list becomes a tuple) so filters stay frozen."""
    return tuple(_plain(v) for v in value) if isinstance(value, list) else value


def build_report(doc: YamlDocument, rel: str) -> ReportDef:
    """A report document; its app is the folder holding `reports/`."""
    data = _dict(doc.data)
    parts = PurePosixPath(rel).parts
    app = parts[-3] if len(parts) >= 3 and parts[-2] == "reports" else ""
    dims = tuple(DimensionDef(
        id=str(d.get("id") or str(d.get("field", "")).replace(".", "_")), field=str(d.get("field", "")),
        label=d.get("label"), bucket=str(d["bucket"]) if d.get("bucket") else None, source=_src(doc, f"/dimensions/{i}"),
    ) for i, d in enumerate(map(_dict, _list(data.get("dimensions")))))
    measures = tuple(MeasureDef(
        id=str(m.get("id", "")), label=m.get("label"), aggregate=str(m["aggregate"]) if m.get("aggregate") else None,
        field=_opt(m.get("field")), start=_opt(m.get("from")), end=_opt(m.get("to")),
        filters=build_filters(m.get("filter")), formula=_opt(m.get("formula")), format=_opt(m.get("format")),
        stage=_opt(m.get("stage")), current=m.get("current") is True,
        decimals=int(m["decimals"]) if isinstance(m.get("decimals"), int) else None, source=_src(doc, f"/measures/{i}"),
    ) for i, m in enumerate(map(_dict, _list(data.get("measures")))))
    sort = tuple(SortDef(str(s.get("by", "")), bool(s.get("desc", False)), _src(doc, f"/sort/{i}"))
                 for i, s in enumerate(map(_dict, _list(data.get("sort")))))
    chart = _dict(data.get("chart"))
    return ReportDef(
        id=str(data.get("report", "")), app=app, label=data.get("label") or str(data.get("report", "")),
        form=str(data.get("form", "")), filters=build_filters(data.get("filters")), dimensions=dims,
        measures=measures, sort=sort, limit=int(data["limit"]) if isinstance(data.get("limit"), int) else None,
        others=bool(data.get("others", True)), compare=_opt(data.get("compare")),
        chart=ChartDef(str(chart.get("type", "table")), frozen(dict(_dict(chart.get("options")))), _src(doc, "/chart")),
        description=data.get("description"), schedules=build_schedules(doc, data.get("schedules")),
        source=_src(doc, ""),
    )


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


register_schedulable(Schedulable("report", "reports"))  # a report may be sent on a schedule
