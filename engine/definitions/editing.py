"""Small operations on a definition document (the designer's edits), applied to its round-trip map.

Each operation is one registered function (edit_ops.py; rules and settings in document_edits.py);
`apply_operation` checks the request's shape and runs it. An operation only shapes the document: whether the result is a valid definition is the checker's business (the designer shows
its problems at their fields and refuses to publish), so a draft may be invalid while it is being edited. What an
operation cannot do at all — an unknown field, a row of seven fields, a property no field has — is an EditError
naming the problem, in Chinese and English.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions import doc_handoff
from engine.definitions import document_edits  # noqa: F401  (registers the rule and settings operations)
from engine.definitions import chart_edits, dashboard_edits, report_edits  # noqa: F401  (register the report and dashboard operations)
from engine.definitions import print_edits  # noqa: F401  (registers the print template operations)
from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, object_at, operation, run, valid_id
from engine.definitions.layout_edits import place_after, replace_new, row_lists, set_layout_items
from engine.definitions.setting_refs import follow_field
from engine.definitions.yamldoc import (DOCUMENT_KEYS, dump_document, field_order, field_properties,
                                        load_document, restyle, set_key, styled, styled_field)

__all__ = ["EditContext", "EditError", "apply_operation", "edit_text", "new_app_text", "new_form_text"]


def apply_operation(doc: CommentedMap, op: Mapping[str, Any], context: EditContext | None = None) -> None:
    """Apply one operation ({"op": name, …}) to the document in place (EditError if it cannot be)."""
    run(doc, op, context)


def edit_text(text: str, path: str, op: Mapping[str, Any], context: EditContext | None = None) -> str:
    """The text after one operation."""
    doc = doc_handoff.take(path, text)
    if doc is None:
        doc = load_document(text, path)
    apply_operation(doc, op, context)
    result = dump_document(doc)
    doc_handoff.give(path, result, doc)
    return result


def new_form_text(form_id: str, label: Mapping[str, str]) -> str:
    """A blank form: one text field placed in the layout's first row, ready for the designer."""
    valid_id(form_id, "form")
    field = {"id": "name", "type": "text", "label": {"zh": "名称", "en": "Name"}}
    doc = styled({"form": form_id, "label": dict(label)}, order=DOCUMENT_KEYS["form"])
    doc["fields"] = CommentedSeq([styled_field(field)])
    doc["fields"].fa.set_block_style()
    doc["layout"] = CommentedSeq([styled([field["id"]])])
    doc["layout"].fa.set_block_style()
    doc.fa.set_block_style()
    return dump_document(doc)


def new_app_text(app_id: str, label: Mapping[str, str]) -> str:
    """A new app with no forms yet."""
    valid_id(app_id, "app")
    doc = styled({"app": app_id, "label": dict(label), "forms": []}, order=DOCUMENT_KEYS["app"])
    doc.fa.set_block_style()
    return dump_document(doc)


# -- fields ----------------------------------------------------------------------------------------------------


