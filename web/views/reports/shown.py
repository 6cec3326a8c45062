"""One report as a page shows it: its dataset drawn as the report's chart (and, on the report page, as a table
below), or the empty state, or why it cannot be shown to this viewer — never an error page for one chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Dataset
from engine.reports.model import ReportDef
from engine.reports.run import ReportForbidden, run_report
from web.charts import Chart, ChartUnfit, chart_type, render
from web.i18n import translator
from web.views.reports.access import Viewer


@dataclass
class Shown:
    report: ReportDef
    chart: Chart | None = None
    table: Chart | None = None
    message: str = ""  # why there is no chart: no data, a hidden field, a chart that does not fit
    dataset: Dataset | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # the page's own additions (drill URL, link roles…)

    @property
    def title(self) -> str:
        return text(self.report.label, self.extra.get("lang", "zh"))


def empty(dataset: Dataset) -> bool:
    """No record behind the report: no row to draw (a report without dimensions always has its totals)."""
    return bool(dataset.dimensions) and not dataset.rows


def show(viewer: Viewer, report: ReportDef, with_table: bool = False) -> Shown:
    """Run `report` (already carrying any dashboard or linkage filters) for the viewer and draw it."""
    t = translator(viewer.lang)
    found = Shown(report, extra={"lang": viewer.lang})
    try:
        dataset = run_report(viewer.ws.records, viewer.actor, report)
    except ReportForbidden as exc:
        if exc.field is None:
            found.message = t("report_no_access")
        else:
            rt = viewer.ws.records.runtime(report.form)
            f = rt.field(exc.field.partition(".")[0])
            found.message = t("report_hidden_field").format(field=text(f.label, viewer.lang) if f else exc.field)
        return found
    found.dataset = dataset
    if empty(dataset):
        found.message = t("report_empty")
        return found
    options = dict(report.chart.options)
    try:
        found.chart = render(report.chart.type, dataset, options, viewer.lang)
    except ChartUnfit as exc:
        found.message = exc.message(viewer.lang)
    if with_table and not chart_type(report.chart.type).tabular:
        found.table = render("table", dataset, {}, viewer.lang)
    return found
