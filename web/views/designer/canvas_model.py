"""What the form canvas shows, built from a draft's plain document: the palette of field types in groups, and the
layout as rows, sections and tab strips of field cards (unplaced fields after it), each card with its problems.

Pure: no request, no database. The canvas script reads the layout back from the DOM these shapes render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.fields.base import FieldType
from engine.fields.registry import field_type, type_names
from engine.i18n import DEFAULT_LANGUAGE, I18n, text

MAX_ROW = 4  # the designer puts at most this many fields in a row (the schema allows more)

# The palette's groups, in order; a registered type missing here (a plugin's) shows under "other".
PALETTE_GROUPS: dict[str, tuple[str, ...]] = {
    "basic": ("text", "textarea", "rich_text", "email", "phone", "url"),
    "choice": ("select", "radio", "multi_select", "checkbox", "tags", "boolean"),
    "number_date": ("number", "integer", "money", "percent", "rating", "date", "datetime", "time", "formula",
                    "serial"),
    "people_relations": ("user", "users", "department", "departments", "relation", "relation_many", "lookup",
                         "rollup", "subform"),
    "media": ("file", "image", "signature", "address", "location"),
    "layout": ("description", "divider"),
    "system": ("created_by", "created_at", "updated_by", "updated_at", "flow_node", "flow_assignees"),
}
# A type's icon: a glyph every CJK and Latin font draws; a type missing here gets DEFAULT_ICON.
ICONS: dict[str, str] = {
    "text": "T", "textarea": "¶", "rich_text": "Aa", "email": "@", "phone": "☎", "url": "//",
    "select": "▾", "radio": "◉", "multi_select": "☰", "checkbox": "☑", "tags": "◇", "boolean": "✓",
    "number": "#", "integer": "1", "money": "¥", "percent": "%", "rating": "★", "date": "▦", "datetime": "◷",
    "time": "◔", "formula": "ƒ", "serial": "№", "user": "☺", "users": "☻", "department": "⌂",
    "departments": "⌂⌂", "relation": "⇄", "relation_many": "⇉", "lookup": "⌕", "rollup": "Σ", "subform": "▤",
    "file": "⊡", "image": "▣", "signature": "✎", "address": "◎", "location": "⊕", "description": "ℹ",
    "divider": "—", "created_by": "☺", "created_at": "◷", "updated_by": "☺", "updated_at": "◷",
    "flow_node": "⇢", "flow_assignees": "☻",
}
DEFAULT_ICON = "◆"


@dataclass(frozen=True)
class PaletteItem:
    """A field type the palette offers."""

    name: str
    label: I18n
    icon: str


@dataclass(frozen=True)
class PaletteGroup:
    """A titled group of palette items (`key` picks its title text)."""

    key: str
    items: tuple[PaletteItem, ...]


def palette() -> list[PaletteGroup]:
    """Every registered field type, grouped as PALETTE_GROUPS says (the rest under "other")."""
    names = type_names()
    grouped = {n for members in PALETTE_GROUPS.values() for n in members}
    groups = [(key, [n for n in members if n in names]) for key, members in PALETTE_GROUPS.items()]
    groups.append(("other", [n for n in names if n not in grouped]))
    return [PaletteGroup(key, tuple(_item(n) for n in members)) for key, members in groups if members]


def _item(name: str) -> PaletteItem:
    return PaletteItem(name, field_type(name).label, ICONS.get(name, DEFAULT_ICON))


def new_field(type_name: str) -> dict[str, Any] | None:
    """The field a palette drop adds (the engine labels it with its type's name and gives it the type's starter
    properties), or None for an unregistered type."""
    return {"type": type_name} if type_name in type_names() else None


@dataclass(frozen=True)
class Card:
    """A field on the canvas."""

    id: str
    type: str
    label: I18n
    type_label: I18n
    icon: str
    required: bool
    problems: tuple[str, ...] = ()


@dataclass
class Row:
    """Fields side by side."""

    cards: list[Card]
    kind: str = "row"


@dataclass
class Box:
    """A section (rows) or a tab (rows and sections); `title` is the document's label as written."""

    kind: str  # section | tab
    title: Any
    items: list[Row | Box] = field(default_factory=list)


