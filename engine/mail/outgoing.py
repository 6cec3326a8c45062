"""Queueing outgoing mail: a logged message row per recipient and an `email.send` job per message, written in
the caller's transaction (an automation's fenced one), so a message is queued exactly when its cause commits."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from email.utils import parseaddr

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.jobs import queue
from engine.mail.config import SETTING_KEY, valid_address
from engine.mail.plaintext import html_to_text
from engine.mail.tables import email_attachments, email_messages
from engine.mail.templates import render_stored_template
from engine.storage.system import settings

SEND_KIND = "email.send"
Attachment = tuple[str, str, bytes]  # (file name, content type, bytes)
MAX_KEY = 200
SEPARATORS = re.compile(r"[,;]")


def recipients(to: Iterable[str]) -> list[str]:
    """The distinct valid addresses in `to` (entries may be `Name <a@b.cn>` or lists split by , or ;)."""
    found: dict[str, str] = {}
    for entry in to:
        for part in SEPARATORS.split(str(entry or "")):
            address = parseaddr(part.strip())[1].strip() if "<" in part else part.strip()
            if valid_address(address):
                found.setdefault(address.lower(), address)
    return list(found.values())


def fit_key(key: str) -> str:
    """The key as stored (at most 200 characters; a long one keeps its start and a hash of the rest)."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:150]}~{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def message_domain(conn: sa.Connection) -> str:
    """The right-hand side of new Message-IDs: the saved sender's domain, else `formwork.local`."""
    stored = conn.execute(sa.select(settings.c.value).where(settings.c.key == SETTING_KEY)).scalar()
    sender = str(stored.get("sender") or "") if isinstance(stored, dict) else ""
    return sender.rpartition("@")[2] if valid_address(sender) else "formwork.local"


def send_job_key(message_id: int) -> str:
    """The key of the job that sends one message."""
    return f"email:{message_id}"


def _insert(conn: sa.Connection, row: dict[str, Any]) -> int | None:
    """Insert one message row; its id, or None if a row with its key exists."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(email_messages).values(**row).on_conflict_do_nothing(index_elements=["key"])
    inserted = conn.execute(stmt.returning(email_messages.c.id)).first()
    return int(inserted[0]) if inserted is not None else None


def queue_email(conn: sa.Connection, *, key: str, to: Sequence[str], subject: str, html: str, now: datetime,
                source: str | None = None, form: str | None = None, record_id: int | None = None,
                batch: str | None = None, track: bool = True, parent: str | None = None,
                max_attempts: int = 5, counter: Mapping[str, Any] | None = None,
                attachments: Sequence[Attachment] = ()) -> list[int]:
    """One message row per distinct valid recipient and one `email.send` job per message, in the caller's
    transaction; idempotent by key (a key already queued queues nothing and returns []).

    `counter` ({"form", "id", "fields": {"sent"|"opened"|"clicked": field}}) names a record whose number fields
    follow how many of the messages counted with it were sent, opened and clicked (a campaign's results).
    `attachments` go with every message.
    """
    first = fit_key(key)
    if conn.execute(sa.select(email_messages.c.id).where(email_messages.c.key == first)).first() is not None:
        return []
    common = {"subject": " ".join(subject.split())[:250], "html": html, "text": html_to_text(html), "status": "queued",
              "attempts": 0, "created_at": now, "source": source[:200] if source else None, "form": form,
              "record_id": record_id, "batch": batch[:200] if batch else None, "track": track, "open_count": 0,
              "click_count": 0, "count_form": counter["form"] if counter else None,
              "count_record_id": counter["id"] if counter else None,
              "count_fields": dict(counter["fields"]) if counter else None}
    domain = message_domain(conn)
    queued: list[int] = []
    for n, address in enumerate(recipients(to)):
        message_id = _insert(conn, {**common, "key": first if n == 0 else fit_key(f"{key}#{n}"), "to_address": address,
                                    "message_id": f"<{uuid.uuid4().hex}@{domain}>"})
        if message_id is None:  # queued at the same moment by another transaction
            continue
        for filename, content_type, data in attachments:
            conn.execute(sa.insert(email_attachments).values(message_id=message_id, filename=filename[:200],
                                                             content_type=content_type, data=data))
        queue.enqueue(conn, send_job_key(message_id), SEND_KIND, {"message": message_id}, now=now,
                      max_attempts=max_attempts, label=f"{address} · {common['subject']}"[:200], parent=parent)
        queued.append(message_id)
    return queued


__all__ = ["SEND_KIND", "Attachment", "queue_email", "recipients", "render_stored_template", "send_job_key"]
