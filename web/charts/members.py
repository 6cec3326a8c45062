"""Reading a dataset's rows for charts: member labels in the viewer's language, colours, and drill-down keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset, Member, natural
from web.texts.charts import chart_text

OTHERS = "__others__"

# An option's colour is a name of the app palette (engine/definitions/palette.py), drawn in the shades app.css gives
# the option badges, not as the CSS colour of that name (pure blue, pure red); `cyan` is used by the CRM's options.
# A colour that is not a palette name (a hex code) is drawn as given.
SHADES = {"blue": "#2563eb", "green": "#16a34a", "orange": "#ea580c", "red": "#dc2626", "purple": "#9333ea",
          "teal": "#0d9488", "gray": "#4b5563", "gold": "#b45309", "cyan": "#0891b2"}


def member_label(member: Member, lang: str) -> str:
    """What a person reads for a dimension value; the "others" and "no value" members have their own words."""
    shown = text(member.label, lang)
    if shown:
        return shown
    if member.key == OTHERS:
        return chart_text("chart_others", lang)
    return chart_text("chart_no_value", lang) if member.key is None else str(member.key)


def keys_of(columns: Iterable[Column], row: list[Any], dataset: Dataset) -> dict[str, Any]:
    """The drill-down keys of a row for the given dimension columns: {dimension key: member key}."""
    return {c.key: row[dataset.column_index(c.key)].key for c in columns}


def distinct_members(dataset: Dataset, column: Column, in_order: bool = False) -> list[Member]:
    """The members of one dimension column, in the order their rows first come (the report's sort), or with
    `in_order` in their natural order (options as listed, dates in time, users by name: columns of a pivot, the
    series of a second dimension)."""
    index = dataset.column_index(column.key)
    seen: dict[Any, Member] = {}
    for row in dataset.rows:
        member = row[index]
        seen.setdefault(_hashable(member.key), member)
    return natural(list(seen.values())) if in_order else list(seen.values())


def member_id(member: Member) -> Any:
    """A member's key as a dict key (lists and dicts become tuples)."""
    return _hashable(member.key)


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in key.items()))
    return key


def shade(color: str | None) -> str | None:
    """The colour a chart draws an option's colour in."""
    return SHADES.get(color, color) if color else None


def item_style(color: str | None) -> dict[str, Any]:
    """The `itemStyle` of a data item or series with an option's colour (nothing when it has none)."""
    return {"itemStyle": {"color": shade(color)}} if color else {}
