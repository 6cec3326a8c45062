"""Comments on a record: plain text notes people leave on its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.errors import FieldError, NotFound, RecordInvalid
from engine.records.runtime import Runtimes
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import comments

MAX_LENGTH = 2000
BODY_LABEL = {"zh": "评论", "en": "Comment"}


def clean_body(body: str) -> str:
    """The comment text trimmed; RecordInvalid (path `body`) when it is empty or too long."""
    text = body.strip().replace("\r\n", "\n")
    if not text:
        raise RecordInvalid({"body": [FieldError("required", {"label": BODY_LABEL})]})
    if len(text) > MAX_LENGTH:
        raise RecordInvalid({"body": [FieldError("too_long", {"label": BODY_LABEL, "max": MAX_LENGTH})]})
    return text


def add_comment(engine: Engine, runtimes: Runtimes, form_id: str, record_id: int, author_id: int | None,
                body: str, now: datetime) -> int:
    """Store a comment on a live record and return its id; NotFound when the record does not exist."""
    text = clean_body(body)
    rt = runtimes[form_id]
    with write_transaction(engine) as conn:
        live = conn.execute(sa.select(rt.main.c.id).where(rt.main.c.id == record_id,
                                                          rt.main.c.deleted_at.is_(None))).first()
        if live is None:
            raise NotFound(form_id, record_id)
        stmt = sa.insert(comments).values(form=form_id, record_id=record_id, author_id=author_id, body=text,
                                          created_at=now).returning(comments.c.id)
        return int(conn.execute(stmt).scalar_one())


def list_comments(engine: Engine, form_id: str, record_id: int) -> list[dict[str, Any]]:
    """A record's comments, newest first."""
    with read_transaction(engine) as conn:
        rows = conn.execute(sa.select(comments).where(comments.c.form == form_id, comments.c.record_id == record_id)
                            .order_by(comments.c.id.desc()))
        return [dict(r._mapping) for r in rows]
