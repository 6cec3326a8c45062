"""Edits of a document's list of small maps (a report's dimensions and measures, a dashboard's items, filters and
links): add, change, remove and move one entry, and set or unset top-level keys; shared by report_edits.py and
dashboard_edits.py. Each writes in the house style and touches only the entry it is about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import object_at, only_keys, valid_id
from engine.definitions.yamldoc import FIELD_FLOW_WIDTH, plain, restyle, set_key, styled

FILTER_ORDER = ("field", "op", "value")  # a list filter as a person writes it


def entries(doc: CommentedMap, key: str, order: Sequence[str], create: bool = False) -> CommentedSeq:
    """The list under `key` (an empty one created at its place when `create`)."""
    found = doc.get(key)
    if isinstance(found, CommentedSeq):
        return found
    seq = CommentedSeq()
    seq.fa.set_block_style()
    if create:
        set_key(doc, key, seq, order)
    return seq


def position(seq: Sequence[Any], value: Any, what: tuple[str, str]) -> int:
    """A posted index of an entry of `seq` (EditError naming `what` when there is no such entry)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(seq):
        raise EditError(f"no {what[0]} at that position; reload the designer", f"该位置没有{what[1]},请刷新设计器")
    return value


def free_id(taken: Sequence[str], wanted: str) -> str:
    """`wanted` (cut to a valid id), or `wanted_2`, `wanted_3`… when it is taken."""
    base = (wanted.replace(".", "_") or "item")[:36]
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def ids_of(seq: Sequence[Any]) -> list[str]:
    return [str(plain(e).get("id")) for e in seq if isinstance(e, Mapping) and e.get("id") is not None]


def add_entry(doc: CommentedMap, key: str, entry: Mapping[str, Any], doc_order: Sequence[str],
              entry_order: Sequence[str], at: Any = None) -> int:
    """Append (or insert at `at`) a new entry; its index."""
    seq = entries(doc, key, doc_order, create=True)
    node = styled({k: styled_list(v, FILTER_ORDER) if k == "filter" else v for k, v in entry.items()},
                  order=entry_order, width=FIELD_FLOW_WIDTH)
    index = len(seq) if at is None else _insert_at(seq, at)
    seq.insert(index, node)
    return index


def _insert_at(seq: Sequence[Any], at: Any) -> int:
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(seq):
        raise EditError(f"'at' must be a position from 0 to {len(seq)}", f"at 必须是 0 到 {len(seq)} 之间的位置")
    return at


def change_entry(doc: CommentedMap, key: str, op: Mapping[str, Any], allowed: Sequence[str],
                 entry_order: Sequence[str], what: tuple[str, str], required: Sequence[str] = ()) -> CommentedMap:
    """Set (`set`) and remove (`unset`) keys of the entry at `index`; the changed entry."""
    seq = entries(doc, key, ())
    index = position(seq, op.get("index"), what)
    node = seq[index]
    if not isinstance(node, CommentedMap):
        raise EditError(f"the {what[0]} at that position is not a map", f"该位置的{what[1]}不是映射")
    changes, removed = op.get("set") or {}, op.get("unset") or []
    if not isinstance(changes, Mapping) or not isinstance(removed, list):
        raise EditError("'set' must be an object and 'unset' a list of keys", "set 必须是对象,unset 必须是键的列表")
    only_keys(changes, tuple(allowed), what[0])
    only_keys({str(k): None for k in removed}, tuple(allowed), what[0])
    for name in removed:
        if name in required:
            raise EditError(f"'{name}' cannot be removed", f"“{name}”不能删除")
        node.pop(name, None)
    for name, value in changes.items():
        if value is None:
            node.pop(name, None)
        else:
            set_key(node, name, styled_list(value, FILTER_ORDER) if name == "filter" else value, entry_order)
    restyle(node)
    return node


def remove_entry(doc: CommentedMap, key: str, op: Mapping[str, Any], what: tuple[str, str],
                 keep_empty: bool = False) -> dict[str, Any]:
    """Remove the entry at `index` (the list itself when it is left empty); the entry removed, as plain data."""
    seq = entries(doc, key, ())
    index = position(seq, op.get("index"), what)
    gone = plain(seq.pop(index))
    if not seq and not keep_empty:
        doc.pop(key, None)
    return gone if isinstance(gone, dict) else {}


def move_entry(doc: CommentedMap, key: str, op: Mapping[str, Any], what: tuple[str, str]) -> int:
    """Move the entry at `index` to `to`; the new index."""
    seq = entries(doc, key, ())
    index = position(seq, op.get("index"), what)
    to = op.get("to")
    if not isinstance(to, int) or isinstance(to, bool) or not 0 <= to < len(seq):
        raise EditError(f"'to' must be a position from 0 to {len(seq) - 1}", f"to 必须是 0 到 {len(seq) - 1} 之间的位置")
    seq.insert(to, seq.pop(index))
    return to


def new_entry(op: Mapping[str, Any], key: str, allowed: Sequence[str]) -> dict[str, Any]:
    """The posted entry (`op[key]`, an object of known keys)."""
    value = object_at(op, key)
    only_keys(value, tuple(allowed), key)
    return {k: v for k, v in value.items() if v is not None}


def styled_list(value: Any, order: Sequence[str]) -> Any:
    """A list of maps in block style, each map styled with its keys in `order` (anything else: as `styled`)."""
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        return value
    seq = CommentedSeq(styled(dict(v), order=order) for v in value)
    seq.fa.set_block_style()
    return seq


def set_keys(doc: CommentedMap, op: Mapping[str, Any], allowed: Sequence[str], order: Sequence[str],
             required: Sequence[str] = (), item_orders: Mapping[str, Sequence[str]] | None = None) -> None:
    """`set` some top-level keys (None or [] removes one) and `unset` others; the maps of a list under a key of
    `item_orders` get their keys in that order."""
    changes, removed = op.get("set") or {}, op.get("unset") or []
    if not isinstance(changes, Mapping) or not isinstance(removed, list):
        raise EditError("'set' must be an object and 'unset' a list of keys", "set 必须是对象,unset 必须是键的列表")
    for name in [*changes, *removed]:
        if name not in allowed:
            raise EditError(f"'{str(name)[:40]}' cannot be set here", f"此处不能设置“{str(name)[:40]}”")
    for name in removed:
        if name in required:
            raise EditError(f"'{name}' cannot be removed", f"“{name}”不能删除")
        doc.pop(name, None)
    for name, value in changes.items():
        if value is None or value == []:
            if name in required:
                raise EditError(f"'{name}' cannot be removed", f"“{name}”不能删除")
            doc.pop(name, None)
        elif plain(doc.get(name)) != value:
            set_key(doc, name, styled_list(value, (item_orders or {}).get(name, ())) if name in (item_orders or {})
                    else value, order)


def checked_id(value: Any, what: str) -> str:
    valid_id(value, what)
    return str(value)
