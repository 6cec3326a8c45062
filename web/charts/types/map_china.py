"""China map: one measure per province, shaded from light to dark; the map file is fetched only by such pages."""

from __future__ import annotations

from typing import Any

from engine.i18n import text
from engine.reports.dataset import Dataset
from web.charts.echarts import CURRENCY, EChartsType
from web.charts.members import member_label
from web.charts.numbers import axis_format
from web.charts.provinces import ENGLISH, map_name
from web.charts.registry import register
from web.charts.series import category_series, chosen_measures

SHADES = ["#e3eef9", "#9cc3e6", "#4f8fcf", "#1d5fa8"]


@register
class ChinaMap(EChartsType):
    name = "map_china"
    label = {"zh": "中国地图", "en": "Map of China"}
    map_name = "china"
    options_schema = {"currency": CURRENCY, "measure": {"type": "string", "description": "The measure, by key."}}

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        categories, series = category_series(dataset, lang, currency, [measure])
        points = []
        for member, item in zip(categories, series[0].items):
            province = map_name(member.key, text(member.label, "zh"), text(member.label, "en"))
            if province is not None:  # "others" and "no value" have no place on the map
                points.append({"name": ENGLISH[province] if lang == "en" else province, **item})
        values = [p["value"] for p in points if p["value"] is not None]
        drawn: dict[str, Any] = {"type": "map", "map": "china", "name": text(measure.label, lang), "roam": False,
                                 "label": {"show": False}, "emphasis": {"label": {"show": True}},
                                 "itemStyle": {"areaColor": "#f4f6f8", "borderColor": "#b8c2cc"},
                                 "data": points}
        if lang == "en":
            drawn["nameMap"] = dict(ENGLISH)
        return {"visualMap": {"min": 0, "max": max(values, default=0) or 1, "left": 8, "bottom": 8,
                              "itemWidth": 12, "itemHeight": 80, "calculable": True,
                              "text": [text(measure.label, lang), ""],
                              "inRange": {"color": SHADES}},
                "series": [drawn]}

    def formats(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        measure = chosen_measures(dataset, [options["measure"]] if options.get("measure") else None)[0]
        return {"visualMap": [axis_format(measure, lang, currency)]}

