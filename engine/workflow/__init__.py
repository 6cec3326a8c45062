"""Approval workflows (流程表单): instances travel through the nodes of a form's workflow, tasks go to people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.workspace import Workspace


def install(ws: Workspace) -> None:
    """Register the timeout ticker and job, and the auto_start consumer and job, on the workspace's job system."""
    from engine.workflow import autostart, timeouts

    ws.jobs.handle(timeouts.KIND, timeouts.run_timeout)
    ws.jobs.handle(autostart.KIND, autostart.run_autostart)
    ws.jobs.consume(autostart.consume(ws))
    ws.jobs.tick_with(timeouts.ticker(ws))
