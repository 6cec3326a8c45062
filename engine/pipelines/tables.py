"""The stage_periods table: one row per stay of a record in a pipeline stage (open while it is still there)."""

from __future__ import annotations

import sqlalchemy as sa

from engine.storage.sqltypes import UTCDateTime
from engine.storage.system import ID, metadata

stage_periods = sa.Table(
    "stage_periods", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("form", sa.String(80), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("field", sa.String(80), nullable=False),
    sa.Column("stage", sa.String(200), nullable=False),
    sa.Column("entered_at", UTCDateTime, nullable=False),
    sa.Column("left_at", UTCDateTime),  # NULL while the record is still in the stage
    sa.Column("seconds", sa.BigInteger),  # left_at - entered_at, once left
    sa.Column("entered_by", sa.BigInteger),
    sa.Index("ix_stage_periods_record", "form", "record_id", "field"),
    sa.Index("ix_stage_periods_stage", "form", "field", "stage", "left_at"),
)
