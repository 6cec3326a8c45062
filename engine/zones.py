"""Time zones users may choose: IANA names checked with zoneinfo, and the zone to use for a user."""

from __future__ import annotations

from datetime import tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

COMMON_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
                "Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York",
                "America/Chicago", "America/Los_Angeles", "Australia/Sydney", "UTC")
MAX_NAME = 64  # users.timezone is VARCHAR(64)


@lru_cache(maxsize=256)
def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is no such zone (or the name is not one)."""
    if not name or len(name) > MAX_NAME or name != name.strip() or "\x00" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_or(name: str | None, fallback: tzinfo) -> tzinfo:
    """The user's zone when they chose a valid one, else `fallback` (the workspace's zone)."""
    return (zone_named(name) if name else None) or fallback
