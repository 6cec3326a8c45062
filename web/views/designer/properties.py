"""The property panel of a field (or of a subform's column, `?parent=`): generated from the field type's property
schema plus the keys every field has; a POST turns the inputs into one operation on the user's draft."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.definitions.edit_error import EditError
from engine.fields.base import FieldType
from engine.fields.registry import field_type, type_names
from engine.i18n import text
from web.endpoints import form_view
from web.render import page
from web.views.designer import columns, options, ref_editors  # noqa: F401  (register their editors)
from web.views.designer.columns import MAX_PATTERN, column_types, example, with_pattern
from web.views.designer.draft_access import (
    DRAFT_CHANGED, Designing, designing, edit_error_text, fingerprint, problems,
)
from web.views.designer.formula_help import suggestions
from web.views.designer.prop_editors import BadInput, Context, Editor, Prop, changed, editor_for, prop_label

TEXT = {"$ref": "common.schema.json#/$defs/text"}
FORMULA = {"$ref": "common.schema.json#/$defs/formula"}
FLAG = {"type": "boolean", "default": False}
SIMPLE_VALUES = ("text", "number", "boolean", "date", "datetime")


def fillable(ftype: FieldType) -> bool:
    """People give the value (not computed, not layout, not rows)."""
    return not (ftype.computed or ftype.layout_only or ftype.holds_rows or ftype.shows_itself)


def props_of(ftype: FieldType, column: bool) -> list[Prop]:
    """The keys the panel shows for a field of this type, in panel order: the common ones and the type's own."""
    own = dict(ftype.props_schema)
    props = [Prop("label", own.pop("label", TEXT), required=True)]
    if not ftype.layout_only:
        props.append(Prop("help", TEXT))
    if fillable(ftype):
        props.append(Prop("placeholder", TEXT))
    props += [Prop(k, s, k in ftype.props_required) for k, s in own.items()]
    props.append(Prop("numbering", {}))  # only the serial editor takes it
    if fillable(ftype):
        props.append(Prop("required", FLAG))
    if ftype.stored and not ftype.many and not ftype.layout_only and not column:
        props += [Prop("unique", FLAG), Prop("index", FLAG)]
    if fillable(ftype):
        props.append(Prop("default", {}))
        if ftype.value_type in SIMPLE_VALUES and "formula" not in own:
            props.append(Prop("formula", FORMULA))
    return props


@dataclass
class Shown:
    """One key as drawn: its editor's macro, what the macro needs, and the problems at it."""

    key: str
    label: str
    macro: str
    data: dict[str, Any]
    required: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Located:
    """The field in the draft: its mapping, its subform (for a column) and its JSON pointer."""

    field: Mapping[str, Any]
    parent: Mapping[str, Any] | None
    pointer: str


def locate(doc: Mapping[str, Any], field_id: str, parent_id: str) -> Located | None:
    fields = [f for f in doc.get("fields") or [] if isinstance(f, Mapping)]
    if parent_id:
        found = next(((i, f) for i, f in enumerate(fields) if f.get("id") == parent_id), None)
        if found is None:
            return None
        pi, parent = found
        columns_ = [c for c in parent.get("fields") or [] if isinstance(c, Mapping)]
        ci = next((i for i, c in enumerate(columns_) if c.get("id") == field_id), None)
        return Located(columns_[ci], parent, f"/fields/{pi}/fields/{ci}") if ci is not None else None
    i = next((i for i, f in enumerate(fields) if f.get("id") == field_id), None)
    return Located(fields[i], None, f"/fields/{i}") if i is not None else None


def context_of(d: Designing, located: Located) -> Context | None:
    ftype_name = str(located.field.get("type"))
    if ftype_name not in type_names():
        return None
    return Context(d.lang, d.form_id, d.doc, located.field, field_type(ftype_name), d.ws.definitions, located.parent)


def editors_of(ctx: Context) -> list[tuple[Prop, Editor]]:
    """Each key the panel shows, with its editor (keys another editor writes are left to it)."""
    pairs = [(p, e) for p in props_of(ctx.ftype, ctx.parent is not None) if (e := editor_for(p, ctx)) is not None]
    owned = {k for _, e in pairs for k in e.owns}
    return [(p, e) for p, e in pairs if p.key not in owned]


