"""The report page (the chart, then its data as a table) and the dashboard page (filters, a 12-column grid of
charts and text blocks, linkage); each click on a number drills down to the list behind it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.i18n import text
from engine.reports.board import report_on_board
from engine.reports.dashboard import DashboardDef, DashboardItem
from web.i18n import translator
from web.render import page
from web.views.reports.access import Viewer, dashboard_or_refusal, report_or_refusal
from web.views.reports.board_state import BoardState, read_board_state
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
    status = 200 if shown.dataset is not None else 403  # not run: a field of it is hidden from this viewer
    return page(request, "reports/report.html", {"shown": shown, "title": text(report.label, viewer.lang)},
                status=status)


def _item(viewer: Viewer, board: DashboardDef, state: BoardState, item: DashboardItem, n: int) -> dict[str, Any]:
    found: dict[str, Any] = {"n": n, "w": item.w, "h": item.h, "x": item.x, "y": item.y, "text": None, "shown": None}
    if item.text is not None:
        found["text"] = text(item.text, viewer.lang)
        return found
    rid = str(item.report_id)
    report = viewer.ws.definitions.reports[rid]
    link = state.link if state.link is not None and rid in board.targets_of(state.link[0].id) else None
    shown = show(viewer, report_on_board(viewer.ws.records, report, state.chosen, link))
    shown.extra.update(drill=drill_url(report, state.query(), board.id), source=bool(board.targets_of(rid)),
                       linked=link is not None, id=rid)
    found["shown"] = shown
    return found


def _chip(viewer: Viewer, state: BoardState, items: list[dict[str, Any]]) -> str:
    """"Filtered by <report>: <members>" for a linkage click, with the members' labels as the source shows them."""
    if state.link is None:
        return ""
    source, keys = state.link
    names: list[str] = []
    for item in items:
        shown = item["shown"]
        if shown is None or shown.report.id != source.id or shown.dataset is None:
            continue
        n = len(shown.dataset.dimensions)
        for row in shown.dataset.rows:
            members = {c.key: m for c, m in zip(shown.dataset.dimensions, row[:n])}
            if all(k in members and members[k].key == v for k, v in keys.items()):
                names = [text(members[k].label, viewer.lang) or str(v) for k, v in keys.items()]
                break
    shown_keys = " / ".join(names or [str(v) for v in keys.values()])
    return translator(viewer.lang)("link_filtered_by").format(name=f"{text(source.label, viewer.lang)}: {shown_keys}")


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
               "title": text(board.label, viewer.lang)}
    partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"
    if partial:
        response = page(request, "reports/_board.html", context)
        response.headers["HX-Push-Url"] = f"{here}?{state.query()}" if state.params() else here
    else:
        context["components"] = filter_bar(viewer, board, state)
        response = page(request, "reports/dashboard.html", context)
    response.headers["Vary"] = "HX-Request"
    return response
