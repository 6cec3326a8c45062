"""What a scheduled report's or dashboard's recipient gets (engine/reports/delivery.py asks for it): the subject,
a summary as the mail's body — the title, when, the note, then a report's totals and first rows, or each report of
a dashboard with its totals — and the PDF. One renderer per kind, registered with the engine when this module is
imported (by the web app, and by the `formwork` command for its worker). A dashboard is drawn with its filters'
default values, as the recipient would see it (skipped when they may not see it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from engine.i18n import text
from engine.locale_format import moment
from engine.records.model import Actor
from engine.reports.dataset import Dataset
from engine.reports.dashboard import DashboardDef
from engine.reports.delivery import NotForThem, Rendered, register_renderer
from engine.reports.model import ReportDef
from engine.reports.run import run_report
from engine.workspace import Workspace
from web.charts.members import member_label
from web.charts.numbers import format_value
from web.exports.pdf import render_pdf, report_block
from web.exports.words import filter_words
from web.i18n import translator
from web.render import environment
from web.texts.exports import export_text
from web.views.reports.access import Viewer
from web.views.reports.board_pdf import board_pdf
from web.views.reports.board_state import read_board_state
from web.views.reports.visibility import may_see_dashboard

TOP_ROWS = 10


def render_delivery(ws: Workspace, actor: Actor, report: ReportDef, lang: str, made: datetime,
                    note: str) -> Rendered:
    """The message of one delivery of `report`, run as `actor`, for a reader of `lang`."""
    dataset = run_report(ws.records, actor, report)
    title = text(report.label, lang)
    words = filter_words(ws.records, report, lang)
    block = replace(report_block(ws, actor, report, lang, dataset), filters=())
    pdf = render_pdf([block], lang, title, made=made, filters=words, extra=[note] if note else [])
    when = moment(made, lang)
    subject = export_text("export_schedule_subject", lang, title=note or title, period=when)
    html = summary_html(dataset, lang, title, when, note, words, str(report.chart.options.get("currency") or "CNY"))
    return Rendered(subject, html, pdf, f"{title}-{made:%Y%m%d-%H%M}.pdf")


def summary_html(dataset: Dataset, lang: str, title: str, when: str, note: str, filters: list[str],
                 currency: str = "CNY") -> str:
    """The mail body: what the report is, its totals and its first rows, as text a mail reader shows."""
    totals = _totals(dataset, lang, currency)
    head = [text(c.label, lang) for c in dataset.columns]
    rows: list[list[Any]] = []
    for row in dataset.rows[:TOP_ROWS]:
        rows.append([member_label(v, lang) if c.role == "dimension" else format_value(c, v, lang, currency)
                     for c, v in zip(dataset.columns, row)])
    return environment.get_template("exports/summary.html").render(
        t=translator(lang), title=title, note=note,
        intro=export_text("export_schedule_intro", lang, title=title, time=when),
        filters=export_text("export_filters", lang, filters="; ".join(filters)) if filters
        else export_text("export_no_filters", lang),
        totals_label=export_text("export_schedule_totals", lang), totals=totals,
        rows_label=export_text("export_schedule_rows", lang, n=min(TOP_ROWS, len(rows))) if dataset.dimensions else "",
        head=head, rows=rows if dataset.dimensions else [])


def render_board_delivery(ws: Workspace, actor: Actor, board: DashboardDef, lang: str, made: datetime,
                          note: str) -> Rendered:
    """The message of one delivery of a dashboard, with its default filter values, as `actor` sees it."""
    if not may_see_dashboard(ws, actor, board):
        raise NotForThem(board.id)
    viewer = Viewer(ws, actor, lang)
    pdf, document = board_pdf(viewer, board, read_board_state(ws, board, QueryParams()), made,
                              extra=[note] if note else [])
    title, when = text(board.label, lang), moment(made, lang)
    reports = []
    for shown in document.shown:
        currency = str(shown.report.chart.options.get("currency") or "CNY")
        totals = _totals(shown.dataset, lang, currency) if shown.dataset is not None and not shown.message else []
        reports.append({"title": text(shown.report.label, lang), "totals": totals, "message": shown.message})
    html = environment.get_template("exports/board_summary.html").render(
        title=title, note=note, intro=export_text("export_board_intro", lang, title=title, time=when),
        filters=export_text("export_filters", lang, filters="; ".join(document.words)) if document.words
        else export_text("export_no_filters", lang), reports=reports)
    subject = export_text("export_schedule_subject", lang, title=note or title, period=when)
    return Rendered(subject, html, pdf, f"{title}-{made:%Y%m%d-%H%M}.pdf")


def _totals(dataset: Dataset, lang: str, currency: str) -> list[tuple[str, str]]:
    """Each measure's label and its total (a KPI's number), formatted as the report shows it."""
    return [(text(m.label, lang), format_value(m, dataset.totals.get(m.key), lang, currency)) for m in dataset.measures]


register_renderer("report", render_delivery)
register_renderer("dashboard", render_board_delivery)
