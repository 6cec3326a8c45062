"""Wire the engine's background parts into a workspace's job system: automations, outgoing mail, workflows, scheduled
reports, the hourly purge of expired sessions and old public post counts, the daily backup, big exports and imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import automation, mail, public_limits, workflow
from engine.backup import schedule as backup_schedule
from engine.imports import job as import_job
from engine.org import sessions
from engine.records import export_jobs
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
    ws.jobs.tick_with(public_limits.purge_ticker(ws))
    backup_schedule.install(ws)
    export_jobs.install(ws)
    import_job.install(ws)
