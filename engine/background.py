"""Wire the engine's background parts into a workspace's job system: automations, outgoing mail and workflows."""

from __future__ import annotations

from typing import Any

from engine import automation, mail, workflow


def install(ws: Any) -> None:
    """Register every job handler, outbox consumer and ticker on `ws.jobs`."""
    automation.install(ws)
    mail.install(ws)
    workflow.install(ws)
