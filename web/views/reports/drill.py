"""Drill-down: a click on a number of a report (on its page or on a dashboard, under the dashboard's filters and
linkage) opens the form's list page with the conditions selecting exactly the records behind that number."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.errors import QueryInvalid
from engine.records.model import Filter
from engine.reports.drill import drill_query
from engine.reports.labels import OTHERS_KEY
from engine.reports.model import ReportDef
from engine.reports.reached import reached_ids, reached_pipeline
from engine.reports.run import ReportForbidden, run_report
from engine.reports.stages import stayed
from web.i18n import translator
from web.render import page
from web.views.liststate import URL_SAFE
from web.views.reports.access import Viewer, report_or_refusal
from web.views.reports.board_state import read_board_state, report_as_shown
from web.views.reports.visibility import may_see_dashboard


def drill_url(report: ReportDef, board_query: str = "", board: str = "") -> str:
    """Where a page sends a click on `report` (the page adds `keys` and `measure`)."""
    extra = f"&board={board}&{board_query}" if board else ""
    return f"/apps/{report.app}/reports/{report.id}/drill?{extra.lstrip('&')}"


def token(flt: Filter) -> str:
    """A filter as the list URL's `f` parameter writes it (field:op[:value])."""
    value = flt.value
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        shown = "..".join(map(str, value)) if flt.op == "between" else ",".join(map(str, value))
    else:
        shown = "" if value is None else str(value)
    return f"{flt.field}:{flt.op}" + (f":{shown}" if shown else "")


def _bad(request: Request, viewer: Viewer, key: str) -> Response:
    return page(request, "error.html", {"message": "bad_query", "detail": translator(viewer.lang)(key)}, status=400)


def drill(request: Request) -> Response:
    found = report_or_refusal(request)
    if isinstance(found, Response):
        return found
    viewer, report = found
    ws, params = viewer.ws, request.query_params
    board = ws.definitions.dashboards.get(params.get("board", ""))
    if board is not None and report.id in board.report_ids() and may_see_dashboard(ws, viewer.actor, board):
        report = report_as_shown(ws, board, read_board_state(ws, board, params), report)[0]
    try:
        keys = json.loads(params.get("keys", "{}"))
    except ValueError:
        keys = None
    known = {d.id for d in report.dimensions}
    if not isinstance(keys, dict) or set(keys) - known or \
            not all(k is None or isinstance(k, (str, int, float)) for k in keys.values()):
        return _bad(request, viewer, "drill_bad_keys")
    # a subtotal or total cell names only some dimensions: the others take any value (a reached funnel keeps its
    # one dimension, which says what its total counts)
    if reached_pipeline(ws.definitions, report) is None:
        report = replace(report, dimensions=tuple(d for d in report.dimensions if d.id in keys))
    ordered = [keys[d.id] for d in report.dimensions if d.id in keys]
    kept: list[list[Any]] = []
    try:
        if OTHERS_KEY in ordered:
            dataset = run_report(ws.records, viewer.actor, report)
            n = len(report.dimensions)
            kept = [[m.key for m in row[:n]] for row in dataset.rows if row[0].key != OTHERS_KEY]
        measure = params.get("measure") or None
        query = drill_query(ws.records.runtime(report.form), report, ordered, ws.records.tz, measure, kept,
                            stayed=lambda filters: stayed(ws.records, viewer.actor, report, str(measure),
                                                          filters) or [],
                            reached=lambda step, filters: reached_ids(ws.records, viewer.actor, report, str(step),
                                                                      filters))
    except QueryInvalid:
        return _bad(request, viewer, "drill_not_listable")
    except ReportForbidden:
        return page(request, "error.html", {"message": "no_permission",
                                            "detail": translator(viewer.lang)("report_no_access")}, status=403)
    form = ws.definitions.forms[report.form]
    query_string = urlencode([("f", token(f)) for f in query.filters], safe=URL_SAFE)
    return RedirectResponse(f"/apps/{form.app}/{form.id}?{query_string}", status_code=303)
