"""Outgoing email: SMTP settings, templates, a logged and tracked message queue sent by jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.mail import tables as tables  # the tables join the system metadata when the workspace is created

if TYPE_CHECKING:
    from engine.workspace import Workspace


def install(ws: Workspace) -> None:
    """Register the mail job handlers on the workspace's job system."""
    from engine.mail.sending import install as install_sending

    install_sending(ws)
