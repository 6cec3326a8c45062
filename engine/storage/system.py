"""System tables: organisation, sessions, definitions with versions, record history, files, outbox, counters."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import JSONValue, UTCDateTime

metadata = sa.MetaData()
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid

users = sa.Table(
    "users", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(120), nullable=False),
    sa.Column("email", sa.String(255)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("language", sa.String(10)),
    sa.Column("timezone", sa.String(64)),
    sa.Column("department_id", sa.BigInteger, index=True),
    sa.Column("attributes", JSONValue),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

departments = sa.Table(
    "departments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(80), unique=True),
    sa.Column("name", JSONValue, nullable=False),
    sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("departments.id"), index=True),
    sa.Column("head_user_id", sa.BigInteger),
    sa.Column("position", sa.Integer, nullable=False, default=0),
)

memberships = sa.Table(
    "memberships", metadata,
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("department_id", sa.BigInteger, sa.ForeignKey("departments.id"), primary_key=True),
)

sessions = sa.Table(  # browser sessions: the cookie holds a random id, only its SHA-256 is stored
    "sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # hex SHA-256 of the cookie's random id
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("address", sa.String(64)),  # the client's IP address at sign-in
    sa.Column("user_agent", sa.String(255)),
    sa.Column("data", JSONValue, nullable=False),  # what views keep between requests: csrf, lang, notices, …
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor_id", sa.BigInteger, index=True),
    sa.Column("action", sa.String(60), nullable=False, index=True),  # e.g. sign_in, sign_in_failed, transfer
    sa.Column("target", sa.String(200)),  # what it was done to: a username, a form, a document path
    sa.Column("address", sa.String(64)),  # the client's IP address, for web actions
    sa.Column("detail", JSONValue),
)

role_members = sa.Table(
    "role_members", metadata,
    sa.Column("role", sa.String(80), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
)

documents = sa.Table(
    "meta_documents", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text", sa.Text),  # NULL: the document was removed in this version
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("author_id", sa.BigInteger),
    sa.Column("comment", sa.String(255)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("path", "version", name="uq_meta_documents_path_version"),
)

drafts = sa.Table(  # one admin's unpublished edit of one definition document (the designer)
    "meta_drafts", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("base_version", sa.Integer),  # the published version the draft started from; NULL: a new document
    sa.Column("position", sa.Integer, nullable=False),  # the step shown now (undo moves back, redo forward)
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("path", "user_id", name="uq_meta_drafts_path_user"),
)

draft_steps = sa.Table(  # every text a draft went through, for undo/redo; step 0 is the text it started from
    "meta_draft_steps", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("draft_id", sa.BigInteger, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("operation", JSONValue),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("draft_id", "step", name="uq_meta_draft_steps_draft_step"),
)

history = sa.Table(
    "record_history", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # create update delete restore purge
    sa.Column("actor_id", sa.BigInteger),
    sa.Column("via", sa.String(40), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("changes", JSONValue),  # {field: [old, new]} in JSON form
    sa.Index("ix_record_history_record", "form", "record_id"),
)

comments = sa.Table(
    "record_comments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("author_id", sa.BigInteger),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_record_comments_record", "form", "record_id"),
)

files = sa.Table(
    "files", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_path", sa.String(255), nullable=False),
    sa.Column("created_by", sa.BigInteger),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(80), nullable=False),
    sa.Column("form", sa.String(80)),
    sa.Column("record_id", sa.BigInteger),
    sa.Column("payload", JSONValue, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("dispatched_at", UTCDateTime, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
)

serial_counters = sa.Table(
    "serial_counters", metadata,
    sa.Column("form", sa.String(80), primary_key=True),
    sa.Column("field", sa.String(80), primary_key=True),
    sa.Column("prefix", sa.String(200), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", JSONValue),
)

api_tokens = sa.Table(  # personal API tokens: only a SHA-256 of the secret part is stored
    "api_tokens", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(16), nullable=False, unique=True),  # the public lookup part of the token
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
)

installed_templates = sa.Table(
    "installed_templates", metadata,
    sa.Column("template", sa.String(80), primary_key=True),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("installed_at", UTCDateTime, nullable=False),
)

saved_views = sa.Table(
    "saved_views", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("query", JSONValue, nullable=False),  # {"f": ["field:op:value", …], "q", "sort", "dir", "cols"}
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_saved_views_user_form", "user_id", "form"),
)

data_marks = sa.Table(  # counters that change whenever a kind of data changes (engine.storage.marks)
    "data_marks", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
