"""The `todos` block: the viewer's open workflow tasks — how many, the first few, a link to the inbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.home.model import BlockDef
from web.home.blocks import HomeBlock, Viewer, register


@register
class Todos(HomeBlock):
    name = "todos"
    template = "home/_todos.html"

    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        found = viewer.ws.workflows.inbox(viewer.actor, "todo", limit=block.limit)
        return {"total": found.total, "tasks": found.items, "now": viewer.ws.now()}
