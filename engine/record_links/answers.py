"""Answered once-only links: one row per (form, record, link). The row is inserted in the same transaction as the
write the answer makes, so of two answers posted at once exactly one is stored (the primary key refuses the other)
and an answer refused for its values leaves no row."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from engine.errors import FormworkError
from engine.storage.sqltypes import UTCDateTime
from engine.storage.system import metadata

record_link_answers = sa.Table(
    "record_link_answers", metadata,
    sa.Column("form", sa.String(80), primary_key=True),
    sa.Column("record_id", sa.BigInteger, primary_key=True),
    sa.Column("link", sa.String(80), primary_key=True),
    sa.Column("answered_at", UTCDateTime, nullable=False),
)


class AlreadyAnswered(FormworkError):
    """A once-only link of a record was answered already."""

    def __init__(self, form: str, record_id: int, link: str):
        super().__init__(f"the link '{link}' of {form} #{record_id} was answered already")
        self.form, self.record_id, self.link = form, record_id, link


def answered(conn: sa.Connection, form: str, record_id: int, link: str) -> bool:
    """Whether the record's link has its answer."""
    t = record_link_answers
    found = conn.execute(sa.select(t.c.answered_at).where(
        t.c.form == form, t.c.record_id == record_id, t.c.link == link)).first()
    return found is not None


def mark(conn: sa.Connection, form: str, record_id: int, link: str, now: datetime) -> None:
    """Record the answer in the caller's transaction; AlreadyAnswered when another answer got there first."""
    try:  # the caller's transaction is rolled back by the error raised: nothing of the answer stays
        conn.execute(sa.insert(record_link_answers).values(form=form, record_id=record_id, link=link,
                                                           answered_at=now))
    except sa.exc.IntegrityError:
        raise AlreadyAnswered(form, record_id, link) from None
