"""Edit operations on a `dashboard` document (registered in edit_ops): its label and roles, its items (a report or
a text block; add, remove, move in the order they flow, place and size on the 12-column grid), its filter
components and its links. They only shape the YAML; the dashboard checks (engine/reports/dashboard_checks.py)
name what is wrong at its path while the draft is edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, operation
from engine.definitions.list_edits import (
    add_entry, change_entry, checked_id, entries, free_id, move_entry, new_entry, position, remove_entry, set_keys,
)
from engine.definitions.yamldoc import dump_document, plain, restyle, styled
from engine.reports.dashboard import GRID_COLUMNS
from engine.reports.dashboard_filters import component_types

DASHBOARD_KEYS = ("dashboard", "label", "description", "roles", "filters", "items", "links", "schedules")
ITEM_KEYS = ("report", "title", "text", "w", "h", "x", "y")
FILTER_KEYS = ("id", "type", "field", "label", "default", "apply")
LINK_KEYS = ("from", "to")
MAX_HEIGHT = 20
ITEM = ("item", "项目")
FILTER = ("filter component", "筛选组件")
LINK = ("link", "联动")


def new_dashboard_text(dashboard_id: str, label: Mapping[str, str]) -> str:
    """A new, empty dashboard, ready for the designer."""
    checked_id(dashboard_id, "dashboard")
    doc = styled({"dashboard": dashboard_id, "label": dict(label), "items": []}, order=DASHBOARD_KEYS)
    doc.fa.set_block_style()
    doc["items"].fa.set_flow_style()
    return dump_document(doc)


@operation("dashboard_set")
def dashboard_set(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """The label, description and roles (no roles: everyone who can open the app)."""
    set_keys(doc, op, ("label", "description", "roles"), DASHBOARD_KEYS, required=("label",))


@operation("dashboard_add_item")
def add_item(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    item = new_entry(op, "item", ITEM_KEYS)
    if ("report" in item) == ("text" in item):
        raise EditError("an item is a report or a text block", "项目须为报表或文本块之一")
    _check_text(item)
    item.setdefault("w", 6)
    item.setdefault("h", 3 if "report" in item else 1)
    _check_place(item)
    items = entries(doc, "items", DASHBOARD_KEYS, create=True)
    if not items:
        items.fa.set_block_style()
    add_entry(doc, "items", item, DASHBOARD_KEYS, ITEM_KEYS, op.get("at"))


@operation("dashboard_remove_item")
def remove_item(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "items", op, ITEM, keep_empty=True)


@operation("dashboard_move_item")
def move_item(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """Move an item in the order items flow; it flows from its new place (its x and y are dropped)."""
    to = move_entry(doc, "items", op, ITEM)
    node = doc["items"][to]
    if isinstance(node, CommentedMap):
        node.pop("x", None)
        node.pop("y", None)


@operation("dashboard_place_item")
def place_item(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """Set an item's x, y, w and h (those given; null drops x or y so the item flows)."""
    items = entries(doc, "items", DASHBOARD_KEYS)
    index = position(items, op.get("index"), ITEM)
    node = items[index]
    wanted = {k: op[k] for k in ("x", "y", "w", "h") if k in op}
    if not wanted:
        raise EditError("give x, y, w or h", "请给出 x、y、w 或 h")
    merged = {**plain(node), **{k: v for k, v in wanted.items() if v is not None}}
    for k in ("x", "y"):
        if k in wanted and wanted[k] is None:
            merged.pop(k, None)
    if merged.get("w") is None and "x" in merged:
        merged["w"] = 6
    _check_place(merged)
    change_entry(doc, "items", {"index": index, "set": {k: v for k, v in wanted.items() if v is not None},
                                "unset": [k for k, v in wanted.items() if v is None]},
                 ITEM_KEYS, ITEM_KEYS, ITEM)