def changeable_types(ftype: FieldType, lang: str) -> list[tuple[str, str]]:
    """Types the field may change to: the kind of field it is stays (values, system facts, layout or rows)."""
    found = []
    for name in type_names():
        other = field_type(name)
        kind = (bool(other.system_fact), other.layout_only, other.holds_rows)
        if kind != (bool(ftype.system_fact), ftype.layout_only, ftype.holds_rows):
            continue
        found.append((name, text(other.label, lang)))
    return sorted(found, key=lambda p: p[1])


def published(d: Designing, field_id: str, parent_id: str) -> bool:
    """Whether the field exists in the published form (its id can no longer change)."""
    form = d.ws.definitions.forms.get(d.form_id)
    if form is None:
        return False
    if parent_id:
        sub = form.field(parent_id)
        return sub is not None and sub.child(field_id) is not None
    return form.field(field_id) is not None


def shown_props(d: Designing, ctx: Context, located: Located, bad: BadInput | None) -> tuple[list[Shown], list[str]]:
    """Each key as drawn, with the draft's problems at it; and the field's problems at no key the panel shows."""
    placed = problems(d)
    shown: list[Shown] = []
    drawn: set[str] = set()
    for prop, editor in editors_of(ctx):
        keys = (prop.key, *editor.owns)
        drawn.update(keys)
        found = [m for k in keys for m in placed.of(located.pointer, k)]
        if bad is not None and bad.key in keys:
            found.insert(0, bad.message)
        shown.append(Shown(prop.key, prop_label(prop.key, d.lang), editor.macro, editor.view(prop, ctx),
                           prop.required, found))
    elsewhere = [m for (p, k), found in placed.at_key.items() if p == located.pointer and k not in drawn
                 for m in found]
    return shown, elsewhere


def panel(request: Request, d: Designing, field_id: str, parent_id: str, *, status: int = 200,
          message: str = "", bad: BadInput | None = None, headers: Mapping[str, str] | None = None) -> Response:
    """The panel of the field as the draft has it now."""
    located = locate(d.doc, field_id, parent_id)
    ctx = context_of(d, located) if located is not None else None
    if located is None or ctx is None:
        return page(request, "design/_props_missing.html", {"tp": d.t}, status=404)
    shown, elsewhere = shown_props(d, ctx, located, bad)
    parent, source = located.parent, str(located.field.get("source") or "")
    base = f"/design/forms/{d.form_id}/fields/{field_id}"
    response = page(request, "design/_props.html", {
        "tp": d.t, "d": d, "f": located.field, "shown": shown, "message": message, "top_problems": elsewhere,
        "url": base + (f"?parent={parent_id}" if parent_id else ""), "base": base, "parent": parent,
        "parent_label": text(parent.get("label") or "", d.lang) if parent else "", "parent_id": parent_id,
        "types": changeable_types(ctx.ftype, d.lang), "id_locked": published(d, field_id, parent_id),
        "suggest": suggestions(d, parent=parent_id),
        "rollup_suggest": suggestions(d, scope=source) if source in d.ws.definitions.forms else "",
        "example": example, "now": d.ws.now(), "saved": bool(headers), "seen": fingerprint(located.field),
    }, status=status)
    response.headers.update(headers or {})
    return response


def operation(d: Designing, located: Located, ctx: Context, data: FormData, parent_id: str) -> dict[str, Any] | None:
    """The one operation the posted panel asks for (None: nothing changed)."""
    where = {"id": located.field.get("id"), **({"parent": parent_id} if parent_id else {})}
    new_type = str(data.get("type") or "")
    if new_type and new_type != located.field.get("type"):
        return {"op": "change_type", **where, "type": new_type}
    new_id = str(data.get("new_id") or "").strip()
    if new_id and new_id != located.field.get("id"):
        return {"op": "rename_field", **where, "new_id": new_id}
    values: dict[str, Any] = {}
    for prop, editor in editors_of(ctx):
        values.update(editor.read(prop, data, ctx))
    if "to" in values and values["to"] != located.field.get("to") and "display" not in values:
        values["display"] = None  # a new target: the old display field is not one of its fields
    to_set, to_unset = changed(located.field, values)
    if not to_set and not to_unset:
        return None
    return {"op": "change_field", **where, "set": to_set, "unset": to_unset}


