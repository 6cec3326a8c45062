"""A radar: the first dimension's members as spokes, one polygon per measure or per second-dimension member."""

from __future__ import annotations

from typing import Any

from engine.reports.dataset import Dataset
from web.charts.echarts import CURRENCY, EChartsType, legend
from web.charts.members import member_label
from web.charts.registry import register
from web.charts.series import category_series


@register
class Radar(EChartsType):
    name = "radar"
    label = {"zh": "雷达图", "en": "Radar"}
    options_schema = {"currency": CURRENCY}

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        categories, series = category_series(dataset, lang, currency)
        tops = [max([s.items[i]["value"] or 0 for s in series] + [0]) for i in range(len(categories))]
        indicator = [{"name": member_label(m, lang), "max": (top * 1.1) or 1} for m, top in zip(categories, tops)]
        polygons = []
        for s in series:
            keys = {k: v for k, v in s.items[0]["keys"].items() if k != dataset.dimensions[0].key} \
                if s.items and "keys" in s.items[0] else {}
            polygon: dict[str, Any] = {"name": s.name, "value": [i["value"] for i in s.items],
                                       "text": [i["text"] for i in s.items],
                                       **({"keys": keys} if s.measure.drillable else {})}
            if s.color:
                polygon["itemStyle"] = {"color": s.color}
                polygon["lineStyle"] = {"color": s.color}
            polygons.append(polygon)
        return {"radar": {"indicator": indicator, "radius": "62%", "center": ["50%", "50%"],
                          "axisName": {"color": "#555"}},
                **legend([s.name for s in series]),
                "series": [{"type": "radar", "areaStyle": {"opacity": 0.15}, "data": polygons}]}
