"""Admins switch automations on and off without editing their documents (the document's `enabled` is the default)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.definitions.model import AutomationDef
from engine.jobs.tables import automation_switches


def switched(conn: sa.Connection) -> dict[str, bool]:
    """automation id → the admin's choice, for those an admin has switched."""
    return {str(r.automation): bool(r.enabled) for r in conn.execute(sa.select(automation_switches))}


def is_enabled(automation: AutomationDef, switches: dict[str, bool]) -> bool:
    return switches.get(automation.id, automation.enabled)


def set_enabled(conn: sa.Connection, automation_id: str, enabled: bool, user_id: int | None, now: datetime) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(automation_switches).values(automation=automation_id, enabled=enabled, changed_by=user_id,
                                                      changed_at=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["automation"],
                                            set_={"enabled": enabled, "changed_by": user_id, "changed_at": now}))
