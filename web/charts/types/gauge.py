"""A gauge: one measure's total against a target or a maximum."""

from __future__ import annotations

import math
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset
from web.charts.echarts import CURRENCY, EChartsType
from web.charts.numbers import format_value, plain
from web.charts.registry import register
from web.charts.series import chosen_measures, not_clickable
from web.texts.charts import chart_text

NUMBER = {"type": "number", "exclusiveMinimum": 0}


def total_of(dataset: Dataset, measure: Column) -> Any:
    """A measure's total over every record in scope; the first row's value when the dataset has no total."""
    if measure.key in dataset.totals:
        return dataset.totals[measure.key]
    return dataset.rows[0][dataset.column_index(measure.key)] if dataset.rows else None


def nice_ceiling(value: float) -> float:
    """The round number just above a value (1, 2 or 5 times a power of ten) for a scale's end."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(float(step * power) for step in (1, 2, 5, 10) if step * power >= value)


@register
class Gauge(EChartsType):
    name = "gauge"
    label = {"zh": "仪表盘", "en": "Gauge"}
    dimensions = 0
    needs_rows = False
    options_schema = {"currency": CURRENCY, "measure": {"type": "string", "description": "The measure, by key."},
                      "target": {**NUMBER, "description": "The value the gauge ends at and the percent is of."},
                      "max": {**NUMBER, "description": "The gauge's end when there is no target."}}

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        value = plain(total_of(dataset, measure))
        target = options.get("target")
        end = target or options.get("max") or (1 if measure.kind == "percent" else nice_ceiling(float(value or 0)))
        title = text(measure.label, lang)
        if target:
            title += f"\n{chart_text('chart_target', lang)} {format_value(measure, target, lang, currency)}"
        shown = format_value(measure, value, lang, currency).replace("{", "(").replace("}", ")")
        return {"series": [{
            "type": "gauge", "name": text(measure.label, lang), "min": 0, "max": plain(end),
            "radius": "92%", "center": ["50%", "60%"], "startAngle": 200, "endAngle": -20,
            "progress": {"show": True, "width": 16}, "axisLine": {"lineStyle": {"width": 16}},
            "pointer": {"show": False}, "axisTick": {"show": False}, "splitLine": {"show": False},
            "axisLabel": {"show": False}, "anchor": {"show": False},
            "title": {"offsetCenter": [0, "42%"], "fontSize": 13, "color": "#6b7280"},
            "detail": {"formatter": shown, "offsetCenter": [0, "-2%"], "fontSize": 24, "fontWeight": "bold",
                       "color": "#1f2937", "valueAnimation": False},
            "data": [{"value": value, "name": title, "text": shown, "measure": measure.key,
                      **({"keys": {}} if measure.drillable else {})}], **not_clickable(measure)}]}
