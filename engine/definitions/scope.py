"""What a name means inside a form's formulas: the type and dependencies of every field path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.registry import field_type
from engine.formulas import ANY, BOOLEAN, DATE, DATETIME, NUMBER, TEXT, FType, ListOf

SYSTEM_FIELD_TYPES: dict[str, FType] = {
    "id": NUMBER, "created_at": DATETIME, "updated_at": DATETIME, "created_by": NUMBER, "updated_by": NUMBER,
    "owner_id": NUMBER, "department_id": NUMBER, "version": NUMBER,
}
RESULT_TYPES: dict[str, FType] = {
    "text": TEXT, "number": NUMBER, "integer": NUMBER, "money": NUMBER, "percent": NUMBER,
    "date": DATE, "datetime": DATETIME, "boolean": BOOLEAN,
}
VALUE_TYPES: dict[str, FType] = {
    "text": TEXT, "number": NUMBER, "boolean": BOOLEAN, "date": DATE, "datetime": DATETIME,
    "list": ListOf(ANY), "any": ANY,
}


@dataclass(frozen=True)
class Hop:
    """One step of a resolved path: the form it is in and the field it names."""

    form: FormDef
    field: FieldDef


class FormScope:
    """Resolves field paths for formulas of one form, or of one subform row (`row` = the subform field)."""

    def __init__(self, defs: Definitions, form: FormDef, row: FieldDef | None = None):
        self.defs, self.form, self.row = defs, form, row

    def names(self) -> list[str]:
        """Every top-level name a formula here may use (for suggestions)."""
        own = [f.id for f in self.form.fields if not field_type_or_none(f.type) or not _layout(f)]
        extra = [f.id for f in self.row.fields] if self.row else []
        return extra + own + list(SYSTEM_FIELD_TYPES)

    def hops(self, path: tuple[str, ...]) -> list[Hop] | None:
        """The fields a path walks through, or None if some step does not exist."""
        return list(self._walk(path)) if self._resolvable(path) else None

    def _resolvable(self, path: tuple[str, ...]) -> bool:
        try:
            return len(list(self._walk(path))) == len(path)
        except LookupError:
            return False

    def _walk(self, path: tuple[str, ...]) -> Iterator[Hop]:
        form = self.form
        first = self.row.child(path[0]) if self.row else None
        field = first or form.field(path[0])
        if field is None:
            raise LookupError(path[0])
        yield Hop(form, field)
        for step in path[1:]:
            if field.type == "subform":
                child = field.child(step)
                if child is None:
                    raise LookupError(step)
                field = child
            elif field.type in ("relation", "relation_many") and field.get("to") in self.defs.forms:
                form = self.defs.forms[field.get("to")]
                target = form.field(step)
                if target is None:
                    raise LookupError(step)
                field = target
            else:
                raise LookupError(step)
            yield Hop(form, field)

    def type_of(self, path: tuple[str, ...]) -> FType | None:
        """The formula type of a path, or None when the path names nothing."""
        if len(path) == 1 and path[0] in SYSTEM_FIELD_TYPES and not self.form.field(path[0]):
            return SYSTEM_FIELD_TYPES[path[0]]
        hops = self.hops(path)
        if hops is None:
            return None
        last = hops[-1]
        result = field_value_type(self.defs, last.form, last.field, set())
        in_list = any(h.field.type in ("subform", "relation_many") for h in hops[:-1])
        if hops[-1].field.type == "subform":
            return ListOf(ANY)
        return ListOf(result) if in_list else result


def field_type_or_none(name: str) -> object | None:
    try:
        return field_type(name)
    except KeyError:
        return None


def _layout(f: FieldDef) -> bool:
    t = field_type_or_none(f.type)
    return bool(getattr(t, "layout_only", False))


def field_value_type(defs: Definitions, form: FormDef, f: FieldDef, seen: set[tuple[str, str]]) -> FType:
    """The formula type of a field's value, following lookups and rollups (cycles give ANY)."""
    key = (form.id, f.id)
    if key in seen:
        return ANY
    seen = seen | {key}
    if f.type == "formula":
        return RESULT_TYPES.get(str(f.get("result", "text")), ANY)
    if f.type == "lookup":
        scope = FormScope(defs, form)
        hops = scope.hops(tuple(str(f.get("path", "")).split(".")))
        if not hops:
            return ANY
        last = hops[-1]
        inner = field_value_type(defs, last.form, last.field, seen)
        many = any(h.field.type == "relation_many" for h in hops[:-1])
        return ListOf(inner) if many else inner
    if f.type == "rollup":
        if f.get("aggregate") in ("min", "max") and f.get("source") in defs.forms:
            source = defs.forms[f.get("source")]
            target = source.field(str(f.get("field", "")))
            if target is not None:
                return field_value_type(defs, source, target, seen)
        return NUMBER
    t = field_type_or_none(f.type)
    return VALUE_TYPES.get(str(getattr(t, "value_type", "any")), ANY)
