"""Drafts of definition documents: one per admin and document, with every step kept for undo and redo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.storage.system import draft_steps, drafts

MAX_STEPS = 200  # undo reaches this far back; older steps are dropped


def find(conn: sa.Connection, path: str, user_id: int) -> dict[str, Any] | None:
    """The draft with the text of its current step (`text`) and how many steps it has (`steps`)."""
    row = conn.execute(sa.select(drafts).where(drafts.c.path == path, drafts.c.user_id == user_id)).first()
    if row is None:
        return None
    draft = dict(row._mapping)
    draft["text"] = conn.execute(sa.select(draft_steps.c.text).where(
        draft_steps.c.draft_id == draft["id"], draft_steps.c.step == draft["position"])).scalar_one()
    draft["first"], draft["last"] = conn.execute(
        sa.select(sa.func.min(draft_steps.c.step), sa.func.max(draft_steps.c.step))
        .where(draft_steps.c.draft_id == draft["id"])).one()
    return draft


def create(conn: sa.Connection, path: str, user_id: int, base_version: int | None, text: str, now: datetime) -> None:
    key = conn.execute(sa.insert(drafts).values(path=path, user_id=user_id, base_version=base_version,
                                                position=0, created_at=now, updated_at=now)).inserted_primary_key
    assert key is not None
    conn.execute(sa.insert(draft_steps).values(draft_id=key[0], step=0, text=text, created_at=now))


def add_step(conn: sa.Connection, draft: dict[str, Any], text: str, operation: Any, now: datetime) -> None:
    """A new step after the current one; the steps undone before it (the redo tail) are dropped."""
    step = int(draft["position"]) + 1
    conn.execute(sa.delete(draft_steps).where(draft_steps.c.draft_id == draft["id"], draft_steps.c.step >= step))
    conn.execute(sa.insert(draft_steps).values(draft_id=draft["id"], step=step, text=text, operation=operation,
                                               created_at=now))
    conn.execute(sa.delete(draft_steps).where(draft_steps.c.draft_id == draft["id"],
                                              draft_steps.c.step <= step - MAX_STEPS))
    move(conn, draft, step, now)


def move(conn: sa.Connection, draft: dict[str, Any], step: int, now: datetime) -> None:
    conn.execute(sa.update(drafts).where(drafts.c.id == draft["id"]).values(position=step, updated_at=now))


def rebase(conn: sa.Connection, draft: dict[str, Any], base_version: int, text: str, now: datetime) -> None:
    """After a merge with another publish: the merged text becomes a new step on the new base."""
    add_step(conn, draft, text, {"op": "merge", "base_version": base_version}, now)
    conn.execute(sa.update(drafts).where(drafts.c.id == draft["id"]).values(base_version=base_version))


def remove(conn: sa.Connection, path: str, user_id: int) -> None:
    ids = [r.id for r in conn.execute(sa.select(drafts.c.id).where(drafts.c.path == path,
                                                                   drafts.c.user_id == user_id))]
    if ids:
        conn.execute(sa.delete(draft_steps).where(draft_steps.c.draft_id.in_(ids)))
        conn.execute(sa.delete(drafts).where(drafts.c.id.in_(ids)))


def of_user(conn: sa.Connection, user_id: int) -> list[dict[str, Any]]:
    """Every draft of one admin (path, base version, last change), newest first."""
    rows = conn.execute(sa.select(drafts.c.path, drafts.c.base_version, drafts.c.updated_at)
                        .where(drafts.c.user_id == user_id).order_by(drafts.c.updated_at.desc()))
    return [dict(r._mapping) for r in rows]
