"""Layout edits: rows of up to four fields, sections and tabs, checked and written reusing unchanged nodes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.edit_error import EditError
from engine.definitions.yamldoc import DOCUMENT_KEYS, plain, set_key, styled

ROW_MAX = 4  # the designer's rows; hand-written rows may hold up to six (the schema's bound)
NEW = "__new__"


def set_layout_items(doc: CommentedMap, layout: Any, known: set[str]) -> None:
    """Replace the form's layout (validated against the form's field ids `known`); unchanged items keep their nodes."""
    placed: set[str] = set()
    items = _layout_items(layout, known, placed, "layout", tabs=True)
    old = doc.get("layout") or []
    reused = {repr(plain(node)): node for node in _walk_nodes(old)}
    new = CommentedSeq(_reuse(item, reused) for item in items)
    new.fa.set_block_style()
    if not new:
        doc.pop("layout", None)
    else:
        set_key(doc, "layout", new, DOCUMENT_KEYS["form"])


def _layout_items(items: Any, known: set[str], placed: set[str], where: str, *, tabs: bool) -> list[Any]:
    if not isinstance(items, list):
        raise EditError(f"{where} must be a list", f"{where} 必须是列表")
    out: list[Any] = []
    for index, item in enumerate(items):
        at = f"{where}/{index}"
        if isinstance(item, list):
            out.append(_row(item, known, placed, at))
        elif isinstance(item, Mapping) and "section" in item:
            _only_keys(item, ("section", "rows"), at)
            rows = item.get("rows") or []
            if not isinstance(rows, list):
                raise EditError(f"{at}: the rows of a section must be a list", f"{at}:分区的行必须是列表")
            out.append({"section": _text(item["section"], at), "rows": [_row(r, known, placed, f"{at}/rows/{i}")
                                                                      for i, r in enumerate(rows)]})
        elif isinstance(item, Mapping) and "tab" in item and tabs:
            _only_keys(item, ("tab", "layout"), at)
            out.append({"tab": _text(item["tab"], at),
                        "layout": _layout_items(item.get("layout") or [], known, placed, f"{at}/layout", tabs=False)})
        else:
            raise EditError(f"{at}: a layout item is a row, a section or a tab", f"{at}:布局项必须是行、分区或标签页")
    return out


def _row(row: Any, known: set[str], placed: set[str], at: str) -> list[str]:
    if not isinstance(row, list) or not 1 <= len(row) <= 6 or not all(isinstance(i, str) for i in row):
        raise EditError(f"{at}: a row holds 1 to {ROW_MAX} field ids", f"{at}:一行放 1 到 {ROW_MAX} 个字段")
    for fid in row:
        if fid not in known:
            raise EditError(f"{at}: the form has no field '{fid[:40]}'", f"{at}:表单中没有字段“{fid[:40]}”")
        if fid in placed:
            raise EditError(f"{at}: the field '{fid}' is placed twice", f"{at}:字段“{fid}”被放置了两次")
        placed.add(fid)
    return list(row)


def _reuse(item: Any, reused: Mapping[str, Any]) -> Any:
    """The existing node of an unchanged layout item (its comments and style kept), else a new styled one."""
    found = reused.get(repr(item))
    if found is not None:
        return found
    if isinstance(item, Mapping) and "tab" in item:
        node = CommentedMap([("tab", styled(item["tab"])),
                             ("layout", CommentedSeq(_reuse(i, reused) for i in item["layout"]))])
        node["layout"].fa.set_block_style()
        return node
    return styled(item, order=("section", "rows"))


def _walk_nodes(items: Any) -> Iterator[Any]:
    for item in items:
        yield item
        if isinstance(item, Mapping) and "layout" in item:
            yield from _walk_nodes(item["layout"])


def place_after(layout: CommentedSeq, original: str, new_id: str) -> None:
    """Put a copied field next to its original: in the same row when it has room, else in a new row below."""
    for rows in row_lists(layout):
        for index, row in enumerate(rows):
            if isinstance(row, list) and original in row:
                if len(row) < ROW_MAX:
                    row.insert(row.index(original) + 1, new_id)
                else:
                    rows.insert(index + 1, styled([new_id]))
                return


def row_lists(layout: Any) -> Iterator[Any]:
    """Every list that holds rows: the layout, each section's rows, each tab's layout (and its sections)."""
    yield layout
    for item in layout:
        if isinstance(item, Mapping) and "rows" in item:
            yield item["rows"]
        elif isinstance(item, Mapping) and "layout" in item:
            yield from row_lists(item["layout"])


def replace_new(layout: Any, new_id: str) -> Any:
    if isinstance(layout, list):
        return [replace_new(v, new_id) for v in layout]
    if isinstance(layout, Mapping):
        return {k: replace_new(v, new_id) for k, v in layout.items()}
    return new_id if layout == NEW else layout


def _only_keys(value: Mapping[str, Any], allowed: tuple[str, ...], at: str) -> None:
    for key in value:
        if key not in allowed:
            raise EditError(f"{at}: unknown key '{str(key)[:40]}'", f"{at}:未知的键“{str(key)[:40]}”")


def _text(value: Any, at: str) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, Mapping) and value and all(k in ("zh", "en") and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise EditError(f"{at}: a title is a text or {{zh, en}}", f"{at}:标题必须是文本或 {{zh, en}}")
