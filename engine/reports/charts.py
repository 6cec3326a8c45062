"""Chart types a report may name: what each needs of the report (dimensions, measures) and which options it
takes. Registered classes: a renderer draws one by its name; the engine only checks reports against them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from engine.i18n import zh_en

Complain = Callable[[str, Mapping[str, str]], None]  # (pointer under the chart, message in zh and en)


class ChartType:
    """One kind of chart. `dimensions` is the (least, most) number of dimensions it draws; `options` the option
    keys it takes, each with the Python types its value may have."""

    name: ClassVar[str] = ""
    dimensions: ClassVar[tuple[int, int]] = (0, 3)
    min_measures: ClassVar[int] = 1
    options: ClassVar[Mapping[str, tuple[type, ...]]] = {}

    def check(self, dimension_ids: list[str], measure_ids: list[str], options: Mapping[str, Any],
              complain: Complain) -> None:
        """Problems of a report drawn as this chart, through `complain`."""
        low, high = self.dimensions
        if not low <= len(dimension_ids) <= high:
            wanted = f"{low}" if low == high else f"{low} to {high}"
            complain("/type", zh_en(f"{self.name} 图表需要 {wanted} 个维度,报表有 {len(dimension_ids)} 个",
                                    f"a {self.name} chart needs {wanted} dimension(s), the report has "
                                    f"{len(dimension_ids)}"))
        if len(measure_ids) < self.min_measures:
            complain("/type", zh_en(f"{self.name} 图表至少需要 {self.min_measures} 个指标",
                                    f"a {self.name} chart needs at least {self.min_measures} measures"))
        for key, value in options.items():
            if key not in self.options:
                takes = ", ".join(sorted(self.options))
                complain(f"/options/{key}", zh_en(f"{self.name} 图表没有选项“{key}”" + (f"(可用:{takes})" if takes else ""),
                                                  f"a {self.name} chart has no option '{key}'"
                                                  + (f" (it takes {takes})" if takes else "")))
            elif not isinstance(value, self.options[key]) or isinstance(value, bool) and bool not in self.options[key]:
                complain(f"/options/{key}", zh_en(f"{self.name} 图表的选项“{key}”取值类型不对",
                                                  f"option '{key}' of a {self.name} chart has the wrong kind of value"))
        self.check_references(dimension_ids, measure_ids, options, complain)

    def check_references(self, dimension_ids: list[str], measure_ids: list[str], options: Mapping[str, Any],
                         complain: Complain) -> None:
        """Options that name dimensions or measures must name the report's own."""
        measure = options.get("measure")
        if isinstance(measure, str) and measure not in measure_ids:
            complain("/options/measure", zh_en(f"“{measure}”不是报表的指标", f"'{measure}' is not a measure of the report"))


_CHARTS: dict[str, ChartType] = {}


def register_chart(cls: type[ChartType]) -> type[ChartType]:
    if cls.name in _CHARTS:
        raise ValueError(f"chart type '{cls.name}' is registered twice")
    _CHARTS[cls.name] = cls()
    return cls


def chart_type(name: str) -> ChartType | None:
    return _CHARTS.get(name)


def chart_names() -> list[str]:
    return list(_CHARTS)


NUMBER = (int, float)
SERIES_DRAWINGS = ("bar", "line", "area")  # how a dual-axis chart draws one measure
COMMON: dict[str, tuple[type, ...]] = {"title": (str, dict), "colors": (list,), "show_values": (bool,)}


@register_chart
class Table(ChartType):
    name = "table"
    options = {**COMMON, "totals": (bool,)}


@register_chart
class Pivot(ChartType):
    """Row dimension(s) across a column dimension, with subtotals and totals."""

    name = "pivot"
    dimensions = (2, 3)
    options = {**COMMON, "rows": (list,), "columns": (str, list), "subtotals": (bool,), "totals": (bool,)}

    def check_references(self, dimension_ids: list[str], measure_ids: list[str], options: Mapping[str, Any],
                         complain: Complain) -> None:
        placed: dict[str, str] = {}
        for side in ("rows", "columns"):
            value = options.get(side)
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            for i, name in enumerate(names):
                at = f"/options/{side}" + (f"/{i}" if isinstance(value, list) else "")
                if name not in dimension_ids:
                    complain(at, zh_en(f"“{name}”不是报表的维度", f"'{name}' is not a dimension of the report"))
                elif placed.setdefault(str(name), side) != side:
                    complain(at, zh_en(f"维度“{name}”不能既在行又在列", f"dimension '{name}' cannot be both a row and a column"))


