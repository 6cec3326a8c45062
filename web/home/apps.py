"""The `apps` block: the apps the viewer can open, with their forms (the page context already lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.home.model import BlockDef
from web.home.blocks import HomeBlock, Viewer, register


@register
class Apps(HomeBlock):
    name = "apps"
    template = "home/_apps.html"

    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        return {}