@operation("add_field")
def add_field(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    spec = object_at(op, "field")
    ftype = spec.get("type")
    _known_type(ftype)
    fields = _fields(doc, op)
    new_id = spec.get("id") or _free_id(fields, str(ftype), doc)
    valid_id(new_id, "field")
    if _index(fields, new_id) is not None:
        raise EditError(f"the form already has a field '{new_id}'", f"表单中已有字段“{new_id}”")
    for key in spec:
        _known_key(key)
    value = {"id": new_id, **_starter(str(ftype), spec), **{k: v for k, v in spec.items() if k != "id"}}
    fields.append(styled_field(value))
    if not op.get("parent"):
        _add_form_starter(doc, str(ftype), new_id)
    if "layout" in op:
        if op.get("parent"):
            raise EditError("subform columns have no layout", "子表单的列没有布局")
        set_layout_items(doc, replace_new(op["layout"], new_id), _top_ids(doc))
    if isinstance(op, dict):
        op["id"] = new_id  # the caller learns the id it got


@operation("change_field")
def change_field(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    node = _field(doc, op)
    changes = op.get("set") or {}
    removed = op.get("unset") or []
    if not isinstance(changes, Mapping) or not isinstance(removed, list):
        raise EditError("'set' must be an object and 'unset' a list of keys", "set 必须是对象,unset 必须是键的列表")
    for key, value in changes.items():
        _known_key(key)
        if key in ("id", "type"):
            raise EditError(f"'{key}' is changed with its own operation", f"“{key}”需要用专门的操作修改")
        if value is None:
            node.pop(key, None)
        else:
            set_key(node, key, value, field_order())
    for key in removed:
        if key in ("id", "type", "label"):
            raise EditError(f"a field always has '{key}'", f"字段必须有“{key}”")
        node.pop(str(key), None)
    restyle(node)


@operation("change_type")
def change_type(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    node = _field(doc, op)
    new_type = op.get("type")
    allowed = _known_type(new_type)
    for key in list(node):
        if key not in allowed:
            del node[key]
    node["type"] = new_type
    restyle(node)


@operation("rename_field")
def rename_field(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    node = _field(doc, op)
    old, new = str(node["id"]), op.get("new_id")
    valid_id(new, "field")
    parent = op.get("parent")
    if (f"{parent}.{old}" if parent else old) in ctx.published:
        raise EditError(f"'{old}' is published: its id names a database column and cannot change; "
                        "add a new field instead", f"字段“{old}”已发布,其标识是数据库列名,不能修改;请新增字段")
    if _index(_fields(doc, op), new) is not None:
        raise EditError(f"the form already has a field '{new}'", f"表单中已有字段“{new}”")
    node["id"] = new
    if not parent:
        _replace_references(doc, old, new)


@operation("remove_field")
def remove_field(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    fields = _fields(doc, op)
    node = _field(doc, op)
    fields.remove(node)
    if op.get("parent"):
        return
    gone = str(node["id"])
    _replace_references(doc, gone, None)


@operation("duplicate_field")
def duplicate_field(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    fields = _fields(doc, op)
    node = _field(doc, op)
    original = str(node["id"])
    copy_node = copy.deepcopy(node)
    base = original[:36]
    number = 2
    while _index(fields, f"{base}_{number}") is not None or _used_elsewhere(doc, f"{base}_{number}"):
        number += 1
    copy_node["id"] = new_id = f"{base}_{number}"
    label = copy_node.get("label")
    if isinstance(label, CommentedMap):
        for lang, suffix in (("zh", "(副本)"), ("en", " (copy)")):
            if lang in label:
                label[lang] = f"{label[lang]}{suffix}"
    elif isinstance(label, str):
        copy_node["label"] = f"{label} (copy)"
    fields.insert(fields.index(node) + 1, copy_node)
    if isinstance(op, dict):
        op["id"] = new_id
    if not op.get("parent") and "layout" in doc:
        place_after(doc["layout"], original, new_id)


@operation("order_columns")
def order_columns(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    if not op.get("parent"):
        raise EditError("order_columns needs the subform ('parent')", "调整列顺序需要指定子表单(parent)")
    fields = _fields(doc, op)
    ids = op.get("ids")
    current = [str(f.get("id")) for f in fields]
    if not isinstance(ids, list) or sorted(map(str, ids)) != sorted(current):
        raise EditError("'ids' must list every column of the subform once", "ids 必须列出子表单的每一列且各一次")
    by_id = {str(f.get("id")): f for f in fields}
    fields[:] = [by_id[str(i)] for i in ids]


# -- layout ---------------------------------------------------------------------------------------------------


@operation("set_layout")
def set_layout(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    if "layout" not in op:
        raise EditError("set_layout needs 'layout'", "set_layout 需要 layout")
    set_layout_items(doc, op["layout"], _top_ids(doc))



# -- helpers ---------------------------------------------------------------------------------------------------


def _fields(doc: CommentedMap, op: Mapping[str, Any]) -> CommentedSeq:
    """The field list an operation works on: the form's, or a subform's columns (`parent`)."""
    fields = doc.get("fields")
    if not isinstance(fields, CommentedSeq):
        raise EditError("this document has no fields", "该文档没有字段")
    parent = op.get("parent")
    if not parent:
        return fields
    index = _index(fields, parent)
    sub = fields[index] if index is not None else None
    if not isinstance(sub, CommentedMap) or not _holds_rows(sub.get("type")):
        raise EditError(f"the form has no subform '{str(parent)[:40]}'", f"表单中没有子表单“{str(parent)[:40]}”")
    if "fields" not in sub:
        columns = CommentedSeq()
        columns.fa.set_block_style()
        set_key(sub, "fields", columns, field_order())
        restyle(sub)
    columns = sub["fields"]
    if not isinstance(columns, CommentedSeq):
        raise EditError(f"'{parent}' has no columns", f"“{parent}”没有列")
    return columns


def _top_ids(doc: CommentedMap) -> set[str]:
    return {str(f.get("id")) for f in _top_fields(doc) if isinstance(f, Mapping)}


def _top_fields(doc: CommentedMap) -> list[Any]:
    fields = doc.get("fields")
    return list(fields) if isinstance(fields, list) else []


def _field(doc: CommentedMap, op: Mapping[str, Any]) -> CommentedMap:
    fields = _fields(doc, op)
    index = _index(fields, op.get("id"))
    if index is None:
        raise EditError(f"the form has no field '{str(op.get('id'))[:40]}'; reload the designer",
                        f"表单中没有字段“{str(op.get('id'))[:40]}”,请刷新设计器")
    node = fields[index]
    if not isinstance(node, CommentedMap):
        raise EditError("the field is not a map of properties", "该字段不是属性映射")
    return node


def _index(fields: Any, fid: Any) -> int | None:
    for index, node in enumerate(fields):
        if isinstance(node, Mapping) and node.get("id") == fid:
            return index
    return None


def _free_id(fields: Any, ftype: str, doc: CommentedMap) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", ftype.lower())[:30] or "field"
    number = 1
    while _index(fields, f"{base}_{number}") is not None or _used_elsewhere(doc, f"{base}_{number}"):
        number += 1
    return f"{base}_{number}"


def _used_elsewhere(doc: CommentedMap, fid: str) -> bool:
    return any(_index(f.get("fields") or [], fid) is not None for f in _top_fields(doc) if isinstance(f, Mapping))


def _replace_references(doc: CommentedMap, old: str, new: str | None) -> None:
    """Follow a renamed (new) or removed (None) field in the layout, search, title, numbering, rules' lists, the record
    header's status and key fields and the kanban board's settings."""
    follow_field(doc, old, new)
    if "layout" in doc:
        for rows in list(row_lists(doc["layout"])):
            for row in list(rows):
                if isinstance(row, list) and old in row:
                    if new is None:
                        row.remove(old)
                        if not row:
                            rows.remove(row)
                    else:
                        row[row.index(old)] = new
    if isinstance(doc.get("search"), list) and old in doc["search"]:
        _swap(doc["search"], old, new)
        if not doc["search"]:
            del doc["search"]
    if doc.get("title") == old:
        if new is None:
            del doc["title"]
        else:
            doc["title"] = new
    numbering = doc.get("numbering")
    for entry in numbering if isinstance(numbering, list) else [numbering] if numbering else []:
        if isinstance(entry, CommentedMap) and entry.get("field") == old:
            if new is None:
                if isinstance(numbering, list):
                    numbering.remove(entry)
                else:
                    del doc["numbering"]
            else:
                entry["field"] = new
    for rule in list(doc.get("rules") or []):
        for key in ("show", "require", "readonly", "fields"):
            ids = rule.get(key) if isinstance(rule, Mapping) else None
            if isinstance(ids, list) and old in ids:
                _swap(ids, old, new)
                if not ids and key != "fields":
                    doc["rules"].remove(rule)
                    break
                if not ids:
                    del rule[key]
    if "rules" in doc and not doc["rules"]:
        del doc["rules"]


def _swap(ids: list[Any], old: str, new: str | None) -> None:
    if new is None:
        ids.remove(old)
    else:
        ids[ids.index(old)] = new


def _known_type(ftype: Any) -> set[str]:
    """The keys a field of this type may have (EditError for an unknown type)."""
    from engine.fields.registry import field_type, type_names  # the registry loads every type module

    if not isinstance(ftype, str) or ftype not in type_names():
        raise EditError(f"unknown field type '{str(ftype)[:40]}'", f"未知的字段类型“{str(ftype)[:40]}”")
    common = {k for k, v in field_properties().items() if v is not True}
    return common | set(field_type(ftype).props_schema)


def _starter(ftype: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The type's starter properties the new field does not set itself, and a label if it has none."""
    from engine.fields.registry import field_type

    ftype_obj = field_type(ftype)
    label = {} if "label" in spec else {"label": dict(ftype_obj.label) if isinstance(ftype_obj.label, Mapping)
                                        else ftype_obj.label or ftype}
    return {**label, **{k: v for k, v in ftype_obj.starter().items() if k not in spec}}


def _add_form_starter(doc: CommentedMap, ftype: str, field_id: str) -> None:
    """Form-level keys the new field's type needs: a numbering entry is added to the form's numbering."""
    from engine.fields.registry import field_type

    for key, value in field_type(ftype).form_starter(field_id).items():
        if key == "numbering" and "numbering" in doc:
            current = doc["numbering"]
            if not isinstance(current, CommentedSeq):
                current = CommentedSeq([current])
                current.fa.set_block_style()
                doc["numbering"] = current
            current.append(styled(value))
        else:
            set_key(doc, key, value, DOCUMENT_KEYS["form"])


def _holds_rows(ftype: Any) -> bool:
    from engine.fields.registry import field_type, type_names

    return isinstance(ftype, str) and ftype in type_names() and field_type(ftype).holds_rows


def _known_key(key: Any) -> None:
    if key not in field_properties():
        raise EditError(f"no field has a property '{str(key)[:40]}'", f"字段没有属性“{str(key)[:40]}”")


