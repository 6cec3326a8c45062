"""The `dashboards` block: links to the dashboards meant for the viewer's roles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.home.model import BlockDef
from engine.i18n import text
from engine.reports.dashboard import DashboardDef
from web.home.blocks import HomeBlock, Viewer, register
from web.views.reports.visibility import may_see_dashboard


def visible_dashboards(viewer: Viewer) -> list[DashboardDef]:
    """The dashboards the viewer may open (the app menu's rule: in its roles, in an app they can open; every
    dashboard for an administrator), in app then id order."""
    boards = sorted(viewer.ws.definitions.dashboards.values(), key=lambda b: (b.app, b.id))
    return [b for b in boards if may_see_dashboard(viewer.ws, viewer.actor, b)]


@register
class Dashboards(HomeBlock):
    name = "dashboards"
    template = "home/_dashboards.html"

    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        links = [{"href": f"/apps/{d.app}/dashboards/{d.id}", "label": text(d.label, viewer.lang)}
                 for d in visible_dashboards(viewer)]
        return {"links": links}
