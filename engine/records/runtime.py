"""Per-form facts the record service needs on every write, worked out once per set of definitions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from engine.definitions.default_from import default_from
from engine.definitions.dependencies import evaluation_order, field_dependencies
from engine.definitions.model import Definitions, FieldDef, FormDef, PipelineDef, Rule
from engine.fields.base import FieldType, Parser, Validator
from engine.fields.registry import field_type
from engine.fields.screen import USER, Reference
from engine.fields.types.relations import ReadComputed, Rollup
from engine.formulas import compile_formula, references
from engine.storage.formtables import FormTables, searched_fields

SYSTEM_FIELDS: dict[str, FieldDef] = {
    "id": FieldDef("id", "integer", {"zh": "编号", "en": "ID"}),
    "created_at": FieldDef("created_at", "datetime", {"zh": "创建时间", "en": "Created at"}),
    "updated_at": FieldDef("updated_at", "datetime", {"zh": "更新时间", "en": "Updated at"}),
    "created_by": FieldDef("created_by", "user", {"zh": "创建人", "en": "Created by"}),
    "updated_by": FieldDef("updated_by", "user", {"zh": "修改人", "en": "Updated by"}),
    "owner_id": FieldDef("owner_id", "user", {"zh": "负责人", "en": "Owner"}),
    "department_id": FieldDef("department_id", "department", {"zh": "所属部门", "en": "Department"}),
    "deleted_at": FieldDef("deleted_at", "datetime", {"zh": "删除时间", "en": "Deleted at"}),
}


def _written_reference(ftype: FieldType, f: FieldDef) -> Reference | None:
    """What a field people write refers to (None for other fields, and for computed ones such as created_by)."""
    return ftype.refers_to(f) if ftype.stored and not ftype.computed else None


@dataclass(frozen=True)
class FormRuntime:
    """A form with its tables, field types, compiled formulas and evaluation order."""

    defs: Definitions
    form: FormDef
    tables: FormTables

    @property
    def main(self) -> sa.Table:
        return self.tables.main

    @cached_property
    def accesses(self) -> dict[frozenset[str], Any]:
        """The resolved access of each set of roles on this form (engine.records.guard fills it): roles live in the
        definitions, so a publish, which builds new runtimes, starts it afresh."""
        return {}

    @cached_property
    def owner_field(self) -> str | None:
        """The user field `owner`, when the form has one: it is the record's owner (data scopes follow it)."""
        f = self.form.field("owner")
        return "owner" if f is not None and field_type(f.type).refers_to(f) == Reference(USER) \
            and not field_type(f.type).many else None

    @cached_property
    def types(self) -> dict[str, FieldType]:
        """Field type of every top-level field and every subform column (`sub.col`)."""
        types: dict[str, FieldType] = {}
        for f in self.form.fields:
            types[f.id] = field_type(f.type)
            for c in f.fields:
                types[f"{f.id}.{c.id}"] = field_type(c.type)
        return types

    @cached_property
    def pipelines(self) -> list[PipelineDef]:
        """The stage pipelines over fields of this form."""
        return [p for p in self.defs.pipelines.values() if p.form == self.form.id]

    @cached_property
    def order(self) -> list[str]:
        """Computed fields in evaluation order."""
        return evaluation_order(self.defs, self.form)

    @cached_property
    def formulas(self) -> dict[str, Any]:
        """Compiled formula of every computed field (top-level id or `sub.col`)."""
        compiled = {}
        for f in self.form.fields:
            if f.formula:
                compiled[f.id] = compile_formula(f.formula)
            for c in f.fields:
                if c.formula:
                    compiled[f"{f.id}.{c.id}"] = compile_formula(c.formula)
        return compiled

    @cached_property
    def formulas_read_serials(self) -> bool:
        """True when some formula reads a serial field (so it is computed again once numbers are assigned)."""
        serials = {n.field for n in self.form.numbering}
        return any(path[0] in serials for expr in self.formulas.values() for path in references(expr))

    @cached_property
    def rule_formulas(self) -> list[tuple[Rule, Any, Any]]:
        """Each rule with its compiled `when` and `check`."""
        return [
            (r, compile_formula(r.when) if r.when else None, compile_formula(r.check) if r.check else None)
            for r in self.form.rules
        ]

    @cached_property
    def writable(self) -> list[FieldDef]:
        """Fields a caller may give values for."""
        return [f for f in self.form.fields if not self.types[f.id].computed and not self.types[f.id].layout_only
                and not f.formula]

    @cached_property
    def validated(self) -> list[tuple[FieldDef, FieldType]]:
        """Fields whose values are validated on write (not layout-only, not computed except formulas)."""
        return [(f, self.types[f.id]) for f in self.form.fields
                if not self.types[f.id].layout_only and not (self.types[f.id].computed and not f.formula)]

    @cached_property
    def writable_by_id(self) -> dict[str, FieldDef]:
        return {f.id: f for f in self.writable}

    @cached_property
    def parsers(self) -> dict[str, tuple[FieldDef, Parser, bool]]:
        """Per writable field: (field, its parser, whether it holds subform rows), worked out once."""
        return {f.id: (f, self.types[f.id].parser(f), self.types[f.id].holds_rows) for f in self.writable}

    @cached_property
    def defaulted(self) -> list[FieldDef]:
        """Writable fields with a default or subform rows (whose cells may have defaults), those whose default
        is taken from a related record last."""
        return sorted((f for f in self.writable if f.default is not None or self.types[f.id].holds_rows),
                      key=lambda f: default_from(f) is not None)

    @cached_property
    def references(self) -> list[tuple[FieldDef, Reference | None, list[tuple[FieldDef, Reference]]]]:
        """Fields people write that hold ids (users, departments, records): (field, what it refers to, and for a
        subform its columns that do), for the checks that the ids exist."""
        found = []
        for f in self.form.fields:
            columns = [(c, target) for c in f.fields
                       if (target := _written_reference(self.types[f"{f.id}.{c.id}"], c)) is not None]
            target = _written_reference(self.types[f.id], f)
            if target is not None or columns:
                found.append((f, target, columns))
        return found

    @cached_property
    def column_writers(self) -> list[tuple[str, FieldDef, Callable[[FieldDef, Any], dict[str, Any]] | None]]:
        """Per stored field: (id, field, its `to_db`), None in place of the plain one (one column holding the
        value, NULL when empty), which `writing.main_row` inlines."""
        def plain(t: FieldType) -> bool:
            return type(t).to_db is FieldType.to_db and type(t).is_empty is FieldType.is_empty
        return [(f.id, f, None if plain(self.types[f.id]) else self.types[f.id].to_db) for f in self.stored]

    @cached_property
    def checks(self) -> list[tuple[FieldDef, Callable[[Any], bool], bool, Validator | None]]:
        """`validated` as (field, its type's is_empty, whether it holds rows, its validator — None: nothing to
        check once the value is there)."""
        return [(f, t.is_empty, t.holds_rows, t.validator(f)) for f, t in self.validated]

    @cached_property
    def strict_checks(self) -> list[tuple[FieldDef, Callable[[Any], bool], bool, Validator | None]]:
        """`checks` less the fields nothing can fault unless a rule requires them: no validator, no rows, not
        required by definition (validation takes these when no rule requires anything)."""
        return [c for c in self.checks if c[2] or c[3] is not None or (c[0].required and not c[0].formula)]

    @cached_property
    def stored(self) -> list[FieldDef]:
        """Fields with columns in the main table."""
        return [f for f in self.form.fields if self.types[f.id].stored and not self.types[f.id].layout_only]

    @cached_property
    def column_names(self) -> list[str]:
        """Names of the main table's columns, in select order."""
        return list(self.main.c.keys())

    @cached_property
    def custom_readers(self) -> list[tuple[FieldDef, FieldType]]:
        """Stored fields whose type reads its value(s) its own way (not just the column of its id)."""
        return [(f, self.types[f.id]) for f in self.stored if type(self.types[f.id]).from_db is not FieldType.from_db]

    @cached_property
    def extra_columns(self) -> list[str]:
        """Columns that are not a field of their own (e.g. address parts), dropped from values."""
        fields = {f.id for f in self.stored}
        system = {"id", "version", "created_at", "updated_at", "created_by", "updated_by", "owner_id",
                  "department_id", "deleted_at", "wf_state"}
        return [c for c in self.column_names if c not in fields and c not in system]

    @cached_property
    def subforms(self) -> list[FieldDef]:
        return [f for f in self.form.fields if self.types[f.id].holds_rows]

    @cached_property
    def read_computed(self) -> list[FieldDef]:
        """Lookups and rollups: computed when records are read, never stored."""
        return [f for f in self.form.fields if isinstance(self.types[f.id], ReadComputed)]

    @cached_property
    def readers(self) -> dict[str, frozenset[str]]:
        """Field id → the top-level computed fields of this form (formulas, lookups) that read it directly."""
        found: dict[str, set[str]] = {}
        for f in self.form.fields:
            for form_id, name in field_dependencies(self.defs, self.form, f):
                if form_id == self.form.id:
                    found.setdefault(name.split(".")[0], set()).add(f.id)
        return {k: frozenset(v) for k, v in found.items()}

    def computed_from(self, fields: Iterable[str]) -> frozenset[str]:
        """The formulas and lookups computed, directly or through one another, from any of `fields`."""
        found: set[str] = set()
        todo = list(fields)
        while todo:
            for reader in self.readers.get(todo.pop(), ()):
                if reader not in found:
                    found.add(reader)
                    todo.append(reader)
        return frozenset(found)

    @cached_property
    def search_fields(self) -> list[FieldDef]:
        """Fields searched by quick search (the ones whose columns get search indexes on PostgreSQL)."""
        return searched_fields(self.form)

    def field(self, name: str) -> FieldDef | None:
        """A field (or a filterable system column) by id."""
        return self.form.field(name) or SYSTEM_FIELDS.get(name)

    def field_type_of(self, f: FieldDef) -> FieldType:
        return self.types.get(f.id) or field_type(f.type)


class Runtimes:
    """FormRuntime of every form of one Definitions object."""

    def __init__(self, defs: Definitions, tables: dict[str, FormTables]):
        self.defs = defs
        self._runtimes = {form_id: FormRuntime(defs, defs.forms[form_id], t) for form_id, t in tables.items()}
        self.kept: dict[tuple[str, str], Any] = {}  # what readers work out once per form (engine.records.joins)

    def __getitem__(self, form_id: str) -> FormRuntime:
        return self._runtimes[form_id]

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._runtimes

    def dependents_of(self, form_id: str) -> list[tuple[FormRuntime, FieldDef]]:
        """Rollup fields of other forms whose source is `form_id`."""
        found = []
        for rt in self._runtimes.values():
            for f in rt.form.fields:
                if isinstance(rt.types[f.id], Rollup) and f.get("source") == form_id:
                    found.append((rt, f))
        return found
