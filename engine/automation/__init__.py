"""Automations (智能助手): triggers from the outbox, schedules, dates and webhooks; a condition; ordered actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.workspace import Workspace


def install(ws: Workspace) -> None:
    """Register the automation job handlers, outbox consumer and ticker on the workspace's job system."""
    from engine.automation import clock, run, triggers, webhooks

    ws.jobs.handle("automation.run", run.run_automation)
    ws.jobs.handle("webhook.call", webhooks.call_webhook)
    ws.jobs.consume(triggers.consume(ws))
    ws.jobs.tick_with(clock.ticker(ws))
