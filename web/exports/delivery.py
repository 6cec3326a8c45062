"""What a scheduled report's recipient gets (engine/reports/delivery.py asks for it): the subject, a summary as
the mail's body — the title, when, the note, the totals and the first rows as text — and the PDF. Registered with
the engine when this module is imported (by the web app, and by the `formwork` command for its worker)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.i18n import text
from engine.records.model import Actor
from engine.reports.dataset import Dataset
from engine.reports.delivery import Rendered, register_renderer
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

TOP_ROWS = 10


def render_delivery(ws: Workspace, actor: Actor, report: ReportDef, lang: str, made: datetime,
                    note: str) -> Rendered:
    """The message of one delivery of `report`, run as `actor`, for a reader of `lang`."""
    dataset = run_report(ws.records, actor, report)
    title = text(report.label, lang)
    words = filter_words(ws.records, report, lang)
    block = replace(report_block(ws, actor, report, lang, dataset), filters=())
    pdf = render_pdf([block], lang, title, made=made, filters=words, extra=[note] if note else [])
    when = made.strftime("%Y-%m-%d %H:%M")
    subject = export_text("export_schedule_subject", lang, title=note or title, period=when)
    html = summary_html(dataset, lang, title, when, note, words, str(report.chart.options.get("currency") or "CNY"))
    return Rendered(subject, html, pdf, f"{title}-{made:%Y%m%d-%H%M}.pdf")


def summary_html(dataset: Dataset, lang: str, title: str, when: str, note: str, filters: list[str],
                 currency: str = "CNY") -> str:
    """The mail body: what the report is, its totals and its first rows, as text a mail reader shows."""
    totals = [(text(m.label, lang), format_value(m, dataset.totals.get(m.key), lang, currency))
              for m in dataset.measures]
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


register_renderer(render_delivery)
