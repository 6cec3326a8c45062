"""Tables of the job system: jobs, automation runs and their steps, small state, notifications."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import JSONValue, UTCDateTime
from engine.storage.system import ID, metadata

# One row per unit of background work. `key` is the idempotency key: enqueueing the same key twice is a no-op.
# status: queued → running → done | retry (→ running …) | failed (after the last try) | discarded (by an admin)
jobs = sa.Table(
    "jobs", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("payload", JSONValue, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False, default=5),
    sa.Column("next_at", UTCDateTime, nullable=False, index=True),  # not run before this time
    sa.Column("lease_until", UTCDateTime),  # a running job whose lease passed is taken over
    sa.Column("enqueued_at", UTCDateTime),  # last hand-over to an rq queue
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("result", JSONValue),
    sa.Column("progress", sa.Integer),  # 0–100 for long jobs
    sa.Column("progress_text", sa.String(200)),
    sa.Column("parent", sa.String(200), index=True),  # e.g. the automation run that queued this email
)

automation_runs = sa.Table(  # one per automation firing (keyed like its job)
    "automation_runs", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("automation", sa.String(80), nullable=False, index=True),
    sa.Column("trigger", sa.String(40), nullable=False),
    sa.Column("form", sa.String(80)),
    sa.Column("record_id", sa.BigInteger),
    sa.Column("status", sa.String(12), nullable=False),  # running | done | skipped | failed
    sa.Column("started_at", UTCDateTime, nullable=False, index=True),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("steps", JSONValue),  # [{action, type, outcome, detail}]
    sa.Column("error", sa.Text),
)

automation_steps = sa.Table(  # an action done by a run: written in the action's own transaction (exactly once)
    "automation_steps", metadata,
    sa.Column("run_key", sa.String(200), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("output", JSONValue),
    sa.Column("done_at", UTCDateTime, nullable=False),
)

automation_state = sa.Table(  # small named values: round-robin cursors, schedule clocks
    "automation_state", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", JSONValue),
)

automation_switches = sa.Table(  # an admin's enable/disable over the document's `enabled`
    "automation_switches", metadata,
    sa.Column("automation", sa.String(80), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("changed_by", sa.BigInteger),
    sa.Column("changed_at", UTCDateTime, nullable=False),
)

notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text),
    sa.Column("form", sa.String(80)),
    sa.Column("record_id", sa.BigInteger),
    sa.Column("source", sa.String(200)),  # the automation run (or other job) that sent it
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime),
    sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
)
