"""A scatter: one point per member of the first dimension, placed by two measures (x, then y)."""

from __future__ import annotations

from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset
from web.charts.echarts import CURRENCY, EChartsType, measure_formats, value_axis
from web.charts.members import item_style, keys_of, member_label
from web.charts.numbers import format_value, plain
from web.charts.registry import register
from web.charts.series import chosen_measures


@register
class Scatter(EChartsType):
    name = "scatter"
    label = {"zh": "散点图", "en": "Scatter"}
    measures = 2
    options_schema = {"currency": CURRENCY, "x": {"type": "string", "description": "The measure across, by key."},
                      "y": {"type": "string", "description": "The measure up, by key."}}

    def axes(self, dataset: Dataset, options: dict[str, Any]) -> tuple[Column, Column]:
        x = chosen_measures(dataset, [options["x"]] if options.get("x") else None)[0]
        rest = [m for m in dataset.measures if m != x]
        y = chosen_measures(dataset, [options["y"]] if options.get("y") else None)[0] if options.get("y") else rest[0]
        return x, y

    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        x, y = self.axes(dataset, options)
        first = dataset.dimensions[0]
        points = []
        for row in dataset.rows:
            vx, vy = row[dataset.column_index(x.key)], row[dataset.column_index(y.key)]
            member = row[dataset.column_index(first.key)]
            shown = f"{text(x.label, lang)} {format_value(x, vx, lang, currency)} · " \
                    f"{text(y.label, lang)} {format_value(y, vy, lang, currency)}"
            points.append({"name": member_label(member, lang), "value": [plain(vx), plain(vy)], "text": shown,
                           "keys": keys_of(dataset.dimensions, row, dataset), **item_style(member.color)})
        return {"grid": {"left": 8, "right": 24, "top": 32, "bottom": 8},
                "xAxis": value_axis([x], lang, nameLocation="middle", nameGap=28, scale=True,
                                    boundaryGap=["10%", "10%"]),
                "yAxis": value_axis([y], lang, scale=True, boundaryGap=["10%", "10%"]),
                "series": [{"type": "scatter", "symbolSize": 12, "data": points}]}

    def formats(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        x, y = self.axes(dataset, options)
        return {**measure_formats("xAxis", [x], lang, currency), **measure_formats("yAxis", [y], lang, currency)}
