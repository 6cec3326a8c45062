"""Turning the cells of a file's rows into raw record values: each mapped field's type converts its own cell
(FieldType.import_cell: names of people, departments and records become ids; everything else stays as the cell and
is parsed by the record service as sheet input: option labels, loose dates, Excel serial numbers, ¥1,234…).

Subform columns are mapped as `subform.column` (headers such as `明细.产品` or `items.product`). A record then
spans several lines of the file: a line starts a new record unless it continues the one above — it repeats the
key of the line above (with a key chosen), or its cells of the form's own fields are all empty — and each line
with subform cells adds a subform row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.errors import FieldError, FieldValueError
from engine.fields.base import FieldType
from engine.fields.registry import field_type
from engine.fields.screen import Reference
from engine.fields.types.common import split_list
from engine.imports.names import Names
from engine.imports.reading import MAX_CELL_CHARS, Cell
from engine.records.runtime import FormRuntime, Runtimes

Problems = dict[str, list[FieldError]]  # field path ("name", "items.product"; "" for the row) → problems
Line = tuple[int, list[Cell]]  # a line of the file: its number (the header is 1) and its cells


@dataclass(slots=True)
class Row:
    """One record's worth of the file: its first line's number and cells (`lines`: every line, more than one when
    subform rows follow), the raw values of its mapped fields and the problems found converting them (the record
    service adds its own when the record is written)."""

    number: int
    cells: list[Cell]
    raw: dict[str, Any] = field(default_factory=dict)
    problems: Problems = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def add(self, path: str, error: FieldError) -> None:
        self.problems.setdefault(path, []).append(error)


@dataclass(frozen=True)
class Target:
    """A mapped column: its position in the row, the field it fills (`path`: its id, or `subform.column`), and
    how its cells become raw values (None: the cell as it is — the type does not override
    FieldType.import_cell and points at nothing)."""

    index: int
    header: str
    path: str
    subform: str  # "" for a field of the form itself
    field: FieldDef
    ftype: FieldType
    ref: Reference | None
    convert: Callable[[Any], Any] | None


def _target(index: int, header: str, path: str, subform: str, f: FieldDef, names: Names, tz: tzinfo) -> Target:
    ftype = field_type(f.type)
    ref = ftype.refers_to(f)
    if ref is None and type(ftype).import_cell is FieldType.import_cell:
        return Target(index, header, path, subform, f, ftype, ref, None)

    def find(target: Reference, name: str) -> int:
        return names.find(target, name, f.label)

    return Target(index, header, path, subform, f, ftype, ref, lambda cell: ftype.import_cell(f, cell, find, tz))


def field_of(rt: FormRuntime, path: str) -> tuple[str, FieldDef] | None:
    """(subform id or "", field definition) of a mapped field path."""
    top, _, column = path.partition(".")
    f = rt.form.field(top)
    if f is None or not column:
        return ("", f) if f is not None else None
    child = f.child(column)
    return (top, child) if child is not None else None


class Converter:
    """Converts groups of lines for one form and mapping (header → field path); local times are in `tz`."""

    def __init__(self, rt: FormRuntime, runtimes: Runtimes, headers: Sequence[str], mapping: Mapping[str, str],
                 tz: tzinfo = timezone.utc):
        self.rt = rt
        position = {h: i for i, h in enumerate(headers)}
        self.names = Names(runtimes)
        self.targets: list[Target] = []
        for header, path in mapping.items():
            found = field_of(rt, path)
            if found is not None:
                self.targets.append(_target(position[header], header, path, found[0], found[1], self.names, tz))
        self.main = [t for t in self.targets if not t.subform]
        self.subforms = [t for t in self.targets if t.subform]
        self._plain = [(t.index, t.path) for t in self.main if t.convert is None]  # cells taken as they are
        self._converted = [t for t in self.main if t.convert is not None]
        self._labels = {t.path: t.field.label for t in self.main}

    def group(self, lines: Iterator[Line], key: str | None) -> Iterator[list[Line]]:
        """The lines of each record: one each, or with subform columns mapped, a line and those continuing it."""
        if not self.subforms:
            for line in lines:
                yield [line]
            return
        key_index = next((t.index for t in self.main if t.path == key), None)
        current: list[Line] = []
        for line in lines:
            cells = line[1]
            blank = all(cells[t.index] is None for t in self.main)
            same_key = key_index is not None and current and cells[key_index] is not None \
                and _same(cells[key_index], current[0][1][key_index])
            if current and (blank or same_key):
                current.append(line)
                continue
            if current:
                yield current
            current = [line]
        if current:
            yield current

    def convert(self, conn: sa.Connection, groups: Sequence[list[Line]]) -> list[Row]:
        """A Row per group, with its raw values (names looked up in `conn`, one query per related form)."""
        wanted: dict[Reference, set[str]] = {}
        for target in self.targets:
            if target.ref is None:
                continue
            names = wanted.setdefault(target.ref, set())
            for lines in groups:
                for _, cells in (lines if target.subform else lines[:1]):
                    cell = cells[target.index]
                    if cell is not None:
                        names.update(str(n).strip() for n in (split_list(cell) if target.ftype.many else [cell]))
        self.names.load(conn, wanted)
        return [self._row(lines) for lines in groups]

    def _row(self, lines: list[Line]) -> Row:
        number, cells = lines[0]
        raw = {path: cells[index] for index, path in self._plain}  # the usual case, as fast as Python goes
        row = Row(number, cells, raw, {}, lines)
        for path in [p for p, v in raw.items() if type(v) is str and len(v) > MAX_CELL_CHARS]:
            row.add(path, FieldError("cell_too_long", {"label": self._labels[path], "length": len(raw.pop(path)),
                                                       "max": MAX_CELL_CHARS}))
        for target in self._converted:
            found = self._cell(row, target, cells[target.index])
            if found is not _FAILED:
                raw[target.path] = found
        if self.subforms:
            for _, line_cells in lines:
                items: dict[str, dict[str, Any]] = {}
                for target in self.subforms:
                    cell = line_cells[target.index]
                    if cell is None:
                        continue
                    found = self._cell(row, target, cell)
                    if found is not _FAILED:
                        items.setdefault(target.subform, {})[target.field.id] = found
                for subform, item in items.items():
                    raw.setdefault(subform, []).append(item)
        return row

    def _cell(self, row: Row, target: Target, cell: Cell) -> Any:
        if type(cell) is str and len(cell) > MAX_CELL_CHARS:
            row.add(target.path, FieldError("cell_too_long", {"label": target.field.label, "length": len(cell),
                                                              "max": MAX_CELL_CHARS}))
            return _FAILED
        if target.convert is None:
            return cell
        try:
            return target.convert(cell)
        except FieldValueError as exc:
            row.add(target.path, exc.error)
            return _FAILED


_FAILED = object()


def _same(a: Cell, b: Cell) -> bool:
    return a == b or str(a).strip() == str(b).strip()
