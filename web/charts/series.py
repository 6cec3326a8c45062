"""A dataset as categories and series, the shape of every axis chart (bar, line, area, radar, dual axis).

The first dimension gives the categories, in row order. With a second dimension, each of its members is a series
of the first measure (a stacked column per stage, a line per owner); otherwise each measure is a series."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset, Member
from web.charts.members import distinct_members, item_style, keys_of, member_id, member_label, shade
from web.charts.numbers import format_value, plain


@dataclass
class Series:
    name: str
    measure: Column
    color: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)


def data_item(dataset: Dataset, row: list[Any] | None, measure: Column, keys: dict[str, Any], lang: str,
              currency: str, color: str | None = None) -> dict[str, Any]:
    """One data point: its number, its text as people read it, the drill-down keys (none for a formula measure: no
    single set of records is behind it, so the point is not clickable), and its colour if any."""
    value = None if row is None else row[dataset.column_index(measure.key)]
    return {"value": plain(value), "text": format_value(measure, value, lang, currency),
            **({"keys": keys} if measure.drillable else {}), "measure": measure.key, **item_style(color)}


def not_clickable(measure: Column) -> dict[str, Any]:
    """What a series of a formula measure adds so its points do not look clickable (ECharts' default: a hand)."""
    return {} if measure.drillable else {"cursor": "default"}


def chosen_measures(dataset: Dataset, keys: list[str] | None) -> list[Column]:
    """The measure columns named in `keys` (in that order), or every measure."""
    if not keys:
        return dataset.measures
    by_key = {c.key: c for c in dataset.measures}
    return [by_key[k] for k in keys if k in by_key] or dataset.measures


def category_series(dataset: Dataset, lang: str, currency: str = "CNY",
                    measures: list[Column] | None = None) -> tuple[list[Member], list[Series]]:
    """The categories (first dimension's members) and the series drawn over them."""
    dims = dataset.dimensions
    categories = distinct_members(dataset, dims[0])
    if len(dims) > 1 and measures is None:
        return categories, _split_series(dataset, categories, dims[0], dims[1], lang, currency)
    measures = measures or dataset.measures
    first = {member_id(row[dataset.column_index(dims[0].key)]): row for row in reversed(dataset.rows)}
    series = []
    for measure in measures:
        color_points = len(measures) == 1
        items = [data_item(dataset, first[member_id(m)], measure, keys_of(dims[:1], first[member_id(m)], dataset),
                           lang, currency, m.color if color_points else None) for m in categories]
        series.append(Series(text(measure.label, lang), measure, None, items))
    return categories, series


def _split_series(dataset: Dataset, categories: list[Member], across: Column, split: Column, lang: str,
                  currency: str) -> list[Series]:
    measure = dataset.measures[0]
    at = {(member_id(r[dataset.column_index(across.key)]), member_id(r[dataset.column_index(split.key)])): r
          for r in reversed(dataset.rows)}
    series = []
    for member in distinct_members(dataset, split, in_order=True):
        items = []
        for category in categories:
            keys = {across.key: category.key, split.key: member.key}
            items.append(data_item(dataset, at.get((member_id(category), member_id(member))), measure, keys,
                                   lang, currency))
        series.append(Series(member_label(member, lang), measure, shade(member.color), items))
    return series


def line_look(items: list[dict[str, Any]], smooth: bool) -> dict[str, Any]:
    """How a line series is drawn: curves only as monotone ones (a curve through non-negative values never dips
    below zero), and a symbol on every point when one has no neighbour to draw a segment to (a single month)."""
    values = [i.get("value") for i in items]
    alone = any(v is not None and (k == 0 or values[k - 1] is None) and (k == len(values) - 1 or values[k + 1] is None)
                for k, v in enumerate(values))
    found: dict[str, Any] = {"smooth": smooth}
    if smooth:
        found["smoothMonotone"] = "x"
    if alone:
        found.update(showSymbol=True, showAllSymbol=True, symbolSize=8)
    return found


def axis_name(measures: list[Column], lang: str) -> str:
    """A value axis named by every measure drawn on it ("Amount / Weighted amount"), once each."""
    return " / ".join(dict.fromkeys(text(m.label, lang) for m in measures))
