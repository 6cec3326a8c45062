"""Records as rows for a spreadsheet or a CSV file: one typed cell per visible field, names instead of ids.

The rows are read page by page through `RecordService.list(…, operation="export")`, so the export right, the
read and export scopes and the hidden-field mask apply exactly as everywhere else, and memory stays flat however
many records match (a big export runs as a background job: engine.records.export_jobs).

Cells keep their types for spreadsheets — numbers as numbers, dates as dates, date-times in the workspace's
time zone, yes/no as booleans, percentages as fractions — and everything else is the text a person reads: option
labels, people's and departments' names, related records' titles, file names. A subform becomes one cell with a
line per row (`Product: Pen; Quantity: 2; …`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.base import FieldType
from engine.fields.registry import field_type
from engine.fields.screen import DEPARTMENT, RECORD, USER, Reference
from engine.i18n import text
from engine.org.departments import department_names
from engine.org.users import display_names
from engine.records.model import Actor, Filter, Query, Record
from engine.storage.database import read_transaction
from engine.zones import zone_or

if TYPE_CHECKING:
    from engine.records.service import RecordService

PAGE_ROWS = 500


Cell = str | int | Decimal | float | date | datetime | time | bool | None


@dataclass(frozen=True)
class Column:
    """One exported field: its header in the user's language and how its cells are typed.

    `value_field` is the field whose type reads the value: the field itself, or for a lookup the field it shows.
    `kind` is number, percent, date, datetime, boolean, subform or text; `decimals` (None: as stored) guides the
    number format a spreadsheet shows.
    """

    field: FieldDef
    value_field: FieldDef
    header: str
    kind: str
    decimals: int | None = None
    many: bool = False  # a lookup through a relation_many: a list of values, shown as text


def export_columns(defs: Definitions, form: FormDef, hidden: Iterable[str], lang: str) -> list[Column]:
    """A column per field of `form` the user may see, in form order (layout-only fields and `hidden` left out)."""
    leave_out = set(hidden)
    columns = []
    for f in form.fields:
        if f.id in leave_out or field_type(f.type).layout_only:
            continue
        value_field, many = lookup_target(defs, form, f)
        kind = "text" if many else _kind(value_field)
        columns.append(Column(f, value_field, text(f.label, lang), kind, _decimals(value_field), many))
    return columns


def lookup_target(defs: Definitions, form: FormDef, f: FieldDef) -> tuple[FieldDef, bool]:
    """The field whose type shows a value of `f` (the field itself when it reads no path, or its path does not
    resolve) and whether it goes through a list: a lookup shows as the field it reads, the sum, average, minimum
    or maximum of a number (money, percent…) as that number's field."""
    combined = field_type(f.type).shows_like(f)
    if combined is not None:
        source = defs.forms.get(combined[0])
        aggregated = source.field(combined[1]) if source is not None else None
        if aggregated is not None and _result(aggregated).value_type == "number":
            return aggregated, False
        return f, False
    path = field_type(f.type).reads_path(f)
    step_field, many = (form.field(path[0]) if path else None), False
    for step in path[1:]:
        ref = _refers(step_field)
        if step_field is None or ref is None or ref.kind != RECORD:
            return f, False
        many = many or field_type(step_field.type).many
        target = defs.forms.get(ref.form)
        if target is None:
            return f, False
        step_field = target.field(step)
    return (step_field, many) if step_field is not None and len(path) > 1 else (f, False)


def _refers(f: FieldDef | None) -> Reference | None:
    return field_type(f.type).refers_to(f) if f is not None else None


def _result(f: FieldDef) -> FieldType:
    return field_type(f.type).result_type(f)


def _kind(f: FieldDef) -> str:
    return _result(f).cell_kind(f)


def _decimals(f: FieldDef) -> int | None:
    return _result(f).decimals(f)


@dataclass
class Names:
    """Titles of related records, people's and departments' names, fetched once per page of records."""

    titles: dict[str, dict[int, str]] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)

    def load(self, service: RecordService, columns: Sequence[Column], records: Sequence[Record], lang: str) -> None:
        """Fetch the names the records' values point at (one query per kind of name)."""
        wanted: dict[Reference, set[int]] = {}
        for ref, value in _named_values(columns, records):
            wanted.setdefault(ref, set()).update(_ids(value))
        people, depts = wanted.pop(Reference(USER), set()), wanted.pop(Reference(DEPARTMENT), set())
        self.titles = {ref.form: service.titles(ref.form, ids) for ref, ids in wanted.items()
                       if ref.form in service.runtimes.defs.forms}
        with read_transaction(service.engine) as conn:
            self.people = display_names(conn, people)
            self.departments = department_names(conn, depts, lang)

    def label(self, f: FieldDef, item: int) -> str:
        """The name of one id of a relation, user or department field (#id when it is gone)."""
        ref = _refers(f)
        names = self.people if ref == Reference(USER) else self.departments if ref == Reference(DEPARTMENT) \
            else self.titles.get(ref.form, {}) if ref is not None else {}
        found = names.get(item)
        return found if found is not None else f"#{item}"


def _named_values(columns: Sequence[Column], records: Sequence[Record]) -> Iterator[tuple[Reference, Any]]:
    for column in columns:  # what refers where is asked once per column, not per cell
        fact = _fact(column.field)
        if column.kind == "subform":
            inner = [(c.id, ref) for c in column.field.fields if (ref := _refers(c)) is not None]
            for record in records if inner else ():
                for row in _value(record, column.field, fact) or []:
                    if isinstance(row, Mapping):
                        yield from ((ref, row.get(cid)) for cid, ref in inner)
        elif (ref := _refers(column.value_field)) is not None:
            for record in records:
                yield ref, _value(record, column.field, fact)


def _fact(f: FieldDef) -> str | None:
    """The system fact a field shows (who created the record, when…), or None for a field with its own value."""
    fact: str | None = field_type(f.type).system_fact
    return fact


def _value(record: Record, f: FieldDef, fact: str | None) -> Any:
    """The field's value in the record: its own, or the system fact it shows."""
    return record.system().get(fact) if fact else record.values.get(f.id)


def _ids(value: Any) -> set[int]:
    items = value if isinstance(value, list) else [value]
    return {int(i) for i in items if isinstance(i, int) and not isinstance(i, bool)}


class CellMaker:
    """Turns one record's values into the typed cells of the export's columns.

    Each column gets its converter once (`converter`): the common cells — a number in a number column, a date in
    a date column, plain text — take one type test; anything else goes through `cell`, which handles every case.
    """

    def __init__(self, columns: Sequence[Column], names: Names, lang: str, tz: tzinfo):
        self.columns, self.names, self.lang, self.tz = columns, names, lang, tz
        self.refs: dict[int, Reference | None] = {}
        self.types: dict[int, FieldType] = {}
        # asked once, not per cell: exports run to millions
        self.plan = [(self.converter(c), c.field.id, _fact(c.field)) for c in columns]
        self.shows_facts = any(fact for _, _, fact in self.plan)

    def row(self, record: Record) -> list[Cell]:
        """The cells of one record, in column order (None for an empty value)."""
        values = record.values
        system = record.system() if self.shows_facts else {}
        return [convert(system.get(fact) if fact else values.get(field_id)) for convert, field_id, fact in self.plan]

    def converter(self, column: Column) -> Callable[[Any], Cell]:
        """The function making a cell of this column from a value (`cell`, with its common case first)."""
        cell, kind = self.cell, column.kind

        def generic(value: Any) -> Cell:
            return None if value is None else cell(column, value)

        if column.many or kind == "subform":
            return generic
        quick: dict[str, tuple[tuple[type, ...], Callable[[Any], Cell]]] = {
            "number": ((int, Decimal, float), lambda v: v),
            "percent": ((int, Decimal), lambda v: Decimal(v) / 100),
            "date": ((date,), lambda v: v),
            "datetime": ((datetime,), lambda v: v.astimezone(self.tz).replace(tzinfo=None) if v.tzinfo else v),
            "boolean": ((bool,), lambda v: v),
        }
        if kind in quick:
            types, make = quick[kind]

            def typed(value: Any) -> Cell:
                return make(value) if type(value) in types else generic(value)
            return typed
        f = column.value_field
        ftype = field_type(f.type)
        if _refers(f) is not None or isinstance(ftype, FieldType) and type(ftype).format is not FieldType.format:
            return generic

        def plain_text(value: Any) -> Cell:  # the base type's display text of a str is the str itself
            return (value or None) if type(value) is str else generic(value)
        return plain_text

    def cell(self, column: Column, value: Any) -> Cell:
        """One typed cell."""
        if _empty(value):
            return None
        if column.kind == "subform":
            return self.subform(column.field, value)
        if column.many and isinstance(value, list):
            separator = "、" if self.lang == "zh" else ", "
            return separator.join(self.text(column.value_field, v) for v in value if not _empty(v))
        if column.kind == "number" and isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            return value
        if column.kind == "percent" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value) / 100
        if column.kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
            return value
        if column.kind == "datetime" and isinstance(value, datetime):
            return value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
        if column.kind == "boolean" and isinstance(value, bool):
            return value
        return self.text(column.value_field, value)

    def text(self, f: FieldDef, value: Any) -> str:
        """The value as a person reads it: names for ids, labels for options, the type's display text otherwise."""
        if _empty(value):
            return ""
        if id(f) not in self.refs:
            self.refs[id(f)] = _refers(f)
        if self.refs[id(f)] is not None:
            separator = "、" if self.lang == "zh" else ", "
            return separator.join(self.names.label(f, i) for i in sorted(_ids(value), key=_order(value)))
        kind = self.types.get(id(f))
        if kind is None:
            kind = self.types[id(f)] = field_type(f.type)
        try:
            return kind.format(f, value, self.lang, self.tz)
        except (TypeError, ValueError, AttributeError, KeyError):
            return str(value)

    def subform(self, f: FieldDef, rows: Any) -> str:
        """One line per row: `Column: value; Column: value` (empty values left out)."""
        lines = []
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, Mapping):
                continue
            parts = [f"{text(c.label, self.lang)}: {self.text(c, row.get(c.id))}" for c in f.fields
                     if not field_type(c.type).layout_only and not _empty(row.get(c.id))]
            lines.append("; ".join(parts))
        return "\n".join(lines)


def _order(value: Any) -> Any:
    """Sort key keeping ids in the order the value lists them."""
    items = value if isinstance(value, list) else [value]
    positions = {v: i for i, v in enumerate(items)}
    return lambda i: positions.get(i, len(positions))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class Export:
    """An export under way: its columns, how many records match, and the rows (read lazily, page by page)."""

    form: FormDef
    columns: list[Column]
    total: int
    rows: Iterator[list[Cell]]


def start_export(service: RecordService, actor: Actor, form_id: str, query: Query, lang: str) -> Export:
    """Check the right, count the matching records and prepare the rows of the records `query` matches, in its
    order (read lazily, PAGE_ROWS at a time).

    Raises PermissionDenied without the export (or read) right, QueryInvalid for a bad filter.
    """
    guard = service.guard(actor, form_id)
    guard.require("export")
    form = service.runtime(form_id).form
    columns = export_columns(service.runtimes.defs, form, guard.access.hidden, lang)
    base = replace(query, limit=PAGE_ROWS, after=None, with_total=False, deleted=False,
                   with_children=any(c.kind == "subform" for c in columns))
    first = service.list(actor, form_id, replace(base, with_total=True), operation="export")
    return Export(form, columns, first.total or 0,
                  _rows(service, actor, form_id, base, first.records, first.next_cursor, columns, lang))


def _rows(service: RecordService, actor: Actor, form_id: str, query: Query, records: list[Record],
          cursor: str | None, columns: list[Column], lang: str) -> Iterator[list[Cell]]:
    while True:
        names = Names()
        names.load(service, columns, records, lang)
        maker = CellMaker(columns, names, lang, zone_or(actor.timezone, service.tz))  # the reader's zone
        for record in records:
            yield maker.row(record)
        if cursor is None:
            return
        page = service.list(actor, form_id, replace(query, after=cursor), operation="export")
        records, cursor = page.records, page.next_cursor


def query_detail(query: Query) -> dict[str, Any]:
    """The filters, search and sort of an export, as the audit log keeps them."""
    return {"filters": [{"field": f.field, "op": f.op, "value": _plain(f.value)} for f in query.filters],
            "search": query.search or None,
            "sort": [f"-{name}" if descending else name for name, descending in query.sort]}


def query_payload(query: Query) -> dict[str, Any]:
    """The filters, search and sort of an export as JSON a background job keeps (query_from_payload reads it)."""
    return {"filters": [[f.field, f.op, _plain(f.value)] for f in query.filters], "search": query.search,
            "sort": [[name, bool(descending)] for name, descending in query.sort]}


def query_from_payload(data: Mapping[str, Any]) -> Query:
    """The query a job's payload keeps (see query_payload)."""
    return Query(filters=tuple(Filter(str(f[0]), str(f[1]), f[2]) for f in data.get("filters") or []),
                 search=data.get("search") or None,
                 sort=tuple((str(name), bool(desc)) for name, desc in data.get("sort") or []))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def record_export(conn: sa.Connection, at: datetime, actor: Actor, form_id: str, fmt: str, rows: int,
                  query: Query, address: str | None = None) -> None:
    """The audit entry of an export: who, which form, the format, how many rows and under which filters."""
    record_audit(conn, at, "export", actor_id=actor.user_id, target=form_id, address=address,
                 detail={"format": fmt, "rows": rows, **query_detail(query)})
