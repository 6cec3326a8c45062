"""A whole dashboard as a PDF, as its viewer sees it: their data scope, the filter state of the URL (absent: the
defaults) and the linkage; the items in reading order (row, then column), text blocks included; a report that
cannot be drawn for the viewer (a hidden field, no data) shows its message in its place.

GET /apps/{app}/dashboards/{dashboard}/export.pdf

404 and 403 as for the dashboard's page. The head of the document says the filters and the linkage in words.
Scheduled dashboards (web/exports/delivery.py) draw the same document with the default filter values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from starlette.requests import Request
from starlette.responses import Response

from engine.audit import record_audit
from engine.bidi import without_controls
from engine.i18n import text
from engine.reports.dashboard import DashboardDef, DashboardItem
from engine.reports.grid import reading_order
from web.exports.pdf import Block, NoteBlock, ReportBlock, TextBlock, render_pdf
from web.exports.words import filter_words
from web.views.export import attachment
from web.views.reports.access import Viewer, dashboard_or_refusal
from web.views.reports.board_state import BoardState, read_board_state, report_as_shown
from web.views.reports.board_words import component_words, link_words
from web.views.reports.shown import Shown, show

PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class BoardDocument:
    """What a dashboard's PDF holds: the blocks in order, the reports as drawn, and the state in words."""

    blocks: list[Block]
    shown: list[Shown]
    words: list[str]


def board_document(viewer: Viewer, board: DashboardDef, state: BoardState) -> BoardDocument:
    """Run and draw every item of the dashboard for the viewer, in reading order."""
    blocks: list[Block] = []
    drawn: list[Shown] = []
    for item in reading_order(board.items):
        if item.text is not None:
            blocks.append(TextBlock(text(item.text, viewer.lang), text(item.title, viewer.lang) if item.title else ""))
            continue
        shown, block = _report(viewer, board, state, item)
        drawn.append(shown)
        blocks.append(block)
    words = component_words(viewer, board, state)
    if state.link is not None:
        source = next((s.dataset for s in drawn if s.report.id == state.link[0].id), None)
        words.append(link_words(viewer, state, source))
    return BoardDocument(blocks, drawn, words)


def _report(viewer: Viewer, board: DashboardDef, state: BoardState, item: DashboardItem) -> tuple[Shown, Block]:
    report = viewer.ws.definitions.reports[str(item.report_id)]
    on_board, linked = report_as_shown(viewer.ws, board, state, report)
    shown = show(viewer, on_board)
    shown.extra["linked"] = linked
    title = text(report.label, viewer.lang)
    own = filter_words(viewer.ws.records, report, viewer.lang)  # the dashboard's own filters head the document
    if shown.chart is None:
        return shown, NoteBlock(title, shown.message, own)
    return shown, ReportBlock(title, shown.chart, own)


def board_pdf(viewer: Viewer, board: DashboardDef, state: BoardState, made: datetime,
              extra: Sequence[str] = ()) -> tuple[bytes, BoardDocument]:
    """The dashboard's PDF for the viewer under `state`, and what it holds."""
    document = board_document(viewer, board, state)
    pdf = render_pdf(document.blocks, viewer.lang, text(board.label, viewer.lang), made=made,
                     filters=document.words, extra=extra)
    return pdf, document


def export_board_pdf(request: Request) -> Response:
    """The dashboard as a PDF under the URL's filters and linkage (an audited export)."""
    found = dashboard_or_refusal(request)
    if isinstance(found, Response):
        return found
    viewer, board = found
    ws = viewer.ws
    made = ws.now().astimezone(ws.tz)
    pdf, document = board_pdf(viewer, board, read_board_state(ws, board, request.query_params), made)
    with ws.writing() as conn:  # exports are audited, as list and report exports are
        record_audit(conn, ws.now(), "export", actor_id=viewer.actor.user_id, target=f"{board.app}.{board.id}",
                     address=request.client.host if request.client else None,
                     detail={"format": "pdf", "dashboard": f"{board.app}.{board.id}",
                             "reports": len(document.shown)})
    name = f"{without_controls(text(board.label, viewer.lang))}-{made:%Y%m%d-%H%M}.pdf"
    headers = {"content-disposition": attachment(name, f"{board.id}.pdf"), "cache-control": "no-store"}
    return Response(pdf, media_type=PDF_TYPE, headers=headers)
