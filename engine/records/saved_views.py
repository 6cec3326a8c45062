"""Saved list views: a user's named filters, search and sort for one form, visible to that user only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.storage.system import saved_views

MAX_NAME = 80


@dataclass(frozen=True)
class SavedView:
    """One saved view: whose it is, which form, its name and the list query it restores."""

    id: int
    user_id: int
    form: str
    name: str
    query: Mapping[str, Any]
    created_at: datetime


def _view(row: Any) -> SavedView:
    m = row._mapping
    return SavedView(int(m["id"]), int(m["user_id"]), str(m["form"]), str(m["name"]), dict(m["query"] or {}),
                     m["created_at"])


def views_of(conn: sa.Connection, user_id: int, form: str) -> list[SavedView]:
    """The user's saved views of a form, oldest first (the order they appear as tabs)."""
    rows = conn.execute(sa.select(saved_views).where(saved_views.c.user_id == user_id, saved_views.c.form == form)
                        .order_by(saved_views.c.id))
    return [_view(r) for r in rows]


def view_of(conn: sa.Connection, user_id: int, view_id: int) -> SavedView | None:
    """One of the user's saved views, or None when it does not exist or belongs to someone else."""
    row = conn.execute(sa.select(saved_views).where(saved_views.c.id == view_id,
                                                    saved_views.c.user_id == user_id)).first()
    return _view(row) if row is not None else None


def save_view(conn: sa.Connection, user_id: int, form: str, name: str, query: Mapping[str, Any],
              now: datetime) -> SavedView:
    """Store a view under a name (a view of the same name on the same form is replaced)."""
    name = name.strip()[:MAX_NAME]
    if not name:
        raise ValueError("a saved view needs a name")
    conn.execute(sa.delete(saved_views).where(saved_views.c.user_id == user_id, saved_views.c.form == form,
                                              saved_views.c.name == name))
    new_id = conn.execute(sa.insert(saved_views).values(user_id=user_id, form=form, name=name, query=dict(query),
                                                         created_at=now).returning(saved_views.c.id)).scalar_one()
    return SavedView(int(new_id), user_id, form, name, dict(query), now)


def delete_view(conn: sa.Connection, user_id: int, view_id: int) -> bool:
    """Delete one of the user's views; False when there is no such view of theirs."""
    result = conn.execute(sa.delete(saved_views).where(saved_views.c.id == view_id, saved_views.c.user_id == user_id))
    return bool(result.rowcount)
