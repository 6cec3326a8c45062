"""The subform's columns in its property panel (add, open, drag to reorder, remove) and the serial number
pattern builder with a live example made by the engine's own numbering code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from engine.fields.base import FieldType
from engine.fields.registry import field_type, type_names
from engine.i18n import text
from engine.records.serials import split_pattern
from web.views.designer.prop_editors import Context, Editor, Prop, label_of, register

SAMPLE_COUNTER = 1
MAX_PATTERN = 120


def column_types(lang: str) -> list[tuple[str, str]]:
    """Types a subform column may have: values people fill in or the engine computes, not rows or layout."""
    found = []
    for name in type_names():
        ftype = field_type(name)
        if not ftype.holds_rows and not ftype.layout_only and not ftype.system_fact and ftype.stored:
            found.append((name, text(ftype.label, lang)))
    return sorted(found, key=lambda p: p[1])


class ColumnsEditor(Editor):
    macro = "columns"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key == "fields" and ctx.ftype.holds_rows

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        columns = []
        for c in ctx.field.get("fields") or []:
            if isinstance(c, Mapping):
                ctype = str(c.get("type"))
                type_label = text(field_type(ctype).label, ctx.lang) if ctype in type_names() else ctype
                columns.append({"id": str(c.get("id")), "label": label_of(c.get("label"), ctx.lang),
                                "type": type_label})
        return {"columns": columns, "types": column_types(ctx.lang), "subform": str(ctx.field.get("id"))}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        return {}  # columns change through their own operations (add_field, order_columns, remove_field)


def numbering_of(doc: Mapping[str, Any], field_id: str) -> str:
    """The pattern of the form's numbering for this field ('' for none)."""
    numbering = doc.get("numbering")
    items = numbering if isinstance(numbering, list) else [numbering] if isinstance(numbering, Mapping) else []
    return next((str(n.get("pattern") or "") for n in items if isinstance(n, Mapping) and n.get("field") == field_id),
                "")


def with_pattern(doc: Mapping[str, Any], field_id: str, pattern: str) -> Any:
    """The form's `numbering` with this field's pattern set (or removed when empty); one object stays one."""
    numbering = doc.get("numbering")
    items = [dict(n) for n in (numbering if isinstance(numbering, list) else [numbering] if numbering else [])
             if isinstance(n, Mapping)]
    others = [n for n in items if n.get("field") != field_id]
    mine = [{"field": field_id, "pattern": pattern}] if pattern else []
    position = next((i for i, n in enumerate(items) if n.get("field") == field_id), len(items))
    result = others[:position] + mine + others[position:]
    if not result:
        return None
    return result[0] if len(result) == 1 else result


def example(doc: Mapping[str, Any], pattern: str, now: Any) -> str:
    """The number the first record would get today, e.g. 2026-IT-001 (field parts take a sample value)."""
    fields = {str(f.get("id")): f for f in doc.get("fields") or [] if isinstance(f, Mapping)}

    def sample(path: tuple[str, ...]) -> str:
        f = fields.get(path[0])
        if f is None:
            return "?"
        options = f.get("options") or []
        if options:
            first = options[0]
            return str(first.get("value") if isinstance(first, Mapping) else first)
        return str(f.get("id")).upper()[:3]

    before, width, after = split_pattern(pattern, now, sample)
    return f"{before}{SAMPLE_COUNTER:0{width}d}{after}"


class SerialEditor(Editor):
    """Pseudo-key `numbering`: the pattern lives in the form's `numbering`, written by set_form."""

    macro = "serial"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key == "numbering" and numbered(ctx.ftype, str(ctx.field.get("id")))

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        pattern = numbering_of(ctx.doc, str(ctx.field.get("id")))
        parts = [(f"{{{fid}}}", label_of(f.get("label"), ctx.lang))
                 for f in ctx.doc.get("fields") or [] if isinstance(f, Mapping) and (fid := str(f.get("id")))
                 and str(f.get("type")) in type_names() and field_type(str(f["type"])).stored
                 and not field_type(str(f["type"])).computed and not field_type(str(f["type"])).many]
        return {"pattern": pattern, "field_parts": parts}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        return {}


def numbered(ftype: FieldType, field_id: str) -> bool:
    """Whether fields of this type take a numbering pattern in their form (as a serial number does)."""
    return "numbering" in ftype.form_starter(field_id)


register(ColumnsEditor())
register(SerialEditor())
