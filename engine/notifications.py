"""In-app notifications (the bell): notices for one user about a record, listed newest first and marked read.

Automations send them (`notify`, in the action's own transaction); each user sees and marks only their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.jobs.tables import notifications

TITLE_MAX = 200
BODY_MAX = 4000
MAX_PAGE = 200


@dataclass(frozen=True)
class NoticeFilter:
    """Which of a user's notices to list: all or unread only, older than `before_id`, at most `limit`."""

    unread_only: bool = False
    before_id: int | None = None
    limit: int = 20


def notify(conn: sa.Connection, user_ids: Iterable[int], *, title: str, body: str | None, form: str | None,
           record_id: int | None, source: str | None, now: datetime) -> int:
    """Add one notice per user (each user once), in the caller's transaction; returns the rows inserted."""
    recipients = list(dict.fromkeys(int(u) for u in user_ids if u is not None))
    if not recipients:
        return 0
    rows = [{"user_id": user_id, "title": title[:TITLE_MAX], "body": body[:BODY_MAX] if body else None,
             "form": form, "record_id": record_id, "source": source[:200] if source else None, "created_at": now,
             "read_at": None} for user_id in recipients]
    conn.execute(sa.insert(notifications), rows)
    return len(rows)


def _mine(user_id: int, unread_only: bool = False) -> list[Any]:
    clauses: list[Any] = [notifications.c.user_id == user_id]
    if unread_only:
        clauses.append(notifications.c.read_at.is_(None))
    return clauses


def list_notifications(conn: sa.Connection, user_id: int, flt: NoticeFilter = NoticeFilter()) -> list[dict[str, Any]]:
    """The user's notices matching the filter, newest first."""
    clauses = _mine(user_id, flt.unread_only)
    if flt.before_id is not None:
        clauses.append(notifications.c.id < flt.before_id)
    stmt = sa.select(notifications).where(*clauses).order_by(notifications.c.id.desc()) \
        .limit(max(1, min(flt.limit, MAX_PAGE)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def count_notifications(conn: sa.Connection, user_id: int, *, unread_only: bool = False) -> int:
    """How many notices the user has (only the unread ones with `unread_only`)."""
    stmt = sa.select(sa.func.count()).select_from(notifications).where(*_mine(user_id, unread_only))
    return int(conn.execute(stmt).scalar() or 0)


def unread_count(conn: sa.Connection, user_id: int) -> int:
    """The number on the bell: the user's unread notices."""
    return count_notifications(conn, user_id, unread_only=True)


def get_notification(conn: sa.Connection, user_id: int, notification_id: int) -> dict[str, Any] | None:
    """One of the user's own notices; None if there is no such notice or it belongs to someone else."""
    row = conn.execute(sa.select(notifications).where(notifications.c.id == notification_id,
                                                      notifications.c.user_id == user_id)).mappings().first()
    return dict(row) if row else None


def mark_read(conn: sa.Connection, user_id: int, notification_id: int, now: datetime) -> dict[str, Any] | None:
    """Mark one of the user's notices read (a read one keeps its first read time); None if it is not theirs."""
    conn.execute(sa.update(notifications).where(
        notifications.c.id == notification_id, notifications.c.user_id == user_id,
        notifications.c.read_at.is_(None)).values(read_at=now))
    return get_notification(conn, user_id, notification_id)


def mark_all_read(conn: sa.Connection, user_id: int, now: datetime) -> int:
    """Mark every unread notice of the user read; returns how many were unread."""
    stmt = sa.update(notifications).where(*_mine(user_id, unread_only=True)).values(read_at=now)
    return int(conn.execute(stmt).rowcount or 0)
