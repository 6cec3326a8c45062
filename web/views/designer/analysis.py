"""The app designer page's list of the app's reports and dashboards, with the designer's unpublished new ones."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import AppDef
from engine.workspace import Workspace
from web.views.designer.publishing import app_folder


def document_path(app: AppDef, kind: str, doc_id: str) -> str:
    folder = app_folder(app)
    return f"{folder}/{kind}s/{doc_id}.yaml" if folder else f"{kind}s/{doc_id}.yaml"


def analysis_of(ws: Workspace, app: AppDef, user_id: int) -> dict[str, Any]:
    """The app's published reports and dashboards, and the ids of the user's drafts of new ones."""
    drafts = [str(d["path"]) for d in ws.drafts.of_user(user_id)]
    published = {r.source.file for r in ws.definitions.reports.values()} | \
        {b.source.file for b in ws.definitions.dashboards.values()}

    def head(kind: str) -> str:
        return document_path(app, kind, "x")[:-len("x.yaml")]

    def new(kind: str) -> list[str]:
        return [p[len(head(kind)):-len(".yaml")] for p in drafts if p.startswith(head(kind)) and p not in published
                and p.endswith(".yaml") and "/" not in p[len(head(kind)):]]
    return {"app_reports": sorted((r for r in ws.definitions.reports.values() if r.source.file.startswith(head("report"))),
                                  key=lambda r: r.id),
            "app_dashboards": sorted((b for b in ws.definitions.dashboards.values()
                                      if b.source.file.startswith(head("dashboard"))), key=lambda b: b.id),
            "new_reports": new("report"), "new_dashboards": new("dashboard")}


def analysis_counts(ws: Workspace, apps: list[AppDef]) -> dict[str, tuple[int, int]]:
    """app id → (its reports, its dashboards), for the /design page's app cards."""
    def count(items: Any, kind: str, app: AppDef) -> int:
        head = document_path(app, kind, "x")[:-len("x.yaml")]
        return sum(1 for item in items.values() if item.source.file.startswith(head))
    return {a.id: (count(ws.definitions.reports, "report", a), count(ws.definitions.dashboards, "dashboard", a))
            for a in apps}
