"""Who may see which report and dashboard (the app menu and the pages agree): an app opens for a viewer who may
read one of its forms; a report for one who may read its form; a dashboard for one in its roles (admins always)."""

from __future__ import annotations

from engine.records.model import Actor
from engine.reports.dashboard import DashboardDef
from engine.reports.model import ReportDef
from engine.definitions.model import AppDef
from engine.workspace import Workspace


def may_open_app(ws: Workspace, actor: Actor, app: AppDef) -> bool:
    """An app opens for a viewer who may read one of its forms (as the app menu shows it)."""
    return any(f in ws.definitions.forms and ws.records.guard(actor, f).access.can("read") for f in app.forms)


def may_see_report(ws: Workspace, actor: Actor, report: ReportDef) -> bool:
    return report.form in ws.definitions.forms and ws.records.guard(actor, report.form).access.can("read")


def may_see_dashboard(ws: Workspace, actor: Actor, board: DashboardDef) -> bool:
    app = next((a for a in ws.definitions.apps if a.id == board.app), None)
    return app is not None and board.visible_to(actor.roles, actor.is_admin) and may_open_app(ws, actor, app)


def menu_of(ws: Workspace, actor: Actor, app: AppDef) -> tuple[list[DashboardDef], list[ReportDef]]:
    """The app's dashboards and reports the viewer may see, in id order."""
    boards = [b for _, b in sorted(ws.definitions.dashboards.items())
              if b.app == app.id and may_see_dashboard(ws, actor, b)]
    reports = [r for _, r in sorted(ws.definitions.reports.items()) if r.app == app.id and may_see_report(ws, actor, r)]
    return boards, reports
