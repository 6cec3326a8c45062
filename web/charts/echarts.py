"""What every ECharts chart type shares: the spec charts.js reads, tooltips, legends, and the empty state."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset
from web.charts.numbers import axis_format
from web.charts.registry import ChartType
from web.charts.series import Series, axis_name
from web.texts.charts import chart_text

CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "default": "CNY",
            "description": "ISO 4217 code of the currency money measures are shown in."}
LABELS = {"type": "boolean", "default": False, "description": "Show each value on the chart."}


class EChartsType(ChartType):
    """A chart drawn by ECharts in the browser: `option()` builds the ECharts option from the dataset."""

    tooltip = "item"  # or "axis" for charts over categories
    needs_rows = True  # False for charts of totals (gauge)

    def context(self, dataset: Dataset, options: dict[str, Any], lang: str) -> dict[str, Any]:
        currency = str(options.get("currency") or "CNY")
        if self.needs_rows and not dataset.rows:
            return {"spec": {"option": empty_option(lang), "formats": {}, "map": None, "lang": lang}}
        option = {"tooltip": {"trigger": self.tooltip, "confine": True}, **self.option(dataset, options, lang, currency)}
        return {"spec": {"option": option, "formats": self.formats(dataset, options, lang, currency),
                         "map": self.map_name, "lang": lang}}

    map_name: str | None = None

    @abstractmethod
    def option(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        """The ECharts option (without the tooltip, which `context` adds)."""

    def formats(self, dataset: Dataset, options: dict[str, Any], lang: str, currency: str) -> dict[str, Any]:
        """How charts.js labels the value axes: {"xAxis" | "yAxis": [format per axis]} (see numbers.axis_format)."""
        return {}


def empty_option(lang: str) -> dict[str, Any]:
    """An option drawing only "No data", centred."""
    return {"title": {"text": chart_text("chart_no_data", lang), "left": "center", "top": "middle",
                      "textStyle": {"color": "#888", "fontSize": 14, "fontWeight": "normal"}}}


def legend(names: list[str]) -> dict[str, Any]:
    """A scrolling legend under the chart when there is more than one series, else none."""
    if len(names) < 2:
        return {}
    return {"legend": {"type": "scroll", "bottom": 0, "data": names}}


def grid(series: list[Series]) -> dict[str, Any]:
    return {"grid": {"left": 8, "right": 16, "top": 24, "bottom": 52 if len(series) > 1 else 8}}


def value_axis(measures: list[Column], lang: str, **extra: Any) -> dict[str, Any]:
    """A value axis named by the measures drawn on it."""
    return {"type": "value", "name": axis_name(measures, lang), "nameTextStyle": {"align": "left"}, **extra}


def measure_formats(axis: str, measures: list[Column], lang: str, currency: str) -> dict[str, Any]:
    return {axis: [axis_format(m, lang, currency) for m in measures]}
