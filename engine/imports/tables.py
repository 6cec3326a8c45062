"""Tables of imports: one row per import (its counters and checkpoint, written with each batch) and one per
failed row (the original cells and every problem, for the error report)."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import JSONValue, UTCDateTime
from engine.storage.system import metadata

import_runs = sa.Table(
    "import_runs", metadata,
    sa.Column("token", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("file", sa.String(255), nullable=False),  # the kept copy, under the imports folder
    sa.Column("lang", sa.String(5), nullable=False),
    sa.Column("options", JSONValue, nullable=False),
    sa.Column("headers", JSONValue, nullable=False),
    sa.Column("total", sa.Integer),  # data rows, once counted
    sa.Column("checkpoint", sa.Integer, nullable=False, default=0),  # the last row number fully handled
    sa.Column("handled", sa.Integer, nullable=False, default=0),  # rows handled (written, updated, skipped, failed)
    sa.Column("written", sa.Integer, nullable=False, default=0),
    sa.Column("updated", sa.Integer, nullable=False, default=0),
    sa.Column("skipped", sa.Integer, nullable=False, default=0),
    sa.Column("failed", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("run_started_at", UTCDateTime),  # when the current (or last) run of the job began
    sa.Column("run_handled_from", sa.Integer, nullable=False, default=0),  # `handled` then: the rate's base
    sa.Column("updated_at", UTCDateTime),
)

import_errors = sa.Table(
    "import_errors", metadata,
    sa.Column("token", sa.String(32), primary_key=True),
    sa.Column("row", sa.Integer, primary_key=True),  # the row's number in the file (the header is row 1)
    sa.Column("cells", JSONValue, nullable=False),  # the original cells, as text
    sa.Column("problems", JSONValue, nullable=False),  # [{zh, en}]
)
