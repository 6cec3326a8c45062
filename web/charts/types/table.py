"""A detail table: one line per row of the dataset, a total line under it."""

from __future__ import annotations

from typing import Any

from engine.i18n import text
from engine.reports.dataset import Dataset
from web.charts.cells import Cell, Line
from web.charts.members import keys_of, member_label, shade
from web.charts.numbers import format_value
from web.charts.registry import ChartType, register
from web.texts.charts import chart_text


@register
class Table(ChartType):
    name = "table"
    tabular = True
    label = {"zh": "表格", "en": "Table"}
    template = "charts/table.html"
    dimensions = 0
    options_schema = {"currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "CNY"},
                      "totals": {"type": "boolean", "default": True, "description": "Show the total line."}}

    def context(self, dataset: Dataset, options: dict[str, Any], lang: str) -> dict[str, Any]:
        currency = str(options.get("currency") or "CNY")
        head = [Cell(text(c.label, lang), c.role == "measure") for c in dataset.columns]
        lines = []
        for row in dataset.rows:
            keys = keys_of(dataset.dimensions, row, dataset)
            cells = [Cell(format_value(c, value, lang, currency), True, keys if c.drillable else None, measure=c.key) if c.role == "measure" else
                     Cell(member_label(value, lang), color=shade(value.color)) for c, value in zip(dataset.columns, row)]
            lines.append(Line(cells))
        total = None
        if options.get("totals", True) and dataset.rows and dataset.totals:
            total = Line([Cell(format_value(c, dataset.totals.get(c.key), lang, currency), True,
                               {} if c.drillable else None,
                               measure=c.key)
                          if c.role == "measure" else Cell("") for c in dataset.columns], "total")
            label_at = 0 if dataset.dimensions else None
            if label_at is not None:
                total.cells[label_at] = Cell(chart_text("chart_total", lang))
        return {"head": head, "lines": lines, "total": total, "empty": chart_text("chart_no_data", lang)}
