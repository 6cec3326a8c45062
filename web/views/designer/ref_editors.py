"""Hint editors of ids: a form (a relation's target, a rollup's source), a field of another form (the shown
field, the rollup's link and field), and a lookup's relation.field path — each a select of what exists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import FormData

from engine.definitions.default_from import fits
from engine.definitions.model import FieldDef
from engine.fields.registry import field_type, record_target, type_names
from engine.i18n import text
from web.views.designer.prop_editors import (
    Context, Editor, Prop, blank_none, field_def, label_of, register, schema_ref,
)


class RefEditor(Editor):
    """An id naming a form or a field, chosen from a list; which list depends on the key (a hint)."""

    macro = "select"

    def __init__(self, keys: Mapping[str, Callable[[Context], list[tuple[str, str]]]],
                 blanks: Mapping[str, str] | None = None):
        self.keys, self.blanks = keys, blanks or {}

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key in self.keys and schema_ref(prop.schema) == "id"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        choices = self.keys[prop.key](ctx)
        value = ctx.field.get(prop.key)
        if value and value not in [c for c, _ in choices]:
            choices = [(str(value), str(value)), *choices]  # shown as written: the problem list says what is wrong
        return {"value": value, "choices": choices, "blank": ctx.t(self.blanks.get(prop.key, "dp_choose"))}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        return {prop.key: blank_none(posted.get(f"k.{prop.key}"))}


def _all_forms(ctx: Context) -> list[tuple[str, str]]:
    return ctx.forms()


def _fields_of_target(key: str) -> Callable[[Context], list[tuple[str, str]]]:
    """The fields of the form the field's `key` names (a relation's `to`, a rollup's `source`)."""
    def choices(ctx: Context) -> list[tuple[str, str]]:
        target = str(ctx.field.get(key) or "")
        return [(fid, label) for fid, label, ftype in ctx.form_fields(target)
                if ftype in type_names() and not field_type(ftype).layout_only]
    return choices


def _links_here(ctx: Context) -> list[tuple[str, str]]:
    """Single relation fields of the rollup's source form that point to this form."""
    source = str(ctx.field.get("source") or "")
    fields = ctx.doc.get("fields") or [] if source == ctx.form_id else \
        [{"id": f.id, "type": f.type, "label": f.label, **f.props} for f in
         (ctx.defs.forms[source].fields if source in ctx.defs.forms else ())]
    found = []
    for f in fields:
        if not isinstance(f, Mapping) or str(f.get("type")) not in type_names():
            continue
        ftype = field_type(str(f["type"]))
        ref = ftype.refers_to(field_def(f))
        if ref is not None and ref.form == ctx.form_id and not ftype.many:
            found.append((str(f["id"]), label_of(f.get("label"), ctx.lang)))
    return found


register(RefEditor({
    "to": _all_forms,
    "source": _all_forms,
    "display": _fields_of_target("to"),
    "field": _fields_of_target("source"),
    "link": _links_here,
}, blanks={"display": "dp_form_title_default"}))


class LookupPathEditor(Editor):
    """relation.field: one select, the target fields grouped under each relation field of this form."""

    macro = "lookup_path"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key == "path" and prop.schema.get("type") == "string"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for f in ctx.doc.get("fields") or []:
            if not isinstance(f, Mapping) or not f.get("to") or str(f.get("type")) not in type_names():
                continue
            ref = field_type(str(f["type"])).refers_to(field_def(f))
            if ref is None or not ref.form:
                continue
            targets = [(f"{f['id']}.{fid}", label) for fid, label, ftype in ctx.form_fields(ref.form)
                       if not field_type(ftype).layout_only and not field_type(ftype).holds_rows]
            groups.append((f"{label_of(f.get('label'), ctx.lang)} → {_form_label(ctx, ref.form)}", targets))
        value = str(ctx.field.get(prop.key) or "")
        known = {v for _, targets in groups for v, _ in targets}
        return {"value": value, "groups": groups, "unknown": value if value and value not in known else ""}


def _form_label(ctx: Context, form_id: str) -> str:
    return dict(ctx.forms()).get(form_id, form_id)


register(LookupPathEditor())


def linked_sources(ctx: Context) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """For a default taken from a related record: (id, label, fitting fields of its form) of each single relation
    of this form (the draft's) whose form has a field this field can take the value of."""
    if ctx.parent is not None or str(ctx.field.get("type")) not in type_names():
        return []
    target = field_def(ctx.field)
    found = []
    for f in ctx.doc.get("fields") or []:
        if not isinstance(f, Mapping) or f.get("id") == ctx.field.get("id") or str(f.get("type")) not in type_names():
            continue
        relation = field_def(f)
        form_id = record_target(relation)
        if form_id is None or field_type(relation.type).many:
            continue
        fitting = [(s.id, label_of(s.label, ctx.lang) or s.id) for s in _fields_of(ctx, form_id) if fits(s, target)]
        if fitting:
            found.append((relation.id, label_of(f.get("label"), ctx.lang) or relation.id, fitting))
    return found


def _fields_of(ctx: Context, form_id: str) -> list[FieldDef]:
    """A form's fields as definitions: this draft's own, else the published form's."""
    if form_id == ctx.form_id:
        return [field_def(f) for f in ctx.doc.get("fields") or [] if isinstance(f, Mapping)]
    form = ctx.defs.forms.get(form_id)
    return list(form.fields) if form is not None else []
