"""Wire the engine's background parts into a workspace's job system: automations, outgoing mail, workflows, scheduled
reports and the hourly purge of expired sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import automation, mail, workflow
from engine.org import sessions
from engine.reports import delivery as report_delivery

if TYPE_CHECKING:
    from engine.workspace import Workspace


def install(ws: Workspace) -> None:
    """Register every job handler, outbox consumer and ticker on `ws.jobs`."""
    automation.install(ws)
    mail.install(ws)
    workflow.install(ws)
    report_delivery.install(ws)
    ws.jobs.tick_with(sessions.purge_ticker(ws))
