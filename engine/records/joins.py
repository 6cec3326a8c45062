"""Lookups read in the page's own statement: a lookup one relation away (`client.grade`) becomes a LEFT JOIN of the
related table (one per relation, however many of its fields are looked up), so a list page with lookups costs one
statement like a page without them. Longer paths, many-valued relations and fields with a reader of their own are
left to the batched reads of engine.records.reading, and so are pages longer than JOIN_ROWS (an export's): for
hundreds of rows PostgreSQL may hash the whole related table rather than look each row up, where one batched read
by id stays an index lookup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.fields.base import FieldType
from engine.fields.registry import field_type, record_target
from engine.records.runtime import FormRuntime, Runtimes


JOIN_ROWS = 100  # the longest list page a person sees


@dataclass(frozen=True)
class JoinedLookup:
    """A lookup field read from a joined table's column, selected under `label`."""

    field: str
    label: str


def _plain_reader(ftype: FieldType) -> bool:
    return type(ftype).from_db is FieldType.from_db


def _joinable(rt: FormRuntime, runtimes: Runtimes, f: FieldDef) -> tuple[FieldDef, FormRuntime, str] | None:
    """(the relation, the related form's runtime, the column) of a lookup one single relation away, else None."""
    path = rt.types[f.id].reads_path(f)
    if len(path) != 2:
        return None
    relation = rt.form.field(path[0])
    if relation is None or field_type(relation.type).many or not rt.types[relation.id].stored:
        return None
    target = record_target(relation)
    if target is None or str(target) not in runtimes or relation.id not in rt.main.c:
        return None
    other = runtimes[str(target)]
    looked = other.form.field(path[1])
    if looked is None or path[1] not in other.main.c:
        return None
    ftype = other.types[looked.id]
    if not ftype.stored or ftype.layout_only or ftype.many or not _plain_reader(ftype):
        return None
    return relation, other, path[1]


def join_lookups(rt: FormRuntime, runtimes: Runtimes, stmt: sa.Select[Any],
                 rows: int) -> tuple[sa.Select[Any], list[JoinedLookup]]:
    """The statement of a page of `rows` records with the joinable lookups of `rt` added as labelled columns (LEFT
    JOIN of each related table once, live records only), and which lookups it now reads (none past JOIN_ROWS)."""
    if rows > JOIN_ROWS:
        return stmt, []
    key = ("lookup_joins", rt.form.id)
    if key not in runtimes.kept:
        runtimes.kept[key] = _joins(rt, runtimes)
    source, columns, joined = runtimes.kept[key]
    if not joined:
        return stmt, []
    return stmt.select_from(source).add_columns(*columns), joined


def _joins(rt: FormRuntime, runtimes: Runtimes) -> tuple[Any, list[Any], list[JoinedLookup]]:
    """The FROM clause (the main table with its joins), the lookup columns and the lookups they read (built once
    per form and definitions: the same objects make the same cached SQL)."""
    joined: list[JoinedLookup] = []
    aliases: dict[str, Any] = {}
    source: Any = rt.main
    columns: list[Any] = []
    for f in rt.read_computed:
        found = _joinable(rt, runtimes, f)
        if found is None:
            continue
        relation, other, column = found
        if relation.id not in aliases:
            alias = other.main.alias(f"_j{len(aliases)}")
            aliases[relation.id] = alias
            source = source.outerjoin(alias, sa.and_(alias.c.id == rt.main.c[relation.id],
                                                     alias.c.deleted_at.is_(None)))
        label = f"_lk{len(joined)}"
        columns.append(aliases[relation.id].c[column].label(label))
        joined.append(JoinedLookup(f.id, label))
    return source, columns, joined


def fill_joined(rows: Sequence[Any], records: list[dict[str, Any]], joined: list[JoinedLookup]) -> None:
    """Put the joined lookups' values into the records read from `rows` (same order)."""
    for row, record in zip(rows, records):
        mapping = row._mapping
        for lookup in joined:
            record[lookup.field] = mapping[lookup.label]
