"""The default print layout of a form as data: titled sections of rows of fields, in the form's layout order, with
tabs printed one after the other (a tab's title heads its sections) and the fields the layout does not place last.

Pure: the caller says which fields are hidden (by the viewer's field access and by the record's show rules)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from engine.definitions.model import FieldDef, FormDef, LayoutRow, LayoutSection, LayoutTab, layout_cells
from engine.fields.registry import field_type
from engine.i18n import I18n


@dataclass(frozen=True)
class PrintSection:
    """A group of rows on paper; `title` heads it (a layout section's or a tab's), None for the untitled rows."""

    title: I18n | None
    rows: tuple[tuple[FieldDef, ...], ...]

    def fields(self) -> list[FieldDef]:
        """The section's fields in reading order."""
        return [f for row in self.rows for f in row]


def print_sections(form: FormDef, hidden: Collection[str]) -> list[PrintSection]:
    """The form's layout as printed, without the `hidden` fields; sections left without a field are dropped."""
    sections: list[tuple[I18n | None, list[tuple[FieldDef, ...]]]] = []

    def add(title: I18n | None, rows: Iterable[LayoutRow]) -> None:
        kept = [r for r in (_row(form, row, hidden) for row in rows) if r]
        if not kept:
            return
        if title is None and sections and sections[-1][0] is None:
            sections[-1][1].extend(kept)
        else:
            sections.append((title, kept))

    for item in form.layout:
        if isinstance(item, LayoutTab):
            for index, inner in enumerate(item.layout):
                _add_item(add, inner, item.label if index == 0 else None)
        else:
            _add_item(add, item, None)
    placed = {name for _, name in layout_cells(form.layout)}
    add(None, [(f.id,) for f in form.fields if f.id not in placed and _printed(f)])
    return [PrintSection(title, tuple(rows)) for title, rows in sections]


def _add_item(add: Callable[[I18n | None, Iterable[LayoutRow]], None], item: LayoutRow | LayoutSection,
              title: I18n | None) -> None:
    if isinstance(item, LayoutSection):
        add(item.label, item.rows)
    else:
        add(title, [item])


def _row(form: FormDef, names: LayoutRow, hidden: Collection[str]) -> tuple[FieldDef, ...]:
    fields = (form.field(n) for n in names)
    return tuple(f for f in fields if f is not None and f.id not in hidden and _printed(f))


def _printed(f: FieldDef) -> bool:
    """A field that only structures the screen (a divider) prints nothing; description text and values do."""
    ftype = field_type(f.type)
    return not ftype.layout_only or ftype.shows_itself
