"""A KPI card: one measure's total, the percent of its target, and its change on the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset
from web.charts.numbers import format_value, headline, plain
from web.charts.registry import ChartType, register
from web.charts.series import chosen_measures
from web.charts.types.gauge import total_of
from web.texts.charts import chart_text

PERCENT = Column("percent", "", "measure", "percent", 1)


@dataclass(frozen=True)
class Trend:
    direction: str  # "up", "down", "flat" or "new" (nothing before)
    text: str
    previous: str


def trend(measure: Column, value: Any, previous: Any, lang: str, currency: str) -> Trend | None:
    """The change of `value` on the previous period's, as people read it; None when there is no previous period."""
    if previous is None:
        return None
    was = chart_text("chart_previous", lang, value=headline(measure, previous, lang, currency))
    now, before = float(value or 0), float(previous)
    if before == 0:  # the words say it all: no "previous period 0" after them
        return Trend("flat" if now == 0 else "new",
                     chart_text("chart_change_flat" if now == 0 else "chart_change_new", lang), "")
    change = (now - before) / abs(before)
    if round(change, 3) == 0:
        return Trend("flat", chart_text("chart_change_flat", lang), was)
    direction = "up" if change > 0 else "down"
    shown = format_value(PERCENT, abs(change), lang)
    return Trend(direction, chart_text(f"chart_change_{direction}", lang, percent=shown), was)


@register
class Kpi(ChartType):
    name = "kpi"
    label = {"zh": "指标卡", "en": "KPI card"}
    template = "charts/kpi.html"
    dimensions = 0
    options_schema = {
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "CNY"},
        "measure": {"type": "string", "description": "The measure shown, by key (the first by default)."},
        "target": {"type": "number", "description": "The value to reach; the card shows the percent reached."},
        "target_measure": {"type": "string", "description": "A measure holding the target, instead of a number."},
    }

    def context(self, dataset: Dataset, options: dict[str, Any], lang: str) -> dict[str, Any]:
        currency = str(options.get("currency") or "CNY")
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        value = total_of(dataset, measure)
        target = options.get("target")
        if options.get("target_measure") and options["target_measure"] in {m.key for m in dataset.measures}:
            target = total_of(dataset, dataset.columns[dataset.column_index(options["target_measure"])])
        reached = float(value or 0) / float(target) if target else None
        previous = (dataset.previous or {}).get(measure.key) if dataset.previous is not None else None
        return {
            "label": text(measure.label, lang), "value": plain(value),
            "text": headline(measure, value, lang, currency), "exact": format_value(measure, value, lang, currency),
            "empty": chart_text("chart_kpi_empty", lang) if value is None else None,
            "target": chart_text("chart_target", lang) + " " + headline(measure, target, lang, currency)
            if target else None,
            "reached": reached, "reached_text": chart_text("chart_of_target", lang,
                                                           percent=format_value(PERCENT, reached, lang))
            if reached is not None else None,
            "trend": trend(measure, value, previous, lang, currency), "keys_json": "{}" if measure.drillable else "",
            "measure": measure.key,
        }