@dataclass
class Strip:
    """Consecutive tabs, shown as one tab strip."""

    tabs: list[Box]
    kind: str = "tabs"


@dataclass
class Canvas:
    """The whole canvas: the layout, the unplaced fields, and problems not at any one field."""

    items: list[Row | Box | Strip]
    unplaced: list[Card]
    form_problems: list[str]
    targets: list[tuple[str, Any]]  # where a card may be moved by keyboard: (path, title) of each box

    @property
    def empty(self) -> bool:
        return not self.items and not self.unplaced


def build_canvas(doc: Mapping[str, Any], problems: Iterable[Any] = (), lang: str = DEFAULT_LANGUAGE) -> Canvas:
    """The canvas of a plain form document; `problems` are DraftProblems (their `field` and `message`), shown in
    `lang`."""
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for p in problems:
        (by_field.setdefault(p.field, []) if getattr(p, "field", None) else rest).append(text(p.message, lang))

    fields = [f for f in _list(doc.get("fields")) if isinstance(f, Mapping) and isinstance(f.get("id"), str)]
    cards = {str(f["id"]): _card(f, by_field.get(str(f["id"]), ())) for f in fields}
    placed: set[str] = set()
    items = _items(_list(doc.get("layout")), cards, placed, top=True)
    unplaced = [c for fid, c in cards.items() if fid not in placed]
    rest.extend(m for fid, ms in by_field.items() if fid not in cards for m in ms)
    return Canvas(items, unplaced, rest, _targets(items))


def _card(f: Mapping[str, Any], problems: Sequence[str]) -> Card:
    name = str(f.get("type", ""))
    kind = _type_or_none(name)
    return Card(str(f["id"]), name, f.get("label") or str(f["id"]), kind.label if kind else name,
                ICONS.get(name, DEFAULT_ICON), bool(f.get("required")), tuple(problems))


def _type_or_none(name: str) -> FieldType | None:
    return field_type(name) if name in type_names() else None


def _items(layout: list[Any], cards: Mapping[str, Card], placed: set[str], *, top: bool) -> list[Any]:
    """Rows, sections and (at the top or in nothing else) tab strips; ids already placed or unknown are skipped."""
    items: list[Any] = []
    for item in layout:
        if isinstance(item, Mapping) and "tab" in item:
            tab = Box("tab", item.get("tab"), _items(_list(item.get("layout")), cards, placed, top=False))
            if items and isinstance(items[-1], Strip):
                items[-1].tabs.append(tab)
            else:
                items.append(Strip([tab]))
        elif isinstance(item, Mapping) and "section" in item:
            rows = [r for r in (_row(x, cards, placed) for x in _list(item.get("rows"))) if r.cards]
            items.append(Box("section", item.get("section"), list(rows)))
        else:
            row = _row(item, cards, placed)
            if row.cards:
                items.append(row)
    return items


def _row(item: Any, cards: Mapping[str, Card], placed: set[str]) -> Row:
    ids = [str(x) for x in (item if isinstance(item, list) else [item]) if str(x) in cards and str(x) not in placed]
    placed.update(ids)
    return Row([cards[i] for i in ids])


def _targets(items: list[Any]) -> list[tuple[str, Any]]:
    """The boxes a card may be moved into, as (path, title): "body" (no title), then "<i>" (a section),
    "<i>.<j>" (tab j of strip i) and "<i>.<j>.<k>" (a section in a tab), indexes in their containers."""
    found: list[tuple[str, Any]] = [("body", None)]
    for i, item in enumerate(items):
        if isinstance(item, Box):
            found.append((f"{i}", item.title))
        elif isinstance(item, Strip):
            for j, tab in enumerate(item.tabs):
                found.append((f"{i}.{j}", tab.title))
                found.extend((f"{i}.{j}.{k}", sub.title) for k, sub in enumerate(tab.items) if isinstance(sub, Box))
    return found


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []
