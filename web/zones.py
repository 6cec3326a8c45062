"""The time zone the web shows and reads local date-times in for the signed-in user."""

from __future__ import annotations

from datetime import tzinfo

from starlette.requests import Request

from engine.zones import zone_or
from web.endpoints import workspace
from web.session import current_user


def user_tz(request: Request) -> tzinfo:
    """The signed-in user's chosen zone, else the workspace's zone."""
    user = current_user(request)
    return zone_or(user.get("timezone") if user else None, workspace(request).tz)
