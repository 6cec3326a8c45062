"""The report page (the chart, then its data as a table) and the dashboard page (filters, a 12-column grid of
charts and text blocks, linkage); each click on a number drills down to the list behind it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.i18n import text
from engine.reports.dashboard import DashboardDef, DashboardItem
from engine.reports.model import ReportDef
from web.i18n import translator
from web.render import page
from web.views.reports.access import Viewer, dashboard_or_refusal, report_or_refusal
from web.views.reports.board_state import BoardState, read_board_state, report_as_shown
from web.views.reports.board_words import link_words
from web.views.reports.drill import drill_url
from web.views.reports.filter_bar import filter_bar
from web.views.reports.shown import show


def report_page(request: Request) -> Response:
    found = report_or_refusal(request)
    if isinstance(found, Response):
        return found
    viewer, report = found
    shown = show(viewer, report, with_table=True)
    shown.extra["drill"] = drill_url(report)
    shown.extra["exports"] = export_urls(report)
    status = 200 if shown.dataset is not None else 403  # not run: a field of it is hidden from this viewer
    return page(request, "reports/report.html", {"shown": shown, "title": text(report.label, viewer.lang)},
                status=status)


def export_urls(report: ReportDef, query: str = "") -> dict[str, str]:
    """The report's export links (xlsx, pdf), with a dashboard's state when given (`board=<id>&…`)."""
    base = f"/apps/{report.app}/reports/{report.id}/export"
    return {fmt: f"{base}.{fmt}" + (f"?{query}" if query else "") for fmt in ("xlsx", "pdf")}


def _item(viewer: Viewer, board: DashboardDef, state: BoardState, item: DashboardItem, n: int) -> dict[str, Any]:
    found: dict[str, Any] = {"n": n, "w": item.w, "h": item.h, "x": item.x, "y": item.y, "text": None, "shown": None}
    if item.text is not None:
        found["text"] = text(item.text, viewer.lang)
        return found
    rid = str(item.report_id)
    report = viewer.ws.definitions.reports[rid]
    on_board, linked = report_as_shown(viewer.ws, board, state, report)
    shown = show(viewer, on_board)
    query = state.query()
    shown.extra.update(drill=drill_url(report, query, board.id), source=bool(board.targets_of(rid)), linked=linked,
                       id=rid, exports=export_urls(report, f"board={board.id}" + (f"&{query}" if query else "")))
    found["shown"] = shown
    return found


def _chip(viewer: Viewer, state: BoardState, items: list[dict[str, Any]]) -> str:
    """"Filtered by <report>: <members>" for a linkage click, with the members' labels as the source shows them."""
    if state.link is None:
        return ""
    source = next((i["shown"].dataset for i in items if i["shown"] is not None
                   and i["shown"].report.id == state.link[0].id), None)
    return link_words(viewer, state, source)


def dashboard_page(request: Request) -> Response:
    found = dashboard_or_refusal(request)
    if isinstance(found, Response):
        return found
    viewer, board = found
    state = read_board_state(viewer.ws, board, request.query_params)
    items = [_item(viewer, board, state, item, n) for n, item in enumerate(board.items)]
    t = translator(viewer.lang)
    here = f"/apps/{board.app}/dashboards/{board.id}"
    refused = [t("filter_bad_choice").format(name=text(b.component.label or b.component.id, viewer.lang), value=b.raw)
               for b in state.refused]
    context = {"board": board, "items": items, "state": state, "chip": _chip(viewer, state, items), "here": here,
               "clear_link": f"{here}?{state.query(with_link=False)}", "refused": refused,
               "reset": f"{here}?" + "&".join(f"{c.id}=" for c in board.filters),
               "title": text(board.label, viewer.lang),
               "board_pdf": f"{here}/export.pdf" + (f"?{state.query()}" if state.params() else "")}
    partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"
    if partial:
        response = page(request, "reports/_board.html", context)
        response.headers["HX-Push-Url"] = f"{here}?{state.query()}" if state.params() else here
    else:
        context["components"] = filter_bar(viewer, board, state)
        response = page(request, "reports/dashboard.html", context)
    response.headers["Vary"] = "HX-Request"
    return response
