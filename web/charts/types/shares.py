"""Charts of shares of one measure across a dimension's members: pie, ring and funnel."""

from __future__ import annotations

from typing import Any

from engine.i18n import text
from engine.reports.dataset import Dataset
from web.charts.echarts import CURRENCY, EChartsType
from web.charts.members import member_label
from web.charts.registry import register
from web.charts.series import category_series, chosen_measures, not_clickable

MEASURE = {"type": "string", "description": "The measure drawn, by key (the first when left out)."}


class ShareChart(EChartsType):
    options_schema = {"currency": CURRENCY, "measure": MEASURE}

    def points(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> list[dict[str, Any]]:
        """One data item per member of the first dimension, named by its label, coloured by its option."""
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        categories, series = category_series(dataset, lang, currency, [measure])
        return [{"name": member_label(m, lang), **item} for m, item in zip(categories, series[0].items)]

    def cursor(self, dataset: Dataset, options: dict[str, Any]) -> dict[str, Any]:
        return not_clickable(chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0])

    def series_name(self, dataset: Dataset, options: dict[str, Any], lang: str) -> str:
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        return text(measure.label, lang)


@register
class Pie(ShareChart):
    name = "pie"
    label = {"zh": "饼图", "en": "Pie"}
    radius: Any = "48%"  # room beside the pie for a label's longest word ("Manufacturing") on one line

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        return {"series": [{"type": "pie", "name": self.series_name(dataset, options, lang), "radius": self.radius,
                            **self.cursor(dataset, options),
                            "center": ["50%", "50%"], "avoidLabelOverlap": True,
                            # short label lines, and a long name wraps rather than being cut short on a phone
                            "label": {"formatter": "{b}\n{d}%", "overflow": "break", "minMargin": 4,
                                      "alignTo": "edge", "edgeDistance": 8},
                            "labelLine": {"length": 8, "length2": 8},
                            "data": self.points(dataset, options, lang, currency)}]}


@register
class Ring(Pie):
    name = "ring"
    label = {"zh": "环形图", "en": "Ring"}
    radius = ["30%", "48%"]


@register
class Funnel(ShareChart):
    name = "funnel"
    label = {"zh": "漏斗图", "en": "Funnel"}
    options_schema = {**ShareChart.options_schema, "funnel": {
        "type": "string", "enum": ["current", "reached"], "default": "current",
        "description": "What a step counts: the records in that stage now (current), or those that reached it "
                       "(reached: a won deal counts in every earlier stage; the dimension is a pipeline's field)."}}

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        points = self.points(dataset, options, lang, currency)
        for point in points:  # a literal label: "stage  ¥1,234"
            point["label"] = {"formatter": f"{point['name']}  {point['text']}".replace("{", "(").replace("}", ")")}
        return {"series": [{"type": "funnel", "name": self.series_name(dataset, options, lang), "sort": "none",
                            **self.cursor(dataset, options),
                            "left": "8%", "right": "8%", "top": 8, "bottom": 8, "gap": 2, "minSize": "12%",
                            "label": {"position": "inside"}, "data": points}]}
