"""The formula environment of a record: field values, subform rows and related records, read on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.registry import field_type, record_target

# (form id, record id) → that record's values (including system columns), or None if it does not exist.
RelatedLoader = Callable[[str, int], Mapping[str, Any] | None]


@dataclass
class RecordEnv:
    """Resolves formula paths against a record being written (and, for subform formulas, one of its rows)."""

    defs: Definitions
    form: FormDef
    values: Mapping[str, Any]
    now: datetime
    tz: tzinfo
    load: RelatedLoader
    variables: Mapping[str, Any] = field(default_factory=dict)
    row: Mapping[str, Any] | None = None
    row_field: FieldDef | None = None

    def lookup(self, path: tuple[str, ...]) -> Any:
        """The value at a field path (a list when the path crosses a subform or a multi-relation)."""
        head = path[0]
        if self.row is not None and self.row_field is not None and self.row_field.child(head):
            f = self.row_field.child(head)
            return self._walk(self.form, f, self.row.get(head), path[1:]) if f else None
        f = self.form.field(head)
        if f is None:
            return self.values.get(head)  # system columns (created_at, owner_id…)
        return self._walk(self.form, f, self.values.get(head), path[1:])

    def _walk(self, form: FormDef, f: FieldDef, value: Any, rest: tuple[str, ...]) -> Any:
        if not rest:
            return value
        step, tail = rest[0], rest[1:]
        if field_type(f.type).holds_rows:
            child = f.child(step)
            rows = value or []
            return [self._walk(form, child, r.get(step), tail) for r in rows] if child else None
        if record_target(f) in self.defs.forms:
            target = self.defs.forms[str(record_target(f))]
            target_field = target.field(step)
            ids = value if isinstance(value, list) else ([value] if value is not None else [])
            results = []
            for record_id in ids:
                related = self.load(target.id, int(record_id))
                inner = None if related is None else related.get(step)
                results.append(self._walk(target, target_field, inner, tail) if target_field else inner)
            if not field_type(f.type).many:
                return results[0] if results else None
            return results
        return None

    def for_row(self, subform: FieldDef, row: Mapping[str, Any]) -> RecordEnv:
        """The environment of one subform row (sibling columns first, then the parent's fields)."""
        return RecordEnv(self.defs, self.form, self.values, self.now, self.tz, self.load, self.variables, row, subform)
