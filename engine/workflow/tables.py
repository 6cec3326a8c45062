"""Tables of approval workflows: definition snapshots, instances, tasks (and cc entries), and the step timeline."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import JSONValue, UTCDateTime
from engine.storage.system import ID, metadata

# The YAML text an instance runs on, by its SHA-256: a definition published later does not change running instances.
wf_definitions = sa.Table(
    "wf_definitions", metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("workflow", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# status: running → approved | withdrawn | cancelled; rejected = back at the start with the submitter (a resubmit
# task), from where it runs again or is withdrawn. `active_key` ("form:record") is set while running or rejected,
# NULL after: its unique index allows one active instance per record on both databases.
wf_instances = sa.Table(
    "wf_instances", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("workflow", sa.String(80), nullable=False, index=True),
    sa.Column("def_hash", sa.String(64), nullable=False),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.String(200), nullable=False, default=""),  # the record's title, for the inbox search
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("submitter_id", sa.BigInteger, index=True),
    sa.Column("current", JSONValue, nullable=False),  # active node ids (several after a parallel split)
    sa.Column("path", JSONValue, nullable=False),  # node ids in the order the flow entered them
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("row_version", sa.Integer, nullable=False, default=1),
    sa.Column("active_key", sa.String(120), unique=True),
    sa.Index("ix_wf_instances_record", "form", "record_id"),
)

# kind: approval | fill | cc | resubmit; status: open → done | cancelled; a cc entry is done at once, read_at unset.
wf_tasks = sa.Table(
    "wf_tasks", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("node", sa.String(80), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("outcome", sa.String(12)),  # approved | rejected | returned | transferred | timed_out
    sa.Column("comment", sa.Text),
    sa.Column("signature", sa.Text),  # a data-URL image
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("acted_at", UTCDateTime),
    sa.Column("acted_by", sa.BigInteger),  # who closed it (an admin's reassign, the clock: NULL)
    sa.Column("due_at", UTCDateTime, index=True),
    sa.Column("reminded_at", UTCDateTime),
    sa.Column("read_at", UTCDateTime),
    sa.Column("added_by", sa.BigInteger),
    sa.Column("round", sa.Integer, nullable=False, default=1),
    sa.Index("ix_wf_tasks_user", "user_id", "status", "kind"),
)

wf_steps = sa.Table(
    "wf_steps", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("node", sa.String(80)),
    sa.Column("actor_id", sa.BigInteger),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("signature", sa.Text),
    sa.Column("detail", JSONValue),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_wf_steps_record", "form", "record_id"),
)
