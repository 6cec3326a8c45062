"""Field access at a node for one actor: the node's narrowing over the role's field access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.definitions.model import NodeDef
from engine.errors import FieldError, RecordInvalid
from engine.records.model import Actor
from engine.records.values import Errors
from engine.workflow import graph

if TYPE_CHECKING:
    from engine.workspace import Workspace


def node_access(ws: Workspace, actor: Actor, form_id: str, node: NodeDef) -> dict[str, str]:
    """Field id → editable | read_only | hidden for the actor at this node (computed fields never editable)."""
    rt = ws.records.runtime(form_id)
    role = ws.records.guard(actor, form_id).access
    found: dict[str, str] = {}
    for f in rt.form.fields:
        if rt.types[f.id].layout_only:
            continue
        access = graph.narrowed(graph.field_access(node, f.id), f.id in role.hidden, f.id in role.read_only)
        if access == graph.EDITABLE and f.id not in rt.writable_by_id:
            access = graph.READ_ONLY
        found[f.id] = access
    return found


def value_errors(ws: Workspace, form_id: str, access: Mapping[str, str], values: Mapping[str, Any]) -> Errors:
    """An error for every value of a field that is not editable at this step (a hidden one is unknown)."""
    rt = ws.records.runtime(form_id)
    errors: Errors = {}
    for key in values:
        base = str(key).split(".")[0].split("[")[0]
        shown = access.get(base)
        if shown is None or shown == graph.HIDDEN:
            errors[str(key)] = [FieldError("unknown_field", {"value": base})]
        elif shown != graph.EDITABLE:
            f = rt.form.field(base)
            errors[str(key)] = [FieldError("wf_not_editable", {"label": f.label if f else base})]
    return errors


def missing_required(ws: Workspace, form_id: str, node: NodeDef, record: Mapping[str, Any]) -> None:
    """RecordInvalid naming each of the node's required fields that has no value."""
    rt = ws.records.runtime(form_id)
    errors: Errors = {}
    for field_id in node.required:
        f = rt.form.field(field_id)
        if f is not None and rt.types[field_id].is_empty(record.get(field_id)):
            errors[field_id] = [FieldError("required", {"label": f.label})]
    if errors:
        raise RecordInvalid(errors)


def masked(values: Mapping[str, Any], access: Mapping[str, str]) -> dict[str, Any]:
    """The record's values without the fields hidden at this step."""
    return {k: v for k, v in values.items() if access.get(k) != graph.HIDDEN}
