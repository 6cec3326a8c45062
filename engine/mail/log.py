"""The outgoing mail log for people: counts by status, a page of messages (newest first) and one message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.mail.tables import email_messages
from engine.records.terms import check_term

STATUSES = ("queued", "sending", "sent", "failed")
MAX_PAGE = 200
m = email_messages.c
# what a list shows of a message (not its HTML or text)
SUMMARY = (m.id, m.key, m.to_address, m.subject, m.status, m.error, m.error_code, m.attempts, m.created_at, m.sent_at,
           m.source, m.form, m.record_id, m.batch, m.track, m.opened_at, m.open_count, m.click_count, m.last_click_at)


@dataclass(frozen=True)
class MessageFilter:
    """Which messages to list: a status, a batch and text in the recipient or subject (all optional)."""

    status: str | None = None
    batch: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class MessagePage:
    """One page of messages (newest first) and whether there are more after it."""

    messages: list[dict[str, Any]]
    page: int
    more: bool


def _where(flt: MessageFilter) -> list[Any]:
    clauses: list[Any] = []
    if flt.status:
        clauses.append(m.status == flt.status)
    if flt.batch:
        clauses.append(m.batch == flt.batch)
    if flt.search:
        check_term(flt.search)
        clauses.append(sa.or_(m.to_address.contains(flt.search, autoescape=True),
                              m.subject.contains(flt.search, autoescape=True)))
    return clauses


def status_counts(conn: sa.Connection, flt: MessageFilter = MessageFilter()) -> dict[str, int]:
    """How many messages are in each status (every status named) among those the filter (but its status) picks."""
    counts = dict.fromkeys(STATUSES, 0)
    where = _where(MessageFilter(None, flt.batch, flt.search))
    for status, n in conn.execute(sa.select(m.status, sa.func.count()).where(*where).group_by(m.status)):
        counts[str(status)] = int(n)
    return counts


def list_messages_sql(flt: MessageFilter, page: int, per_page: int) -> sa.Select[Any]:
    """The query of one page of messages, newest first (one extra row tells whether more follow)."""
    per_page = max(1, min(per_page, MAX_PAGE))
    return sa.select(*SUMMARY).where(*_where(flt)).order_by(m.created_at.desc(), m.id.desc()) \
        .offset((max(1, page) - 1) * per_page).limit(per_page + 1)


def list_messages(conn: sa.Connection, flt: MessageFilter = MessageFilter(), *, page: int = 1,
                  per_page: int = 50) -> MessagePage:
    """A page (1-based) of the messages the filter picks, newest first."""
    rows = [dict(r) for r in conn.execute(list_messages_sql(flt, page, per_page)).mappings()]
    per_page = max(1, min(per_page, MAX_PAGE))
    return MessagePage(rows[:per_page], max(1, page), len(rows) > per_page)


def get_message(conn: sa.Connection, message_id: int) -> dict[str, Any] | None:
    """One message with its HTML and text, or None."""
    row = conn.execute(sa.select(email_messages).where(m.id == message_id)).mappings().first()
    return dict(row) if row else None