@form_view
def field_panel(request: Request, data: FormData) -> Response:
    """GET the panel; POST its inputs: one change_field (or change_type, rename_field) on the draft."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    field_id = str(request.path_params["field"])
    parent_id = request.query_params.get("parent", "")
    if request.method == "GET":
        return panel(request, d, field_id, parent_id)
    located = locate(d.doc, field_id, parent_id)
    ctx = context_of(d, located) if located is not None else None
    if located is None or ctx is None:
        return panel(request, d, field_id, parent_id)
    if data.get("seen") != fingerprint(located.field):  # drawn before another change (an undo, another tab)
        return panel(request, d, field_id, parent_id, status=409, message=d.t("dp_stale"))
    try:
        op = operation(d, located, ctx, data, parent_id)
    except BadInput as exc:
        return panel(request, d, field_id, parent_id, status=400, bad=exc)
    if op is None:
        return panel(request, d, field_id, parent_id)
    return applied(request, d, op, field_id, parent_id) or \
        panel(request, d, str(op.get("new_id") or field_id), parent_id, headers=DRAFT_CHANGED)


@form_view
def numbering(request: Request, data: FormData) -> Response:
    """POST the serial field's pattern: set_form numbering (with `?example=1`: only the live example)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    field_id = str(request.path_params["field"])
    pattern = str(data.get("numbering") or "").strip()
    if request.query_params.get("example"):
        return page(request, "design/_serial_example.html", {
            "tp": d.t, "example": example(d.doc, pattern, d.ws.now()) if pattern else ""})
    if len(pattern) > MAX_PATTERN:
        return panel(request, d, field_id, "", status=400, bad=BadInput("numbering", d.t("dp_serial_bad")))
    new = with_pattern(d.doc, field_id, pattern)
    if new == d.doc.get("numbering"):
        return panel(request, d, field_id, "")
    op: dict[str, Any] = {"op": "set_form", "set": {"numbering": new}, "unset": []} if new is not None else \
        {"op": "set_form", "set": {}, "unset": ["numbering"]}
    return applied(request, d, op, field_id, "") or panel(request, d, field_id, "", headers=DRAFT_CHANGED)


@form_view
def subform_columns(request: Request, data: FormData) -> Response:
    """POST on a subform's panel: add a column (`add=<type>`), order them (`order`), or remove one (`remove`)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    sub = str(request.path_params["field"])
    action = request.query_params.get("do", "")
    op: dict[str, Any]
    if action == "add":
        kind = str(data.get("column_type") or "")
        if kind not in dict(column_types(d.lang)):
            return panel(request, d, sub, "", status=400, message=d.t("dp_bad_choice", label=d.t("fields")))
        name = field_type(kind).label
        op = {"op": "add_field", "parent": sub,
              "field": {"type": kind, "label": dict(name) if isinstance(name, Mapping) else str(name)}}
    elif action == "remove":
        op = {"op": "remove_field", "parent": sub, "id": request.query_params.get("column", "")}
    elif action == "order":
        op = {"op": "order_columns", "parent": sub, "ids": [str(i) for i in data.getlist("order")]}
    else:
        return panel(request, d, sub, "", status=400, message=d.t("dp_bad_choice", label=d.t("fields")))
    refused = applied(request, d, op, sub, "")
    if refused is not None:
        return refused
    if op["op"] == "add_field" and op.get("id"):
        return panel(request, d, str(op["id"]), sub, headers=DRAFT_CHANGED)
    return panel(request, d, sub, "", headers=DRAFT_CHANGED)


def applied(request: Request, d: Designing, op: dict[str, Any], field_id: str, parent_id: str) -> Response | None:
    """Apply the operation to the draft: None when done, else the panel with the refusal's message (400)."""
    try:
        d.edit(op)
    except EditError as exc:
        return panel(request, d, field_id, parent_id, status=400, message=edit_error_text(exc, d.lang))
    return None


ROUTES: list[Route] = [
    Route("/design/forms/{form}/fields/{field}", field_panel, methods=["GET", "POST"]),
    Route("/design/forms/{form}/fields/{field}/numbering", numbering, methods=["POST"]),
    Route("/design/forms/{form}/fields/{field}/columns", subform_columns, methods=["POST"]),
]
