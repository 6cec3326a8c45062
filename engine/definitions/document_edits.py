"""Edit operations on a form's rules and on the settings of a form or an app (registered in edit_ops)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, object_at, only_keys, operation
from engine.definitions.yamldoc import DOCUMENT_KEYS, RULE_KEYS, set_key, styled

# -- rules -----------------------------------------------------------------------------------------------------


@operation("add_rule")
def add_rule(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    rule = _rule(op)
    if "rules" not in doc:
        seq = CommentedSeq()
        seq.fa.set_block_style()
        set_key(doc, "rules", seq, DOCUMENT_KEYS["form"])
    doc["rules"].append(styled(rule, order=RULE_KEYS))


@operation("change_rule")
def change_rule(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    rules, index = _rule_at(doc, op.get("index"))
    rules[index] = styled(_rule(op), order=RULE_KEYS)


@operation("remove_rule")
def remove_rule(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    rules, index = _rule_at(doc, op.get("index"))
    del rules[index]
    if not rules:
        del doc["rules"]


@operation("move_rule")
def move_rule(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    rules, index = _rule_at(doc, op.get("index"))
    to = op.get("to")
    if not isinstance(to, int) or isinstance(to, bool) or not 0 <= to < len(rules):
        raise EditError(f"'to' must be a rule position from 0 to {len(rules) - 1}",
                        f"to 必须是 0 到 {len(rules) - 1} 之间的规则位置")
    rules.insert(to, rules.pop(index))


def _rule(op: Mapping[str, Any]) -> dict[str, Any]:
    rule = object_at(op, "rule")
    only_keys(rule, RULE_KEYS, "rule")
    kinds = [k for k in ("show", "require", "readonly", "check") if k in rule]
    if len(kinds) != 1:
        raise EditError("a rule is one of show, require, read-only or check", "规则必须是显示、必填、只读或校验之一")
    return dict(rule)


def _rule_at(doc: CommentedMap, index: Any) -> tuple[CommentedSeq, int]:
    rules = doc.get("rules")
    if not isinstance(rules, CommentedSeq):
        rules = CommentedSeq()
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(rules):
        raise EditError("no rule at that position; reload the designer", "该位置没有规则,请刷新设计器")
    return rules, index


# -- the form and the app --------------------------------------------------------------------------------------

FORM_SETTINGS = ("label", "description", "title", "status", "key_fields", "numbering", "search", "public")
APP_SETTINGS = ("label", "description", "icon", "color", "admins", "forms")


@operation("set_form")
def set_form(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    _settings(doc, op, FORM_SETTINGS, DOCUMENT_KEYS["form"], required=("label",))


@operation("set_app")
def set_app(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    _settings(doc, op, APP_SETTINGS, DOCUMENT_KEYS["app"], required=("label",))


def _settings(doc: CommentedMap, op: Mapping[str, Any], allowed: tuple[str, ...], order: tuple[str, ...],
              required: tuple[str, ...]) -> None:
    changes, removed = op.get("set") or {}, op.get("unset") or []
    if not isinstance(changes, Mapping) or not isinstance(removed, list):
        raise EditError("'set' must be an object and 'unset' a list of keys", "set 必须是对象,unset 必须是键的列表")
    for key in [*changes, *removed]:
        if key not in allowed:
            raise EditError(f"'{str(key)[:40]}' cannot be set here", f"此处不能设置“{str(key)[:40]}”")
    for key in removed:
        if key in required:
            raise EditError(f"'{key}' cannot be removed", f"“{key}”不能删除")
        doc.pop(key, None)
    for key, value in changes.items():
        if value is None or value == [] and key != "forms":
            doc.pop(key, None)
        else:
            set_key(doc, key, value, order)
