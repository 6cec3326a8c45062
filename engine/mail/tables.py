"""Tables of outgoing mail: one row per message (its status, error, opens and clicks) and the stored templates."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import JSONValue, UTCDateTime
from engine.storage.system import ID, metadata

# One row per message to one recipient. `key` makes queueing idempotent; `message_id` is the RFC 5322 Message-ID,
# fixed when queued so a repeated send (a crash between sending and recording it) carries the same id.
# status: queued → sending → sent | failed (back to queued while a failed try waits for its retry)
email_messages = sa.Table(
    "email_messages", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("to_address", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(250), nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("error", sa.Text),
    sa.Column("error_code", sa.String(40)),  # what kind of failure (a MailError code), for the log in words
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("message_id", sa.String(250), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("source", sa.String(200), index=True),  # e.g. the automation run that queued it
    sa.Column("form", sa.String(80)),
    sa.Column("record_id", sa.BigInteger),
    sa.Column("batch", sa.String(200), index=True),  # a label grouping messages, e.g. campaign-12
    sa.Column("track", sa.Boolean, nullable=False, default=True),
    sa.Column("opened_at", UTCDateTime),  # the first open (or the first click, when images were blocked)
    sa.Column("open_count", sa.Integer, nullable=False, default=0),
    sa.Column("click_count", sa.Integer, nullable=False, default=0),
    sa.Column("last_click_at", UTCDateTime),
    # a record whose counter fields follow this message's batch (sent, opened, clicked), e.g. the campaign
    sa.Column("count_form", sa.String(80)),
    sa.Column("count_record_id", sa.BigInteger),
    sa.Column("count_fields", JSONValue),
    sa.Index("ix_email_messages_counted", "count_form", "count_record_id"),
)

# Files sent with a message (a scheduled report's PDF), in the database with it so any worker can send it.
email_attachments = sa.Table(
    "email_attachments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

email_templates = sa.Table(
    "email_templates", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("subject", sa.Text, nullable=False),  # a plain-text template
    sa.Column("body", sa.Text, nullable=False),  # an HTML template (values are escaped)
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("updated_by", sa.BigInteger),
)
