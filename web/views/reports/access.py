"""Who may see which report and dashboard, and the lookups every report page starts with: 404 for an unknown id
(or one of another app), 403 when the viewer may not open the app, read the report's form, or is not in one of
the dashboard's roles (admins see every dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.model import AppDef
from engine.records.model import Actor
from engine.reports.dashboard import DashboardDef
from engine.reports.model import ReportDef
from web.views.reports.visibility import may_open_app, may_see_dashboard, may_see_report
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user


@dataclass(frozen=True)
class Viewer:
    ws: Workspace
    actor: Actor
    lang: str


def viewer_of(request: Request) -> Viewer:
    lang = choose_language(request)
    return Viewer(request.app.state.ws, actor_of(current_user(request) or {}, lang), lang)


def refusal(request: Request, viewer: Viewer, key: str, status: int) -> Response:
    t = translator(viewer.lang)
    message = "not_found" if status == 404 else "no_permission"
    return page(request, "error.html", {"message": message, "detail": t(key) if status != 404 else ""}, status=status)


def _app(request: Request, viewer: Viewer, app_id: str) -> AppDef | Response:
    app = next((a for a in viewer.ws.definitions.apps if a.id == app_id), None)
    if app is None:
        return refusal(request, viewer, "not_found", 404)
    if not may_open_app(viewer.ws, viewer.actor, app):
        return refusal(request, viewer, "app_no_access", 403)
    return app


def report_or_refusal(request: Request) -> tuple[Viewer, ReportDef] | Response:
    viewer = viewer_of(request)
    report = viewer.ws.definitions.reports.get(request.path_params["report"])
    if report is None or report.app != request.path_params["app"]:
        return refusal(request, viewer, "not_found", 404)
    app = _app(request, viewer, report.app)
    if isinstance(app, Response):
        return app
    if not may_see_report(viewer.ws, viewer.actor, report):
        return refusal(request, viewer, "report_no_access", 403)
    return viewer, report


def dashboard_or_refusal(request: Request) -> tuple[Viewer, DashboardDef] | Response:
    viewer = viewer_of(request)
    board = viewer.ws.definitions.dashboards.get(request.path_params["dashboard"])
    if board is None or board.app != request.path_params["app"]:
        return refusal(request, viewer, "not_found", 404)
    app = _app(request, viewer, board.app)
    if isinstance(app, Response):
        return app
    if not may_see_dashboard(viewer.ws, viewer.actor, board):
        return refusal(request, viewer, "dashboard_no_access", 403)
    return viewer, board