@operation("dashboard_change_item")
def change_item(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """A text block's text and title, or an item's report."""
    changes, removed = op.get("set") or {}, op.get("unset") or []
    if not isinstance(changes, Mapping) or set(changes) - {"text", "title", "report"} or \
            not isinstance(removed, list) or set(map(str, removed)) - {"title"}:
        raise EditError("only the text, the title or the report of an item is changed here",
                        "此处只能修改项目的文本、标题或报表")
    items = entries(doc, "items", DASHBOARD_KEYS)
    current = plain(items[position(items, op.get("index"), ITEM)])
    _check_text({**(current if isinstance(current, dict) else {}), **changes})
    change_entry(doc, "items", op, ("text", "title", "report"), ITEM_KEYS, ITEM)


def _check_text(item: Mapping[str, Any]) -> None:
    """A text block's text and title are texts (a string, or zh and en); only a text block has a title."""
    for key in ("text", "title"):
        value = item.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            empty = not value.strip()
        elif isinstance(value, Mapping) and value and all(isinstance(v, str) for v in value.values()):
            empty = not any(v.strip() for v in value.values())
        else:
            raise EditError(f"the {key} must be text (zh and en)", f"{'文本' if key == 'text' else '标题'}须为文字(中文和英文)")
        if empty and key == "text":
            raise EditError("a text block needs some text", "文本块需要内容")
        if len(str(value)) > 4000:
            raise EditError(f"the {key} is too long (at most 4000 characters)", "内容过长(最多 4000 个字符)")
    if "title" in item and "report" in item:
        raise EditError("a title is for text blocks (a report shows its own name)", "标题只用于文本块(报表显示自己的名称)")


@operation("dashboard_add_filter")
def add_filter(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """A filter component {type, field, id?, label?, default?, apply?}; its id defaults to its field's."""
    component = new_entry(op, "filter", FILTER_KEYS)
    for key in ("type", "field"):
        if not isinstance(component.get(key), str) or not component[key]:
            raise EditError(f"a filter component needs a {key}", f"筛选组件需要 {key}")
    _check_component(component)
    taken = [str(plain(c).get("id")) for c in doc.get("filters") or [] if isinstance(c, Mapping)]
    if component.get("id") is None:
        component = {"id": free_id(taken, str(component["field"]).replace(".", "_")), **component}
    checked_id(component.get("id"), "filter")
    if component["id"] in taken:
        raise EditError(f"the dashboard already has a filter '{component['id']}'", f"看板中已有筛选“{component['id']}”")
    add_entry(doc, "filters", component, DASHBOARD_KEYS, FILTER_KEYS)
    restyle(doc["filters"][-1])


@operation("dashboard_change_filter")
def change_filter(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """A component's label, default, field, type or `apply` (report id → field, or false: not filtered)."""
    changes = op.get("set") or {}
    if isinstance(changes, Mapping):
        _check_component(changes)
    change_entry(doc, "filters", op, FILTER_KEYS, FILTER_KEYS, FILTER, required=("id", "type", "field"))


def _check_component(component: Mapping[str, Any]) -> None:
    """A known kind, a text default and an `apply` of report → field (or false)."""
    kind = component.get("type")
    if kind is not None and kind not in component_types():
        names = ", ".join(component_types())
        raise EditError(f"unknown filter kind '{str(kind)[:20]}' (there are {names})", f"未知的筛选类型“{str(kind)[:20]}”")
    default = component.get("default")
    if default is not None and (not isinstance(default, str) or len(default) > 100):
        raise EditError("a default value is a short text", "默认值须为简短文字")
    apply = component.get("apply")
    if apply is not None and (not isinstance(apply, Mapping) or
                              not all(isinstance(v, str) and v or v is False for v in apply.values())):
        raise EditError("'apply' maps report ids to a field, or to false for a report not filtered",
                        "apply 须把报表映射到字段,或映射为 false 表示不筛选该报表")


@operation("dashboard_remove_filter")
def remove_filter(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "filters", op, FILTER)


@operation("dashboard_add_link")
def add_link(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    link = new_entry(op, "link", LINK_KEYS)
    targets = link.get("to")
    if not isinstance(link.get("from"), str) or not isinstance(targets, list) or not targets \
            or not all(isinstance(t, str) for t in targets):
        raise EditError("a link goes from one report to a list of reports", "联动须从一个报表指向若干报表")
    add_entry(doc, "links", link, DASHBOARD_KEYS, LINK_KEYS)


@operation("dashboard_change_link")
def change_link(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    change_entry(doc, "links", op, LINK_KEYS, LINK_KEYS, LINK, required=("from", "to"))


@operation("dashboard_remove_link")
def remove_link(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "links", op, LINK)


def _check_place(item: Mapping[str, Any]) -> None:
    """The grid's bounds: 1 ≤ w ≤ 12, 1 ≤ h ≤ 20, 0 ≤ x with x + w ≤ 12, 0 ≤ y."""
    def whole(key: str, low: int, high: int) -> None:
        value = item.get(key)
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise EditError(f"'{key}' must be a whole number from {low} to {high}", f"{key} 须为 {low} 到 {high} 的整数")
    whole("w", 1, GRID_COLUMNS)
    whole("h", 1, MAX_HEIGHT)
    whole("x", 0, GRID_COLUMNS - 1)
    whole("y", 0, 200)
    x, w = item.get("x"), item.get("w")
    if isinstance(x, int) and isinstance(w, int) and x + w > GRID_COLUMNS:
        raise EditError(f"the item runs past the grid's {GRID_COLUMNS} columns", f"项目超出了网格的 {GRID_COLUMNS} 列")
