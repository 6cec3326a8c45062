"""Serial numbers (流水号): render a numbering pattern with a counter that never hands out a number twice."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.definitions.model import Numbering
from engine.storage.system import serial_counters

PART = re.compile(r"\{([^{}]*)\}")
SEQ = re.compile(r"seq(?::(\d{1,2}))?$")


def split_pattern(pattern: str, when: datetime, lookup: Callable[[tuple[str, ...]], Any]) -> tuple[str, int, str]:
    """(text before the counter, counter width, text after it) with dates and field values filled in."""
    before: list[str] = []
    after: list[str] = []
    width = 0
    target = before
    position = 0
    for match in PART.finditer(pattern):
        target.append(pattern[position:match.start()])
        part = match.group(1)
        seq = SEQ.match(part)
        if seq:
            width = int(seq.group(1) or 0)
            target = after
        else:
            target.append(_render_part(part, when, lookup))
        position = match.end()
    target.append(pattern[position:])
    return "".join(before), width, "".join(after)


def _render_part(part: str, when: datetime, lookup: Callable[[tuple[str, ...]], Any]) -> str:
    formats = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}
    if part in formats:
        return when.strftime(formats[part])
    value = lookup(tuple(part.split(".")))
    return "" if value is None else str(value)


def next_counter(conn: sa.Connection, form: str, field: str, prefix: str, count: int = 1) -> int:
    """Atomically take the next `count` counter values for (form, field, prefix); returns the last one.

    The upsert locks the counter row until the transaction ends, so concurrent inserts wait for each
    other instead of sharing a number; a rolled-back write gives its number back.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(serial_counters).values(form=form, field=field, prefix=prefix, value=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=["form", "field", "prefix"], set_={"value": serial_counters.c.value + count},
    ).returning(serial_counters.c.value)
    return int(conn.execute(stmt).scalar_one())


def assign_serials(conn: sa.Connection, form: str, numbering: Numbering,
                   records: list[tuple[datetime, Callable[[tuple[str, ...]], Any]]]) -> list[str]:
    """Serial numbers for several new records, one counter update per distinct prefix."""
    parts = [split_pattern(numbering.pattern, when, lookup) for when, lookup in records]
    groups: dict[str, list[int]] = {}
    for index, (before, _, after) in enumerate(parts):
        groups.setdefault(before + "\x1f" + after, []).append(index)
    numbers = [""] * len(records)
    for key, indexes in groups.items():
        last = next_counter(conn, form, numbering.field, key, len(indexes))
        for offset, index in enumerate(indexes):
            before, width, after = parts[index]
            numbers[index] = f"{before}{last - len(indexes) + 1 + offset:0{width}d}{after}"
    return numbers
