"""The `dashboards` block: links to the dashboards meant for the viewer's roles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.home.model import BlockDef
from engine.i18n import text
from web.home.blocks import HomeBlock, Viewer, register


def visible_dashboards(viewer: Viewer) -> list[Any]:
    """The dashboards of the definitions the viewer may open: those whose `roles` include one of theirs (no roles:
    everyone), in apps with a form they can read; every dashboard for an administrator. [] while the definitions
    hold no dashboards (`Definitions.dashboards`, keyed by id, each with `app`, `id`, `label` and `roles`)."""
    found = getattr(viewer.ws.definitions, "dashboards", None)
    if not isinstance(found, Mapping):
        return []
    mine = set(viewer.actor.roles)
    out = []
    for dashboard in found.values():
        app = next((a for a in viewer.ws.definitions.apps if a.id == getattr(dashboard, "app", None)), None)
        if app is None:
            continue
        readable = any(viewer.ws.records.guard(viewer.actor, f).access.can("read") for f in app.forms)
        roles = set(getattr(dashboard, "roles", ()) or ())
        if viewer.actor.is_admin or (readable and (not roles or roles & mine)):
            out.append(dashboard)
    return out


@register
class Dashboards(HomeBlock):
    name = "dashboards"
    template = "home/_dashboards.html"

    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        links = [{"href": f"/apps/{d.app}/dashboards/{d.id}", "label": text(d.label, viewer.lang)}
                 for d in visible_dashboards(viewer)]
        return {"links": links}
