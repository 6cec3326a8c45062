"""Chart types: one registered class per type, each turning a report's Dataset into what a page draws."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.reports.dataset import Dataset
from web.texts.charts import chart_text

_TYPES: dict[str, ChartType] = {}


class ChartUnfit(ValueError):
    """The dataset does not have what the chart type draws (too few dimensions or measures)."""

    def __init__(self, chart: str, dimensions: int, measures: int):
        self.chart, self.dimensions, self.measures = chart, dimensions, measures
        super().__init__(f"chart {chart} needs {dimensions} dimension(s) and {measures} measure(s)")

    def message(self, lang: str) -> str:
        label = _TYPES[self.chart].label
        return chart_text("chart_unfit", lang, chart=label.get(lang, label["en"]),
                          dimensions=self.dimensions, measures=self.measures)


@dataclass(frozen=True)
class Chart:
    """What a page shows for a report: the partial to include and what it reads (`chart.context`).

    ECharts types give `context["spec"]`: {"option": ECharts option, "formats": value-axis formats, "map": the map
    to load first, or None}, written into the container's `data-chart` by charts/echarts.html."""

    type: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def spec_json(self) -> str:
        return json.dumps(self.context.get("spec"), ensure_ascii=False, separators=(",", ":"))


class ChartType(ABC):
    """A kind of chart. `options_schema` is the JSON Schema (properties) of the options a report may give it."""

    name: ClassVar[str]
    label: ClassVar[dict[str, str]]
    template: ClassVar[str] = "charts/echarts.html"
    dimensions: ClassVar[int] = 1  # at least this many dimension columns
    measures: ClassVar[int] = 1  # and measure columns
    options_schema: ClassVar[dict[str, Any]] = {}
    tabular: ClassVar[bool] = False  # the chart is itself a table of the rows: no data table under it

    def check(self, dataset: Dataset) -> None:
        if len(dataset.dimensions) < self.dimensions or len(dataset.measures) < self.measures:
            raise ChartUnfit(self.name, self.dimensions, self.measures)

    def render(self, dataset: Dataset, options: dict[str, Any], lang: str) -> Chart:
        self.check(dataset)
        return Chart(self.name, self.template, self.context(dataset, options, lang))

    @abstractmethod
    def context(self, dataset: Dataset, options: dict[str, Any], lang: str) -> dict[str, Any]:
        """What the chart's template draws from."""


def register(cls: type[ChartType]) -> type[ChartType]:
    _TYPES[cls.name] = cls()
    return cls


def chart_type(name: str) -> ChartType:
    """The registered chart type `name` (KeyError when there is none)."""
    return _TYPES[name]


def chart_types() -> dict[str, ChartType]:
    return dict(_TYPES)


def render(name: str, dataset: Dataset, options: dict[str, Any] | None = None, lang: str = "zh") -> Chart:
    """Draw `dataset` as the chart type `name` for a viewer reading `lang`."""
    return chart_type(name).render(dataset, dict(options or {}), lang)
