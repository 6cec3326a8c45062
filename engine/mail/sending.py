"""The `email.send` job: send one queued message once, and record how it went on its row.

The row is marked `sending` in a fenced transaction first (proving this runner holds the job), then the message
goes out, then the row is marked `sent`. A crash between the last two repeats the send on the next try, with the
same Message-ID so receivers can drop the duplicate; a message already `sent` is never sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.jobs.context import JobContext, PermanentError
from engine.mail import counters, smtp
from engine.mail.compose import build_message
from engine.mail.config import SmtpConfig, smtp_of, valid_address
from engine.mail.errors import MailError
from engine.mail.outgoing import SEND_KIND
from engine.mail.plaintext import html_to_text
from engine.mail.tables import email_attachments, email_messages
from engine.mail.tracking import signing_key
from engine.storage.database import read_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url(ws: Workspace) -> str:
    """The public address of the site (the base_url setting) that links in messages start with."""
    return str(ws.settings.values.get("base_url") or DEFAULT_BASE_URL).rstrip("/")


def _row(conn: sa.Connection, message_id: int) -> Mapping[str, Any] | None:
    row = conn.execute(sa.select(email_messages).where(email_messages.c.id == message_id)).mappings().first()
    return dict(row) if row is not None else None


def _attachments(conn: sa.Connection, message_id: int) -> list[tuple[str, str, bytes]]:
    query = sa.select(email_attachments.c.filename, email_attachments.c.content_type, email_attachments.c.data) \
        .where(email_attachments.c.message_id == message_id).order_by(email_attachments.c.id)
    return [(str(f), str(t), bytes(d)) for f, t, d in conn.execute(query)]


def _mark(conn: sa.Connection, message_id: int, **values: Any) -> None:
    conn.execute(sa.update(email_messages).where(email_messages.c.id == message_id).values(**values))


def send_message(job: JobContext) -> dict[str, Any]:
    """The job handler: send the message in the payload (unless it was sent already) and record the outcome."""
    message_id = int(job.payload["message"])
    ws = job.host
    with job.transaction() as conn:
        row = _row(conn, message_id)
        if row is None:
            raise PermanentError(MailError("missing", id=message_id).message("en"))
        if row["status"] == "sent":
            return {"message": message_id, "status": "sent", "repeat": True}
        _mark(conn, message_id, status="sending", attempts=email_messages.c.attempts + 1)
        config = smtp_of(ws, conn)
        key = signing_key(conn, str(ws.settings.secret or ""), create=True) if row["track"] else None
        files = _attachments(conn, message_id)
    try:
        outgoing = build_message(row, config, job.now(), base_url=base_url(ws), key=key, attachments=files)
        with smtp.connection(config) as client:
            smtp.send(client, outgoing, config.sender, str(row["to_address"]))
    except MailError as exc:
        _failed(job, message_id, exc.message("en"), exc.code, exc.permanent)
        if exc.permanent:
            raise PermanentError(exc.message("en")) from None
        raise
    except Exception as exc:  # anything else is retried like a connection problem, and shown on the row
        _failed(job, message_id, f"{type(exc).__name__}: {exc}", "internal", False)
        raise
    with job.transaction() as conn:
        _mark(conn, message_id, status="sent", sent_at=job.now(), error=None, error_code=None)
        counters.touch(conn, message_id, job.now())
    return {"message": message_id, "status": "sent", "to": str(row["to_address"])}


def _failed(job: JobContext, message_id: int, error: str, code: str, permanent: bool) -> None:
    """Record a failed try on the row: `failed` when it was the last, else back to `queued` for the retry."""
    final = permanent or job.job.attempt >= job.job.max_attempts
    with job.transaction() as conn:
        _mark(conn, message_id, status="failed" if final else "queued", error=error, error_code=code)


TEST_SUBJECT = "Formwork 测试邮件 · test email"
TEST_HTML = ("<p>这是一封来自 Formwork 的测试邮件。收到它,说明发信设置可以使用。</p>"
             "<p>This is a test email from Formwork: the outgoing mail settings work.</p>")


def send_test_email(ws: Workspace, to: str, config: SmtpConfig | None = None) -> MailError | None:
    """Send a short test message now, with `config` (else the workspace's): None when the server accepted it,
    else the error, whose `message(lang)` says in words what went wrong."""
    if not valid_address(to):
        return MailError("bad_address", permanent=True, address=to)
    if config is None:
        with read_transaction(ws.engine) as conn:
            config = smtp_of(ws, conn)
    domain = config.sender.rpartition("@")[2] or "formwork.local"
    row = {"id": 0, "to_address": to, "subject": TEST_SUBJECT, "html": TEST_HTML, "text": html_to_text(TEST_HTML),
           "message_id": f"<{uuid.uuid4().hex}@{domain}>", "track": False}
    try:
        with smtp.connection(config) as client:
            smtp.send(client, build_message(row, config, ws.now(), base_url=base_url(ws), key=None), config.sender, to)
    except MailError as exc:
        return exc
    return None


def install(ws: Workspace) -> None:
    """Register the `email.send` and `mail.count` job handlers on the workspace's job system."""
    ws.jobs.handle(SEND_KIND, send_message)
    ws.jobs.handle(counters.KIND, counters.recount)
