"""The report page (the chart, then its data as a table) and the dashboard page (filters, a 12-column grid of
charts and text blocks, linkage); each click on a number drills down to the list behind it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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

PARALLEL_REPORTS = 4  # a board's reports computed at once, at most (each holds one database connection)


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
        found["title"] = text(item.title, viewer.lang) if item.title is not None else ""
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


def _items(viewer: Viewer, board: DashboardDef, state: BoardState) -> list[dict[str, Any]]:
    """Every item of the board, its reports computed side by side: each is one aggregate query, which the database
    runs while Python waits (SQLite and psycopg let go of the interpreter lock), so a board of eight charts no
    longer costs the sum of eight scans when nothing is kept from an earlier view."""
    jobs = list(enumerate(board.items))
    if len(jobs) < 2:
        return [_item(viewer, board, state, item, n) for n, item in jobs]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_REPORTS, len(jobs))) as pool:
        return list(pool.map(lambda job: _item(viewer, board, state, job[1], job[0]), jobs))


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
    items = _items(viewer, board, state)
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
