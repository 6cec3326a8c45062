"""Wire the engine's background parts into a workspace's job system: automations, outgoing mail and workflows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import automation, mail, workflow

if TYPE_CHECKING:
    from engine.workspace import Workspace


def install(ws: Workspace) -> None:
    """Register every job handler, outbox consumer and ticker on `ws.jobs`."""
    automation.install(ws)
    mail.install(ws)
    workflow.install(ws)
