"""Write records: rows and subform rows, reference and uniqueness checks, history and outbox entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from engine.definitions.model import FieldDef
from engine.errors import FieldError, RecordInvalid
from engine.fields.screen import DEPARTMENT, RECORD, USER, Reference
from engine.records.runtime import FormRuntime, Runtimes
from engine.records.values import Errors
from engine.storage.formtables import unique_index_name
from engine.storage.many import insert_many
from engine.storage.system import departments, history, outbox, users


def main_row(rt: FormRuntime, values: Mapping[str, Any], complete: bool = False,
             into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Column values of the main table for the stored fields in `values` (all of them with `complete`), added to
    `into` when given (a new row's system columns)."""
    row: dict[str, Any] = {} if into is None else into
    for key, f, to_db in rt.column_writers:
        if complete or key in values:
            value = values.get(key)
            if to_db is not None:
                row.update(to_db(f, value))
            else:  # FieldType.to_db and is_empty, inlined: a bulk write makes this call for every value
                row[key] = None if value is None or (isinstance(value, (str, list, dict)) and not value) else value
    return row


def write_children(conn: sa.Connection, rt: FormRuntime, record_id: int, values: Mapping[str, Any],
                   replace: bool) -> None:
    """Insert subform rows (replacing the old ones on update) for the subforms present in `values`."""
    write_children_many(conn, rt, [(record_id, values)], replace)


