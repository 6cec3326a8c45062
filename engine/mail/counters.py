"""Counters on a record that follow its emails: how many were sent, opened and clicked (a campaign's results).

A send, open or click of a counted message queues a recount of its record, keyed by the minute and run when
that minute is over, so a burst of opens costs one update of the record; the counts are read from the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.errors import NotFound
from engine.jobs import queue
from engine.jobs.context import JobContext
from engine.mail.tables import email_messages
from engine.records.model import Actor

KIND = "mail.count"
COUNTS = ("sent", "opened", "clicked")


def touch(conn: sa.Connection, message_id: int, now: datetime) -> bool:
    """After a send, open or click: queue the recount of the message's counted record (if any)."""
    row = conn.execute(sa.select(email_messages.c.count_form, email_messages.c.count_record_id,
                                 email_messages.c.count_fields).where(email_messages.c.id == message_id)).first()
    if row is None or not row.count_form or row.count_record_id is None:
        return False
    minute = now.replace(second=0, microsecond=0)
    key = f"mailcount:{row.count_form}:{row.count_record_id}:{minute.strftime('%Y%m%d%H%M')}"
    return queue.enqueue(conn, key, KIND, {"form": row.count_form, "id": int(row.count_record_id),
                                           "fields": row.count_fields or {}},
                         now=now, at=minute + timedelta(minutes=1), label=f"{row.count_form} #{row.count_record_id}")


def counts(conn: sa.Connection, form: str, record_id: int) -> dict[str, int]:
    m = email_messages.c
    row = conn.execute(sa.select(
        sa.func.count().filter(m.status == "sent").label("sent"),
        sa.func.count().filter(m.opened_at.is_not(None)).label("opened"),
        sa.func.count().filter(m.click_count > 0).label("clicked"),
    ).where(m.count_form == form, m.count_record_id == record_id)).mappings().one()
    return {k: int(row[k] or 0) for k in COUNTS}


def recount(job: JobContext) -> dict[str, Any]:
    """The job handler: write the current counts into the record's fields (through the record service)."""
    ws, payload = job.host, job.payload
    form, record_id = str(payload["form"]), int(payload["id"])
    fields = {k: str(v) for k, v in (payload.get("fields") or {}).items() if k in COUNTS}
    with job.transaction() as conn:
        found = counts(conn, form, record_id)
    system = Actor.system_actor()
    try:
        record = ws.records.get(system, form, record_id)
    except (NotFound, KeyError):
        return {"skipped": "the record no longer exists"}
    values = {field: found[name] for name, field in fields.items() if record.get(field) != found[name]}
    if values:
        ws.records.update(system, form, record_id, values, version=record.version, via="email")
    return {"counts": found, "changed": sorted(values)}
