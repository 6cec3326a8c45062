"""Charts of a report's Dataset (engine/reports/dataset.py), pure Python: each registered chart type turns a dataset,
the report's chart options and the viewer's language into what a page includes — an ECharts option drawn by
static/js/charts.js, or a table, pivot or KPI card rendered by templates/charts/*.html. Every data point and cell
carries the drill-down keys of the records behind it ({dimension key: member key})."""

from web.charts import types  # noqa: F401  (registers the chart types)
from web.charts.registry import Chart, ChartType, ChartUnfit, chart_type, chart_types, render

__all__ = ["Chart", "ChartType", "ChartUnfit", "chart_type", "chart_types", "render"]