@register_chart
class Kpi(ChartType):
    """One number (the first measure's total, or `measure`'s), with a target and the trend against the previous
    period."""

    name = "kpi"
    dimensions = (0, 1)
    options = {**COMMON, "target": NUMBER, "trend": (bool,), "measure": (str,)}


@register_chart
class Gauge(ChartType):
    name = "gauge"
    dimensions = (0, 0)
    options = {**COMMON, "target": NUMBER, "min": NUMBER, "max": NUMBER, "measure": (str,)}


class Axes(ChartType):
    """Charts with a category axis (the first dimension) and a series per measure or per second dimension."""

    dimensions = (1, 2)
    options = {**COMMON, "horizontal": (bool,), "smooth": (bool,), "stack": (bool,)}


@register_chart
class Bar(Axes):
    name = "bar"


@register_chart
class Column(Axes):
    name = "column"


@register_chart
class Stacked(Axes):
    name = "stacked"


@register_chart
class Line(Axes):
    name = "line"


@register_chart
class Area(Axes):
    name = "area"


@register_chart
class DualAxis(Axes):
    """Measures on the left axis (`left`, the first by default) and on the right (`right`, the others): bars on
    the left and lines on the right unless `series` names another drawing (bar, line, area) for a measure."""

    name = "dual_axis"
    dimensions = (1, 1)
    min_measures = 2
    options = {**COMMON, "left": (list,), "right": (list,), "series": (dict,)}

    def check_references(self, dimension_ids: list[str], measure_ids: list[str], options: Mapping[str, Any],
                         complain: Complain) -> None:
        for side in ("left", "right"):
            for i, name in enumerate(options.get(side) or []):
                if name not in measure_ids:
                    complain(f"/options/{side}/{i}", zh_en(f"“{name}”不是报表的指标",
                                                           f"'{name}' is not a measure of the report"))
        series = options.get("series")
        for name, drawn in (series.items() if isinstance(series, Mapping) else []):
            if name not in measure_ids:
                complain(f"/options/series/{name}", zh_en(f"“{name}”不是报表的指标", f"'{name}' is not a measure of the report"))
            elif drawn not in SERIES_DRAWINGS:
                complain(f"/options/series/{name}", zh_en(f"“{drawn}”不是可用的画法(柱、线、面积)",
                                                          f"'{drawn}' is not a drawing (bar, line, area)"))


class Slices(ChartType):
    dimensions = (1, 1)
    options = {**COMMON, "percent": (bool,)}


@register_chart
class Pie(Slices):
    name = "pie"


@register_chart
class Ring(Slices):
    name = "ring"


@register_chart
class Funnel(Slices):
    """Steps of one measure; `funnel: reached` counts per stage the records that reached it (engine/reports/
    reached.py), `current` (the default) those in it now."""

    name = "funnel"
    options = {**Slices.options, "funnel": (str,)}

    def check_references(self, dimension_ids: list[str], measure_ids: list[str], options: Mapping[str, Any],
                         complain: Complain) -> None:
        super().check_references(dimension_ids, measure_ids, options, complain)
        if isinstance(options.get("funnel"), str) and options["funnel"] not in ("current", "reached"):
            complain("/options/funnel", zh_en(f"漏斗的计数方式“{options['funnel']}”未知(可用:current、reached)",
                                              f"unknown funnel count '{options['funnel']}' (current or reached)"))


@register_chart
class Radar(ChartType):
    name = "radar"
    dimensions = (1, 2)
    options = {**COMMON, "max": NUMBER}


@register_chart
class MapChina(ChartType):
    """Values by province: the dimension's labels are province names."""

    name = "map_china"
    dimensions = (1, 1)
    options = {**COMMON}


@register_chart
class Scatter(ChartType):
    """Each row a point: the first measure across, the second up."""

    name = "scatter"
    dimensions = (1, 2)
    min_measures = 2
    options = {**COMMON, "size": (str,)}
