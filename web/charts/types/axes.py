"""Charts of values over categories: bar (horizontal), column, stacked column, line and area."""

from __future__ import annotations

from typing import Any

from engine.reports.dataset import Column as DataColumn, Dataset
from web.charts.echarts import CURRENCY, LABELS, EChartsType, grid, legend, measure_formats, value_axis
from web.charts.members import member_label
from web.charts.registry import register
from web.charts.series import Series, category_series, chosen_measures, line_look, not_clickable

MEASURES = {"type": "array", "items": {"type": "string"},
            "description": "The measures drawn, by key (every measure when left out)."}


class AxisChart(EChartsType):
    """Categories on one axis, values on the other; one series per measure, or per member of a second dimension."""

    tooltip = "axis"
    series_type = "bar"
    horizontal = False
    stacked = False
    area = False
    options_schema = {"currency": CURRENCY, "labels": LABELS, "measures": MEASURES}

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        measures = self.measures_drawn(dataset, options)
        categories, series = category_series(dataset, lang, currency, measures)
        category_axis: dict[str, Any] = {"type": "category", "data": [member_label(m, lang) for m in categories],
                                         "axisLabel": {"hideOverlap": True}}
        values = value_axis(list({s.measure.key: s.measure for s in series}.values()), lang)
        sideways = self.sideways(options)
        if sideways:
            category_axis["inverse"] = True  # the first row on top
        axes = {"xAxis": values, "yAxis": category_axis} if sideways else \
            {"xAxis": category_axis, "yAxis": values}
        return {**axes, **grid(series), **legend([s.name for s in series]),
                "series": [self.series(s, bool(options.get("labels")), options) for s in series]}

    def measures_drawn(self, dataset: Dataset, options: dict[str, Any]) -> list[DataColumn] | None:
        """The measures named in the options; else, with one dimension, those sharing the first one's kind (one value
        axis cannot show a count and an amount); None with two dimensions (series per second-dimension member)."""
        if options.get("measures"):
            return chosen_measures(dataset, options["measures"])
        if len(dataset.dimensions) > 1:
            return None
        return [m for m in dataset.measures if m.kind == dataset.measures[0].kind]

    def sideways(self, options: dict[str, Any]) -> bool:
        """Whether the bars lie along the x axis (categories on the y axis)."""
        return self.horizontal

    def series(self, s: Series, labels: bool, options: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {"type": self.series_type, "name": s.name, "data": s.items, **not_clickable(s.measure)}
        if s.color:
            found["itemStyle"] = {"color": s.color}
            if self.series_type == "line":
                found["lineStyle"] = {"color": s.color}
        if self.stacked or (self.area and options.get("stack")):
            found["stack"] = "total"
        if self.area:
            found["areaStyle"] = {"opacity": 0.25}
        if self.series_type == "line":
            found.update(line_look(s.items, bool(options.get("smooth"))))
            found["data"] = [{k: v for k, v in item.items() if k != "itemStyle"} for item in s.items]
        if labels:
            found["label"] = {"show": True, "position": "inside" if self.stacked else
                              ("right" if self.sideways(options) else "top")}
        return found

    def formats(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        measure = chosen_measures(dataset, options.get("measures"))[0]
        return measure_formats("xAxis" if self.sideways(options) else "yAxis", [measure], lang, currency)


@register
class ColumnChart(AxisChart):
    name = "column"
    label = {"zh": "柱形图", "en": "Column"}


@register
class Bar(AxisChart):
    name = "bar"
    label = {"zh": "条形图", "en": "Bar"}
    horizontal = True


@register
class Stacked(AxisChart):
    name = "stacked"
    label = {"zh": "堆积柱形图", "en": "Stacked column"}
    stacked = True
    options_schema = {**AxisChart.options_schema,
                      "horizontal": {"type": "boolean", "default": False, "description": "Stack bars sideways."}}

    def sideways(self, options: dict[str, Any]) -> bool:
        return bool(options.get("horizontal"))


@register
class Line(AxisChart):
    name = "line"
    label = {"zh": "折线图", "en": "Line"}
    series_type = "line"
    options_schema = {**AxisChart.options_schema,
                      "smooth": {"type": "boolean", "default": False, "description": "Draw curves, not segments."}}


@register
class Area(Line):
    name = "area"
    label = {"zh": "面积图", "en": "Area"}
    area = True
    options_schema = {**Line.options_schema,
                      "stack": {"type": "boolean", "default": False, "description": "Stack the areas."}}
