"""A renamed or removed field followed through the form settings that name fields for the screens around records:
the record header (`status:`, `key_fields:`) and the kanban board (`kanban: {by, card_fields, sum}`)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap


def follow_field(doc: CommentedMap, old: str, new: str | None) -> None:
    """Write `new` wherever the header or board settings name `old`; with None, drop the mention (a setting left
    naming nothing is removed, so the screen falls back to its default)."""
    if doc.get("status") == old:
        _put(doc, "status", new)
    _follow_list(doc, "key_fields", old, new)
    board = doc.get("kanban")
    if not isinstance(board, CommentedMap):
        return
    for key in ("by", "sum"):
        if board.get(key) == old:
            _put(board, key, new)
    _follow_list(board, "card_fields", old, new, keep_empty=True)  # []: the author wants cards with no fields
    if not board:
        del doc["kanban"]


def _put(node: CommentedMap, key: str, new: str | None) -> None:
    if new is None:
        del node[key]
    else:
        node[key] = new


def _follow_list(node: CommentedMap, key: str, old: str, new: str | None, keep_empty: bool = False) -> None:
    ids: Any = node.get(key)
    if not isinstance(ids, list) or old not in ids:
        return
    if new is None:
        ids.remove(old)
        if not ids and not keep_empty:
            del node[key]
    else:
        ids[ids.index(old)] = new
