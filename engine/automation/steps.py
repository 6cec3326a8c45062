"""Exactly-once actions: a step's marker is written in the same transaction as the step's effect."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.jobs.tables import automation_state, automation_steps


def done_output(conn: sa.Connection, run_key: str, position: int) -> tuple[bool, Any]:
    """(True, output) if this step already happened (in an earlier try of the run)."""
    row = conn.execute(sa.select(automation_steps.c.output).where(
        automation_steps.c.run_key == run_key, automation_steps.c.position == position)).first()
    return (True, row.output) if row else (False, None)


def mark(conn: sa.Connection, run_key: str, position: int, output: Any, now: Any) -> None:
    """Record a step as done (a second mark in the same transaction keeps the first)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(automation_steps).values(run_key=run_key, position=position, output=output, done_at=now)
                 .on_conflict_do_nothing(index_elements=["run_key", "position"]))


def read_state(conn: sa.Connection, key: str) -> Any:
    query = sa.select(automation_state.c.value).where(automation_state.c.key == key)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).scalar()


def write_state(conn: sa.Connection, key: str, value: Any) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(automation_state).values(key=key, value=value)
                 .on_conflict_do_update(index_elements=["key"], set_={"value": value}))
