"""Which records hold a stored file: found by searching the file, image and signature columns for its id.

No link table is kept, so the answer is always that of the records as they are now (an edit that removes a file
takes the access with it). The search casts each media column to text and matches the 32-hex-digit id with LIKE,
which works the same on SQLite and PostgreSQL; the values found are then checked exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.files.policy import MEDIA_TYPES
from engine.files.store import FILE_ID
from engine.records.runtime import FormRuntime, Runtimes


@dataclass(frozen=True)
class Holder:
    """A live record whose field (top-level id; the subform's id for a subform column) holds the file."""

    form_id: str
    record_id: int
    field_id: str


def holds(value: Any, file_id: str) -> bool:
    """True when a stored media value (a reference or a list of them) refers to the file."""
    if isinstance(value, Mapping):
        return value.get("id") == file_id
    return isinstance(value, list) and any(holds(v, file_id) for v in value)


def _media_columns(rt: FormRuntime) -> Iterator[tuple[sa.Table, str, list[str]]]:
    """(table, top-level field id, media column names) for the form's own fields and each subform."""
    own = [f.id for f in rt.form.fields if f.type in MEDIA_TYPES]
    if own:
        yield rt.main, "", own
    for sub in rt.form.fields:
        columns = [c.id for c in sub.fields if c.type in MEDIA_TYPES] if sub.type == "subform" else []
        if columns and sub.id in rt.tables.children:
            yield rt.tables.children[sub.id], sub.id, columns


def records_holding(conn: sa.Connection, runtimes: Runtimes, file_id: str) -> list[Holder]:
    """Every live record of every form that holds the file in one of its media fields (or subform rows)."""
    if not FILE_ID.fullmatch(file_id):
        return []
    pattern = f"%{file_id}%"
    found: dict[Holder, None] = {}
    for form_id in runtimes.defs.forms:
        if form_id not in runtimes:
            continue
        rt = runtimes[form_id]
        for table, subform, names in _media_columns(rt):
            columns = [table.c[n] for n in names]
            match = sa.or_(*(sa.cast(c, sa.Text).like(pattern) for c in columns))
            if subform:
                parent = rt.main
                stmt = sa.select(table.c.parent_id.label("rid"), *columns) \
                    .join(parent, parent.c.id == table.c.parent_id) \
                    .where(match, parent.c.deleted_at.is_(None))
            else:
                stmt = sa.select(table.c.id.label("rid"), *columns).where(match, table.c.deleted_at.is_(None))
            for row in conn.execute(stmt):
                for name in names:
                    if holds(row._mapping[name], file_id):
                        found[Holder(form_id, int(row.rid), subform or name)] = None
    return list(found)
