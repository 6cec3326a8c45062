"""Two measures of different scales over the same categories: bars on the left axis, lines on the right."""

from __future__ import annotations

from typing import Any

from engine.reports.charts import SERIES_DRAWINGS
from engine.reports.dataset import Column, Dataset
from web.charts.echarts import CURRENCY, LABELS, EChartsType, grid, legend, measure_formats, value_axis
from web.charts.members import member_label
from web.charts.registry import register
from web.charts.series import category_series, chosen_measures, line_look, not_clickable

KEYS = {"type": "array", "items": {"type": "string"}}


@register
class DualAxis(EChartsType):
    name = "dual_axis"
    label = {"zh": "双轴图", "en": "Dual axis"}
    measures = 2
    tooltip = "axis"
    options_schema = {"currency": CURRENCY, "labels": LABELS,
                      "left": {**KEYS, "description": "Measures drawn as columns on the left axis (the first)."},
                      "right": {**KEYS, "description": "Measures drawn as lines on the right axis (the rest)."},
                      "series": {"type": "object", "additionalProperties": {"enum": list(SERIES_DRAWINGS)},
                                 "description": "How a measure is drawn (bar, line, area) instead of its side's way."}}

    def sides(self, dataset: Dataset, options: dict[str, Any]) -> tuple[list[Column], list[Column]]:
        left = chosen_measures(dataset, options.get("left") or [dataset.measures[0].key])
        right = [m for m in chosen_measures(dataset, options.get("right")) if m not in left] or \
            [m for m in dataset.measures if m not in left]
        return left, right

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        left, right = self.sides(dataset, options)
        categories, series = category_series(dataset, lang, currency, left + right)
        chosen = options.get("series")
        drawings = {str(k): v for k, v in chosen.items() if v in SERIES_DRAWINGS} if isinstance(chosen, dict) else {}
        drawn = []
        for s in series:
            on_right = s.measure in right
            drawing = drawings.get(s.measure.key) or ("line" if on_right else "bar")
            item: dict[str, Any] = {"type": "bar" if drawing == "bar" else "line", "name": s.name,
                                    "yAxisIndex": int(on_right),
                                    "data": [{k: v for k, v in i.items() if k != "itemStyle"} for i in s.items],
                                    **not_clickable(s.measure)}
            if drawing != "bar":
                item.update(line_look(s.items, False))
            if drawing == "area":
                item["areaStyle"] = {"opacity": 0.25}
            if options.get("labels"):
                item["label"] = {"show": True, "position": "top"}
            drawn.append(item)
        return {"xAxis": {"type": "category", "data": [member_label(m, lang) for m in categories],
                          "axisLabel": {"hideOverlap": True}},
                "yAxis": [value_axis(left, lang), value_axis(right, lang, splitLine={"show": False},
                                                             nameTextStyle={"align": "right"})],
                **grid(series), **legend([s.name for s in series]), "series": drawn}

    def formats(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        left, right = self.sides(dataset, options)
        return measure_formats("yAxis", [left[0], right[0]], lang, currency)