def write_children_many(conn: sa.Connection, rt: FormRuntime, records: list[tuple[int, Mapping[str, Any]]],
                        replace: bool) -> None:
    """Subform rows of many records, one executemany per subform."""
    for sub in rt.subforms:
        table = rt.tables.children[sub.id]
        present = [(rid, v) for rid, v in records if sub.id in v]
        if replace and present:
            conn.execute(sa.delete(table).where(table.c.parent_id.in_([rid for rid, _ in present])))
        rows = []
        for record_id, values in present:
            for position, row in enumerate(values[sub.id] or []):
                cols: dict[str, Any] = {"parent_id": record_id, "position": position}
                for c in sub.fields:
                    ctype = rt.types[f"{sub.id}.{c.id}"]
                    if ctype.stored and not ctype.layout_only:
                        cols.update(ctype.to_db(c, row.get(c.id)))
                rows.append(cols)
        insert_many(conn, table, rows)


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert main-table rows (each gets its `id` key) and return their ids, in order.

    SQLite runs `INSERT … RETURNING` once per row when the order of the ids matters, so there the ids are taken
    up front: the write transaction holds SQLite's write lock (BEGIN IMMEDIATE), and `max(id) + 1` is the id
    SQLite would have chosen itself. PostgreSQL takes them from the table's sequence in one query (`nextval` is
    safe under concurrency): a plain executemany then runs as one prepared statement, where `RETURNING` made
    huge multi-row VALUES statements that the driver parses anew each time (5× slower for big batches).
    """
    if not rows:
        return []
    if len(rows) == 1:  # one statement for a single create, on both databases
        rows[0]["id"] = int(conn.execute(sa.insert(table).returning(table.c.id), rows[0]).scalar_one())
        return [rows[0]["id"]]
    if conn.dialect.name == "postgresql":
        ids = [int(i) for i in conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)}).scalars()]
        for row, record_id in zip(rows, ids):
            row["id"] = record_id
        insert_many(conn, table, rows)
        return ids
    if conn.dialect.name != "sqlite":
        stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(stmt, rows).scalars()]
    start = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1
    ids = list(range(start, start + len(rows)))
    for row, record_id in zip(rows, ids):
        row["id"] = record_id
    insert_many(conn, table, rows)
    return ids


REFERENCE_TABLES = {USER: users, DEPARTMENT: departments}


def check_references(conn: sa.Connection, rt: FormRuntime, runtimes: Runtimes,
                     records: Sequence[Mapping[str, Any]], errors: list[Errors]) -> None:
    """Relation, user and department values must point at things that exist (one query per target)."""
    wanted: dict[Reference, list[tuple[int, str, Any, Any]]] = {}
    for index, values in enumerate(records):
        for path, field, target, value in _reference_values(rt, values):
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    wanted.setdefault(target, []).append((index, path, field, v))
    for target, items in wanted.items():
        found = _existing(conn, runtimes, target, {int(v) for _, _, _, v in items})
        for index, path, field, v in items:
            if int(v) not in found:
                errors[index].setdefault(path, []).append(FieldError("not_found", {"label": field.label, "value": v}))


def _reference_values(rt: FormRuntime, values: Mapping[str, Any]) -> list[tuple[str, FieldDef, Reference, Any]]:
    """(path, field, what it refers to, value) of each written value that holds ids, subform cells included."""
    found = []
    for f, target, columns in rt.references:
        if target is not None:
            found.append((f.id, f, target, values.get(f.id)))
        for c, column in columns:
            found += [(f"{f.id}[{i}].{c.id}", c, column, row.get(c.id)) for i, row in enumerate(values.get(f.id) or [])]
    return found


def _existing(conn: sa.Connection, runtimes: Runtimes, target: Reference, ids: set[int]) -> set[int]:
    if target.kind == RECORD:
        if target.form not in runtimes:
            return set()
        table = runtimes[target.form].main
        stmt = sa.select(table.c.id).where(table.c.id.in_(ids), table.c.deleted_at.is_(None))
    else:
        table = REFERENCE_TABLES[target.kind]
        stmt = sa.select(table.c.id).where(table.c.id.in_(ids))
    return {int(i) for i in conn.execute(stmt).scalars()}


def check_unique(conn: sa.Connection, rt: FormRuntime, records: Sequence[Mapping[str, Any]],
                 errors: list[Errors]) -> None:
    """Fields marked unique must not repeat among live records, nor within the records being written."""
    for f in rt.stored:
        if not f.unique:
            continue
        ftype = rt.types[f.id]
        column = next(iter(ftype.to_db(f, None)))
        seen: dict[Any, int] = {}
        for index, values in enumerate(records):
            if ftype.is_empty(values.get(f.id)):
                continue
            key = ftype.to_db(f, values[f.id])[column]
            if key in seen:
                _not_unique(rt, f, values, errors[index])
            seen.setdefault(key, index)
        if not seen:
            continue
        clause = sa.and_(rt.main.c[column].in_(list(seen)), rt.main.c.deleted_at.is_(None))
        own_ids = [v.get("id") for v in records if v.get("id") is not None]
        if own_ids:
            clause = sa.and_(clause, rt.main.c.id.not_in(own_ids))
        for taken in conn.execute(sa.select(rt.main.c[column]).where(clause)).scalars():
            hit = seen.get(taken)
            if hit is not None:
                index = hit
                _not_unique(rt, f, records[index], errors[index])


@contextmanager
def unique_guard(rt: FormRuntime, records: Sequence[Mapping[str, Any]]) -> Iterator[None]:
    """Turn a unique-index violation (a concurrent writer won the race past `check_unique`) into RecordInvalid.

    Wrap the whole write transaction, so the database has rolled back before the error is raised.
    """
    try:
        yield
    except sa.exc.IntegrityError as exc:
        text = str(exc.orig)
        for f in rt.stored:
            if not f.unique:
                continue
            column = next(iter(rt.types[f.id].to_db(f, None)))
            # PostgreSQL names the index; SQLite names table.column
            if unique_index_name(rt.main.name, f.id) in text or f"{rt.main.name}.{column}" in text:
                errors: Errors = {}
                values = next((r for r in records if not rt.types[f.id].is_empty(r.get(f.id))), {f.id: ""})
                _not_unique(rt, f, values, errors)
                raise RecordInvalid(errors) from exc
        raise


def _not_unique(rt: FormRuntime, f: Any, values: Mapping[str, Any], errors: Errors) -> None:
    shown = rt.types[f.id].format(f, values[f.id], "en")
    errors.setdefault(f.id, []).append(FieldError("not_unique", {"label": f.label, "value": shown}))


def json_value(rt: FormRuntime, key: str, value: Any) -> Any:
    """A JSON-ready copy of a field's value (subform rows column by column)."""
    f = rt.form.field(key)
    if f is None:
        return _plain(value)
    if rt.types[key].holds_rows:
        return [{c.id: _plain(rt.types[f"{key}.{c.id}"].to_json(c, r.get(c.id))) for c in f.fields}
                for r in value or []]
    return _plain(rt.types[key].to_json(f, value))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def diff(rt: FormRuntime, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every stored or subform field whose value changed (JSON forms)."""
    changes: dict[str, list[Any]] = {}
    for f in rt.form.fields:
        if not (rt.types[f.id].stored or rt.types[f.id].holds_rows) or rt.types[f.id].layout_only:
            continue
        before, after = json_value(rt, f.id, old.get(f.id)), json_value(rt, f.id, new.get(f.id))
        if before != after and not (rt.types[f.id].is_empty(old.get(f.id)) and rt.types[f.id].is_empty(new.get(f.id))):
            changes[f.id] = [before, after]
    return changes


WriteHook = Callable[[sa.Connection, Mapping[str, Any]], None]


@dataclasses.dataclass(frozen=True)
class WriteExtras:
    """What a caller (an automation) adds to a write, passed to the record service as arguments: `origin` goes into
    every outbox event the write emits (so a chain of automations knows its depth), and `hook(conn, event payload)`
    runs inside the write's transaction once per event."""

    origin: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    hook: WriteHook | None = None


NO_EXTRAS = WriteExtras()


def record_event(conn: sa.Connection, rt: FormRuntime, record_id: int, version: int, action: str,
                 actor_id: int | None, via: str, at: datetime, changes: Mapping[str, Any] | None,
                 extras: WriteExtras = NO_EXTRAS) -> None:
    """One history row and one outbox event, in the caller's transaction."""
    record_events(conn, rt, [(record_id, version, changes)], action, actor_id, via, at, extras)


def record_events(conn: sa.Connection, rt: FormRuntime, items: list[tuple[int, int, Mapping[str, Any] | None]],
                  action: str, actor_id: int | None, via: str, at: datetime,
                  extras: WriteExtras = NO_EXTRAS) -> None:
    """History rows for many records (one executemany) and one outbox event listing them (with the `extras`).

    An event names every record the transaction touched (`ids`), so a bulk create of 1,000 records
    costs one outbox row, and a consumer still sees each record exactly once.
    """
    if not items:
        return
    conn.execute(sa.insert(history), [
        {"form": rt.form.id, "record_id": rid, "version": version, "action": action, "actor_id": actor_id,
         "via": via, "at": at, "changes": dict(changes) if changes else None}
        for rid, version, changes in items
    ])
    _emit(conn, rt, items, action, actor_id, via, at, extras)


def record_created(conn: sa.Connection, rt: FormRuntime, ids: list[int], actor_id: int | None, via: str,
                   at: datetime, extras: WriteExtras = NO_EXTRAS) -> None:
    """The history rows of records just created (version 1, no changes) and their outbox event.

    The history rows are copied from the new rows by one `INSERT … SELECT`: no parameters per record, which is
    most of what a bulk create's history would otherwise cost.
    """
    if not ids:
        return
    if len(ids) == 1:  # a single create: one compiled INSERT reused with parameters costs less than building the copy
        conn.execute(history.insert(), {"form": rt.form.id, "record_id": ids[0], "version": 1, "action": "create",
                                        "actor_id": actor_id, "via": via, "at": at})
        _emit(conn, rt, [(ids[0], 1, None)], "create", actor_id, via, at, extras)
        return
    main = rt.main
    picked = sa.select(sa.literal(rt.form.id, history.c.form.type), main.c.id, sa.literal(1, history.c.version.type),
                       sa.literal("create", history.c.action.type), sa.literal(actor_id, history.c.actor_id.type),
                       sa.literal(via, history.c.via.type), sa.literal(at, history.c.at.type))
    picked = picked.where(_among(main.c.id, ids, conn.dialect.name)).order_by(main.c.id)
    columns = ["form", "record_id", "version", "action", "actor_id", "via", "at"]
    conn.execute(sa.insert(history).from_select(columns, picked))
    _emit(conn, rt, [(i, 1, None) for i in ids], "create", actor_id, via, at, extras)


def _among(column: sa.Column[Any], ids: list[int], dialect: str) -> sa.ColumnElement[bool]:
    """`column IN ids` as one parameter: a range when the ids follow one another (SQLite's, taken under its write
    lock), an array on PostgreSQL; a thousand bound values cost more to send than the copy itself."""
    if ids == list(range(ids[0], ids[0] + len(ids))):
        return column.between(ids[0], ids[-1])
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam("ids", ids, type_=ARRAY(sa.BigInteger)))
    return column.in_(ids)


def _emit(conn: sa.Connection, rt: FormRuntime, items: list[tuple[int, int, Mapping[str, Any] | None]],
          action: str, actor_id: int | None, via: str, at: datetime, extras: WriteExtras) -> None:
    """One outbox event naming every record of `items` (with the `extras`), after the caller's hook."""
    first_id, first_version, first_changes = items[0]
    payload: dict[str, Any] = {"form": rt.form.id, "ids": [rid for rid, _, _ in items], "actor": actor_id, "via": via}
    if len(items) == 1:
        payload.update(id=first_id, version=first_version, changes=dict(first_changes) if first_changes else {})
    elif any(changes for _, _, changes in items):
        payload["changes_by_id"] = {str(rid): dict(changes) for rid, _, changes in items if changes}
    payload.update(extras.origin)
    if extras.hook is not None:
        extras.hook(conn, payload)
    # Parameters rather than `.values()`: one compiled statement reused, which keeps the outbox cheap on a create.
    conn.execute(outbox.insert(), {
        "topic": f"record.{action}", "form": rt.form.id, "record_id": first_id if len(items) == 1 else None,
        "created_at": at, "attempts": 0, "dispatched_at": None, "payload": payload,
    })
