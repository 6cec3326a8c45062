"""A report as shown on a dashboard: the viewer's chosen global filters read once (department trees from the
database), then added to each report with the members clicked in a linked report; relative ranges are computed
in the workspace time zone, as the reports bucket dates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.records.service import RecordService
from engine.reports.dashboard import DashboardDef
from engine.reports.dashboard_filters import Choice, filtered_report, linked_report, read_choices
from engine.reports.model import ReportDef
from engine.storage.database import read_transaction


def choices(records: RecordService, dashboard: DashboardDef, raw: Mapping[str, str]) -> list[Choice]:
    """The chosen values of the dashboard's components (BadChoice names one that cannot be read)."""
    with read_transaction(records.engine) as conn:
        return read_choices(dashboard, raw, conn)


def report_on_board(records: RecordService, report: ReportDef, chosen: list[Choice],
                    link: tuple[ReportDef, Mapping[str, Any]] | None = None) -> ReportDef:
    """`report` with the chosen filters added and, given `link` (the clicked report and its member keys), the
    linkage filters too."""
    rt = records.runtime(report.form)
    found = filtered_report(report, rt, chosen, records.clock(), records.tz)
    if link is not None:
        found = linked_report(link[0], link[1], found, rt, records.tz)
    return found
