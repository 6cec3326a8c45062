"""Layout edits: rows of up to four fields, sections and tabs, checked and written reusing unchanged nodes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.edit_error import EditError
from engine.definitions.yamldoc import DOCUMENT_KEYS, FLOW_WIDTH, flow_text, plain, set_key, styled

ROW_MAX = 4  # the designer's rows; hand-written rows may hold up to six (the schema's bound)
NEW = "__new__"


def set_layout_items(doc: CommentedMap, layout: Any, known: set[str]) -> None:
    """Replace the form's layout (validated against the form's field ids `known`). The change touches only what
    changed: unchanged rows, sections and tabs keep their nodes, and every list keeps the style it was written in."""
    placed: set[str] = set()
    items = _layout_items(layout, known, placed, "layout", tabs=True)
    old = doc.get("layout")
    if not items:
        doc.pop("layout", None)
        return
    if plain(old) == items:
        return
    used: set[int] = set()
    rows = {repr(plain(node)): node for node in _walk_rows(old or [])}
    new = _merged(old if isinstance(old, CommentedSeq) else None, items, rows, used, block=True)
    set_key(doc, "layout", new, DOCUMENT_KEYS["form"])


def _merged(old: CommentedSeq | None, items: list[Any], rows: Mapping[str, Any], used: set[int],
            *, block: bool) -> CommentedSeq:
    """A list of layout items in the style of the list it replaces (`block` when there was none); rows reuse
    their old nodes, sections and tabs reuse the old node of the same title with their rows merged in turn."""
    olds = [node for node in (old or []) if isinstance(node, CommentedMap)]
    seq = CommentedSeq(_item(item, olds, rows, used) for item in items)
    grew = len(flow_text(seq)) > FLOW_WIDTH >= len(flow_text(old))
    same_kind = all(isinstance(i, list) for i in items) or any(isinstance(o, Mapping) for o in (old or []))
    if old is not None and old.fa.flow_style() and same_kind and not grew:
        seq.fa.set_flow_style()
    elif old is not None or block:
        seq.fa.set_block_style()
    else:
        return _restyled(seq, items)
    if old is not None:
        _keep_comments(old, seq)
    return seq


def _item(item: Any, olds: list[CommentedMap], rows: Mapping[str, Any], used: set[int]) -> Any:
    if isinstance(item, list):
        node = rows.get(repr(item))
        if node is not None and id(node) not in used:
            used.add(id(node))
            return node
        return styled(item)
    kind, inner = ("section", "rows") if "section" in item else ("tab", "layout")
    same = [n for n in olds if id(n) not in used and kind in n and inner in n]
    match = next((n for n in same if plain(n[kind]) == item[kind]), None)
    if match is None:
        match = next((n for n in same if plain(n[inner]) == item[inner]), None)
    if match is None:
        inner_seq = _merged(None, item[inner], rows, used, block=kind == "tab")
        return styled({kind: item[kind], inner: inner_seq}, order=(kind, inner))
    used.add(id(match))
    if plain(match[kind]) != item[kind]:
        match[kind] = styled(item[kind])
    if plain(match[inner]) != item[inner]:
        old_inner = match[inner] if isinstance(match[inner], CommentedSeq) else None
        match[inner] = _merged(old_inner, item[inner], rows, used, block=kind == "tab")
    return match


def _restyled(seq: CommentedSeq, items: list[Any]) -> CommentedSeq:
    """A new list of rows in the house style: on one line when short, else one row a line."""
    if len(flow_text(items)) <= FLOW_WIDTH and all(isinstance(i, list) for i in items):
        seq.fa.set_flow_style()
    else:
        seq.fa.set_block_style()
    return seq


def _keep_comments(old: CommentedSeq, new: CommentedSeq) -> None:
    """The comment on an item's line stays with that item, wherever it moved."""
    comments = getattr(old, "ca", None)
    if comments is None or not comments.items:
        return
    at = {id(node): index for index, node in enumerate(old)}
    for index, node in enumerate(new):
        was = at.get(id(node))
        if was is not None and was in comments.items:
            new.ca.items[index] = comments.items[was]


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


def _walk_rows(items: Any) -> Iterator[Any]:
    """Every row node of a layout, in sections and tabs too."""
    for item in items:
        if isinstance(item, list):
            yield item
        elif isinstance(item, Mapping) and isinstance(item.get("rows"), list):
            yield from (row for row in item["rows"] if isinstance(row, list))
        elif isinstance(item, Mapping) and isinstance(item.get("layout"), list):
            yield from _walk_rows(item["layout"])


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
