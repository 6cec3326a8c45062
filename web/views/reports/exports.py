"""A report as a file, under the viewer's access: its values as an Excel workbook, or its chart drawn in a PDF.

GET /apps/{app}/reports/{report}/export.xlsx
GET /apps/{app}/reports/{report}/export.pdf

From a dashboard's box, `board=<dashboard>` and the dashboard's state (its filter values and linkage, as its URL
writes them) ride along: the report is exported as the box shows it, the dashboard's filters in words in the head.
404 for an unknown dashboard or one without the report, 403 for a viewer not in its roles.

404 for an unknown app or report (or a report of another app), 403 for a viewer who cannot open the app, 403 with
the reason when the report cannot run for them (its form is not theirs to read, or it uses a field hidden from
them). The file is named in the viewer's language (RFC 5987 for Chinese names) and never cached; each export
writes an `export` entry to the audit log (the report's form, the format, the report and its row count)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from engine.audit import record_audit
from engine.bidi import without_controls
from engine.i18n import text
from engine.locale_format import zoned_moment
from engine.records.model import Actor
from engine.reports.dataset import Dataset
from engine.reports.model import ReportDef
from engine.reports.run import ReportForbidden, run_report
from engine.reports.xlsx import SheetInfo, write_report_xlsx
from engine.workspace import Workspace
from web.endpoints import workspace
from web.exports import delivery  # noqa: F401  (registers the scheduled reports' renderer with the engine)
from web.exports.pdf import render_pdf, report_block
from web.exports.words import filter_words
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.texts.exports import export_text
from web.views.export import XLSX_TYPE, attachment
from web.views.reports.access import Viewer
from web.views.reports.board_state import read_board_state, report_as_shown
from web.views.reports.board_words import board_words
from web.views.reports.visibility import may_see_dashboard

PDF_TYPE = "application/pdf"


def export_xlsx(request: Request) -> Response:
    """The report's dataset as a workbook of values (a pivot keeps its layout)."""
    return _export(request, "xlsx")


def export_pdf(request: Request) -> Response:
    """The report drawn as on its page, in a PDF."""
    return _export(request, "pdf")


def _export(request: Request, fmt: str) -> Response:
    ws = workspace(request)
    lang = choose_language(request)
    found = _report_or_error(request, ws, lang)
    if isinstance(found, Response):
        return found
    report, actor = found
    on_board = _as_on_board(request, ws, actor, report, lang)
    if isinstance(on_board, Response):
        return on_board
    report, words = on_board
    made = ws.now().astimezone(ws.tz)
    title = text(report.label, lang)
    try:
        dataset = run_report(ws.records, actor, report)
    except ReportForbidden as exc:
        return page(request, "error.html", {"message": "no_permission", "detail": _why(ws, exc, lang)}, status=403)
    body = _xlsx(report, dataset, lang, made, words) if fmt == "xlsx" else \
        _pdf(ws, actor, report, dataset, lang, made, words)
    with ws.writing() as conn:  # exports are audited, as list exports are
        record_audit(conn, ws.now(), "export", actor_id=actor.user_id, target=report.form,
                     address=request.client.host if request.client else None,
                     detail={"format": fmt, "report": f"{report.app}.{report.id}", "rows": len(dataset.rows)})
    name = f"{without_controls(title)}-{made:%Y%m%d-%H%M}.{fmt}"
    headers = {"content-disposition": attachment(name, f"{report.id}.{fmt}"), "cache-control": "no-store"}
    return Response(body, media_type=XLSX_TYPE if fmt == "xlsx" else PDF_TYPE, headers=headers)


def _report_or_error(request: Request, ws: Workspace, lang: str) -> tuple[ReportDef, Actor] | Response:
    """The report named in the path and the viewer, or the 404/403 page."""
    app_id, report_id = request.path_params["app"], request.path_params["report"]
    app = next((a for a in ws.definitions.apps if a.id == app_id), None)
    report = ws.definitions.reports.get(report_id)
    if app is None or report is None or report.app != app_id:
        return page(request, "error.html", {"message": "not_found", "detail": export_text("export_no_report", lang)},
                    status=404)
    actor = actor_of(current_user(request) or {}, lang)
    if not actor.is_admin and not any(f in ws.definitions.forms and ws.records.guard(actor, f).access.can("read")
                                      for f in app.forms):
        return page(request, "error.html", {"message": "no_permission"}, status=403)
    return report, actor


def _as_on_board(request: Request, ws: Workspace, actor: Actor, report: ReportDef,
                 lang: str) -> tuple[ReportDef, list[str]] | Response:
    """The report and its filters in words; from a dashboard (`board=`), as its box there shows it."""
    params = request.query_params
    if "board" not in params:
        return report, filter_words(ws.records, report, lang)
    board = ws.definitions.dashboards.get(params["board"])
    if board is None or report.id not in board.report_ids():
        return page(request, "error.html", {"message": "not_found", "detail": export_text("export_no_board", lang)},
                    status=404)
    if not may_see_dashboard(ws, actor, board):
        return page(request, "error.html", {"message": "no_permission",
                                            "detail": translator(lang)("dashboard_no_access")}, status=403)
    state = read_board_state(ws, board, params)
    shown, linked = report_as_shown(ws, board, state, report)
    words = filter_words(ws.records, report, lang) + board_words(Viewer(ws, actor, lang), board, state, linked)
    return shown, words


def _xlsx(report: ReportDef, dataset: Dataset, lang: str, made: datetime, words: list[str]) -> bytes:
    out = io.BytesIO()
    info = SheetInfo(text(report.label, lang), zoned_moment(made, lang), words)
    write_report_xlsx(dataset, out, info, lang, chart=report.chart.type, options=report.chart.options)
    return out.getvalue()


def _pdf(ws: Workspace, actor: Actor, report: ReportDef, dataset: Dataset, lang: str, made: datetime,
         words: list[str]) -> bytes:
    block = replace(report_block(ws, actor, report, lang, dataset), filters=())  # the filters head the page instead
    return render_pdf([block], lang, text(report.label, lang), made=made, filters=words)


def _why(ws: Workspace, exc: ReportForbidden, lang: str) -> str:
    """Why the report cannot run for this viewer, naming the form or the hidden field by its label."""
    form = ws.definitions.forms.get(exc.report.form)
    if exc.field is None:
        reason = export_text("export_no_form_access", lang, form=text(form.label, lang) if form else exc.report.form)
    else:
        f = form.field(exc.field.split(".")[0]) if form is not None else None
        reason = export_text("export_hidden_field", lang, field=text(f.label, lang) if f is not None else exc.field)
    return export_text("export_cannot_run", lang, reason=reason)
