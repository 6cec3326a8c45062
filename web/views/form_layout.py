"""What a page draws of a form's layout: sections of rows of fields, and tab strips whose tabs hold such sections.

The form, the record page and a workflow task walk the same blocks (templates/_layout.html draws the strips);
each page says which fields it shows, and rows, sections, tabs and strips left without a field are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.definitions.model import FieldDef, FormDef, LayoutRow, LayoutSection, LayoutTab, layout_cells
from engine.fields.registry import field_type
from engine.i18n import I18n


@dataclass
class Section:
    """A group of rows, titled or not."""

    title: I18n | None
    rows: list[list[FieldDef]] = field(default_factory=list)
    kind: ClassVar[str] = "section"


@dataclass
class Tab:
    """One tab of a strip: its title and sections; `key` makes its element ids."""

    key: str
    title: I18n
    sections: list[Section]

    @property
    def field_ids(self) -> frozenset[str]:
        return frozenset(f.id for s in self.sections for row in s.rows for f in row)

    def has_error(self, errors: Mapping[str, Any]) -> bool:
        """Whether an error is about one of the tab's fields (or a cell of one of its subforms: `items[0].price`)."""
        ids = self.field_ids
        return any(error_field(path) in ids for path, found in errors.items() if found)

    def hidden_by(self, hidden: Collection[str]) -> bool:
        """Whether rules hide every field of the tab (then its button is hidden too)."""
        ids = self.field_ids
        return bool(ids) and ids <= frozenset(hidden)


@dataclass
class TabStrip:
    """Consecutive tabs of a layout; `key` makes the element ids of the strip."""

    key: str
    tabs: list[Tab] = field(default_factory=list)
    kind: ClassVar[str] = "tabs"

    def opened(self, errors: Mapping[str, Any], hidden: Collection[str] = ()) -> Tab:
        """The tab shown first: the first holding a field with an error, else the first rules do not hide."""
        return next((t for t in self.tabs if t.has_error(errors)), None) \
            or next((t for t in self.tabs if not t.hidden_by(hidden)), self.tabs[0])


Block = Section | TabStrip


def error_field(path: str) -> str:
    """The top-level field an error path is about: `items[0].price` → `items`."""
    return path.split("[", 1)[0].split(".", 1)[0]


def form_layout(form: FormDef, shown: Callable[[FieldDef], bool] = lambda f: True) -> list[Block]:
    """The form's layout as blocks of the fields `shown` keeps; the fields the layout does not place come last, one
    per row (those that only structure a layout, like a divider, are left out there)."""

    def fields(names: Iterable[str]) -> list[FieldDef]:
        return [f for f in (form.field(n) for n in names) if f is not None and shown(f)]

    def add(sections: list[Any], item: LayoutRow | LayoutSection) -> None:
        if isinstance(item, LayoutSection):
            sections.append(Section(item.label, [fields(r) for r in item.rows]))
            return
        if not sections or not isinstance(sections[-1], Section) or sections[-1].title is not None:
            sections.append(Section(None))
        sections[-1].rows.append(fields(item))

    blocks: list[Any] = []
    for item in form.layout:
        if isinstance(item, LayoutTab):
            if not blocks or not isinstance(blocks[-1], TabStrip):
                blocks.append(TabStrip(str(len(blocks))))
            strip = blocks[-1]
            sections: list[Section] = []
            for inner in item.layout:
                add(sections, inner)
            strip.tabs.append(Tab(f"{strip.key}-{len(strip.tabs)}", item.label, sections))
        else:
            add(blocks, item)
    placed = {name for _, name in layout_cells(form.layout)}
    rest = [[f] for f in form.fields if f.id not in placed and _unplaced_shown(f) and shown(f)]
    if rest:
        blocks.append(Section(None, rest))
    return _pruned(blocks)


def _pruned(blocks: Sequence[Block]) -> list[Block]:
    """Without empty rows, and without the sections, tabs and strips that are left empty."""
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, TabStrip):
            tabs = [Tab(t.key, t.title, _sections(t.sections)) for t in block.tabs]
            tabs = [t for t in tabs if t.sections]
            if tabs:
                kept.append(TabStrip(block.key, tabs))
        else:
            kept.extend(_sections([block]))
    return kept


def _sections(sections: Iterable[Section]) -> list[Section]:
    out = [Section(s.title, [row for row in s.rows if row]) for s in sections]
    return [s for s in out if s.rows]


def _unplaced_shown(f: FieldDef) -> bool:
    """A field the layout does not place still shows below it, unless it only structures a layout (a divider)."""
    ftype = field_type(f.type)
    return not ftype.layout_only or ftype.shows_itself
