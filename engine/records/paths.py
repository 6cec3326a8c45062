"""Field paths through one relation (`client.industry`) or user field (`owner.department`): what they name, and
list filters over them, so reports group by them and drill-down lists filter by them with the same meaning.

The value of `link.field` is the field of the live record (or user) `link` points at; empty when `link` is empty
or points at nothing live. A filter on a path holds for a record when it holds for that value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef, FormDef
from engine.fields.base import FieldType, FilterContext
from engine.fields.registry import field_type
from engine.fields.screen import RECORD, USER
from engine.records.model import Filter
from engine.records.runtime import SYSTEM_FIELDS, FormRuntime
from engine.storage.formtables import build_form_tables
from engine.storage.system import users

# What a user field reaches: the member's attributes a path may name (column id → field).
USER_FIELDS: dict[str, FieldDef] = {
    "department": FieldDef("department_id", "department", {"zh": "部门", "en": "Department"}),
}
# Operators that hold for an empty value (so for a record whose link is empty).
EMPTY_MATCHING = frozenset({"empty", "ne", "not_in", "not_contains"})


@dataclass(frozen=True)
class FieldPath:
    """A resolved path: the field at its end, its type, the table holding its column, and the link (a field of
    the form) it goes through, None for a field of the form itself. `form` is the form the field belongs to
    (None for a member's attribute)."""

    name: str
    field: FieldDef
    ftype: FieldType
    table: sa.Table
    link: FieldDef | None = None
    form: str | None = None

    @property
    def column(self) -> sa.Column[Any]:
        return self.table.c[self.field.id]


def resolve_path(rt: FormRuntime, name: str) -> FieldPath | None:
    """The field a path names on the form of `rt`, or None when it names nothing (or more than one hop)."""
    head, _, tail = name.partition(".")
    first = rt.field(head)
    if first is None:
        return None
    if not tail:
        return FieldPath(name, first, rt.field_type_of(first), rt.main, None, rt.form.id)
    ftype = rt.field_type_of(first)
    ref = ftype.refers_to(first)
    if ref is None or ftype.many or "." in tail:
        return None
    if ref.kind == USER:
        target = USER_FIELDS.get(tail)
        return FieldPath(name, target, field_type(target.type), users, first) if target is not None else None
    if ref.kind != RECORD or ref.form not in rt.defs.forms:
        return None
    form = rt.defs.forms[ref.form]
    found = form.field(tail) or SYSTEM_FIELDS.get(tail)
    if found is None:
        return None
    return FieldPath(name, found, field_type(found.type), _table(form), first, form.id)


_TABLES: dict[int, tuple[FormDef, sa.Table]] = {}


def _table(form: FormDef) -> sa.Table:
    """The main table of a related form, as SQL names it (built apart: a path needs only its columns)."""
    kept = _TABLES.get(id(form))
    if kept is None or kept[0] is not form:
        if len(_TABLES) > 512:
            _TABLES.clear()
        kept = _TABLES[id(form)] = (form, build_form_tables(form, sa.MetaData()).main)
    return kept[1]


def linked(path: FieldPath, rt: FormRuntime) -> ColumnElement[bool]:
    """The join condition from the form's table to the row the link points at (live records only)."""
    assert path.link is not None
    on = path.table.c.id == rt.main.c[path.link.id]
    return sa.and_(on, path.table.c.deleted_at.is_(None)) if path.form is not None else on


def path_filter(rt: FormRuntime, path: FieldPath, flt: Filter, ctx: FilterContext) -> ColumnElement[bool]:
    """SQL for a list filter on a path (the field type builds the predicate on the linked row)."""
    inner = path.ftype.filter(path.field, path.table, flt.op, flt.value, ctx)
    if path.link is None:
        return inner
    target = path.table.alias()
    on = sa.and_(target.c.id == rt.main.c[path.link.id],
                 *((target.c.deleted_at.is_(None),) if path.form is not None else ()))
    adapted = sa.sql.util.ClauseAdapter(target).traverse(inner)
    holds = sa.exists().where(on, adapted)
    if flt.op not in EMPTY_MATCHING:
        return holds
    return sa.or_(holds, ~sa.exists().where(on))
