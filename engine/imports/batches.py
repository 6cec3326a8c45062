"""One batch of an import, written in the caller's transaction: rows with conversion problems are failed, a row
repeating an earlier row's key is failed (the later one: nothing is merged), rows whose key names a stored record
are skipped, updated (through the update path, at the version read, each in a savepoint) or created, as chosen;
the rest are created through `RecordService.create_many` in a savepoint, the rows the service refuses dropped
and the others written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import Conflict, FieldError, FormworkError, NotFound, PermissionDenied, RecordInvalid
from engine.fields.base import SHEET
from engine.imports.convert import Row
from engine.imports.mapping import SKIP, UPDATE, ImportOptions
from engine.records.model import Actor
from engine.records.runtime import FormRuntime
from engine.records.service import RecordService

NUMBERED = re.compile(r"^\[(\d+)\](?:\.(.*))?$", re.DOTALL)
VIA = "import"


@dataclass
class Outcome:
    """What a batch did: lines of the file written, updated and skipped (a record with subform rows spans several
    lines), and the rows that failed with their problems."""

    written: int = 0
    updated: int = 0
    skipped: int = 0
    failed: list[Row] = field(default_factory=list)


class Keys:
    """The duplicate key of an import: its field's typed values seen so far in the file (value → first row)."""

    def __init__(self, rt: FormRuntime, key: str | None):
        self.rt, self.key = rt, key
        self.seen: dict[Any, int] = {}

    def value(self, row: Row) -> Any:
        """The row's key as stored (None: no key chosen, the cell is empty or does not parse)."""
        if not self.key or self.key not in row.raw:
            return None
        f, parse, _ = self.rt.parsers[self.key]
        try:
            typed = parse(row.raw[self.key], SHEET)
        except FormworkError:
            return None
        if self.rt.types[self.key].is_empty(typed):
            return None
        stored = self.rt.types[self.key].to_db(f, typed).get(self.key, typed)
        return stored if isinstance(stored, (str, int, float, bool)) or stored is None else str(stored)

    def remember(self, rows: Sequence[Row]) -> None:
        """Rows handled before a restart: their keys count as seen."""
        for row in rows:
            value = self.value(row)
            if value is not None:
                self.seen.setdefault(value, row.number)


def write_batch(service: RecordService, actor: Actor, rt: FormRuntime, conn: sa.Connection, rows: Sequence[Row],
                keys: Keys, options: ImportOptions) -> Outcome:
    """Write one batch in `conn`'s transaction (see the module's doc)."""
    outcome = Outcome()
    creates: list[Row] = []
    keyed: list[tuple[Row, Any]] = []
    for row in rows:
        if row.problems:
            outcome.failed.append(row)
            continue
        value = keys.value(row)
        if value is None:
            creates.append(row)
            continue
        first = keys.seen.get(value)
        if first is not None:
            f = rt.form.field(str(keys.key))
            row.add(str(keys.key), FieldError("duplicate_in_file", {"label": f.label if f else keys.key,
                                                                    "value": value, "row": first}))
            outcome.failed.append(row)
            continue
        keys.seen[value] = row.number
        keyed.append((row, value))
    if keyed:  # only records the importer may read count as there (others would be revealed by a skip)
        seen = service.guard(actor, rt.form.id).predicate(conn, "read", service.filter_context(actor))
        stored = _stored(conn, rt, str(keys.key), [v for _, v in keyed], seen)
    else:
        stored = {}
    updates: list[tuple[Row, int, int]] = []
    for row, value in keyed:
        found = stored.get(value)
        if found is None or options.on_duplicate not in (SKIP, UPDATE):
            creates.append(row)
        elif options.on_duplicate == SKIP:
            outcome.skipped += len(row.lines) or 1
        else:
            updates.append((row, *found))
    _create(service, actor, rt, conn, creates, outcome)
    for row, record_id, version in updates:
        _update(service, actor, rt, conn, row, record_id, version, outcome)
    return outcome


def _stored(conn: sa.Connection, rt: FormRuntime, key: str, values: list[Any],
            readable: ColumnElement[bool]) -> dict[Any, tuple[int, int]]:
    """Live, readable records whose key is one of `values`: value → (id, version) (the oldest record when
    several hold it)."""
    col = rt.main.c[key]
    found: dict[Any, tuple[int, int]] = {}
    rows = conn.execute(sa.select(col, rt.main.c.id, rt.main.c.version)
                        .where(col.in_(sorted(set(values), key=str)), rt.main.c.deleted_at.is_(None), readable)
                        .order_by(rt.main.c.id))
    for value, record_id, version in rows:
        found.setdefault(value, (int(record_id), int(version)))
    return found


def _create(service: RecordService, actor: Actor, rt: FormRuntime, conn: sa.Connection, rows: list[Row],
            outcome: Outcome) -> None:
    pending = list(rows)
    while pending:
        savepoint = conn.begin_nested()
        try:
            service.create_many(actor, rt.form.id, [r.raw for r in pending], fmt=SHEET, via=VIA, conn=conn,
                                records=False)
        except RecordInvalid as exc:
            savepoint.rollback()
            # Dropping a refused row never makes another fail (a duplicate within the batch is blamed on the later
            # one), so each round writes or drops more: at most as many rounds as there are refused rows.
            blamed = _by_row(exc.errors, len(pending))
            for position, errors in blamed.items():
                for path, errs in errors.items():
                    for error in errs:
                        pending[position].add(path, error)
                outcome.failed.append(pending[position])
            pending = [r for position, r in enumerate(pending) if position not in blamed]
            continue
        savepoint.commit()
        outcome.written += sum(len(r.lines) or 1 for r in pending)
        break


def _by_row(errors: dict[str, list[FieldError]], count: int) -> dict[int, dict[str, list[FieldError]]]:
    found: dict[int, dict[str, list[FieldError]]] = {}
    for key, errs in errors.items():
        match = NUMBERED.match(key)
        if match is None:  # names no row (a unique index race): every row of the round carries it
            for index in range(count):
                found.setdefault(index, {}).setdefault(key, []).extend(errs)
            continue
        found.setdefault(int(match.group(1)), {}).setdefault(match.group(2) or "", []).extend(errs)
    return found


def _update(service: RecordService, actor: Actor, rt: FormRuntime, conn: sa.Connection, row: Row, record_id: int,
            version: int, outcome: Outcome) -> None:
    savepoint = conn.begin_nested()
    try:
        service.update(actor, rt.form.id, record_id, row.raw, version=version, fmt=SHEET, via=VIA, conn=conn)
    except RecordInvalid as exc:
        savepoint.rollback()
        for path, errs in exc.errors.items():
            for error in errs:
                row.add(path, error)
        outcome.failed.append(row)
        return
    except (Conflict, NotFound, PermissionDenied) as exc:
        savepoint.rollback()
        row.add("", exc.error)
        outcome.failed.append(row)
        return
    savepoint.commit()
    outcome.updated += len(row.lines) or 1
