"""The result of running a report: what every renderer (table, pivot, charts, xlsx, PDF, mail summary) reads.

A dataset is plain data, apart from how it was computed: columns (dimensions first, then measures), rows of
values in column order, and totals per measure. Labels are i18n maps; a dimension value carries the key the
drill-down filters on and the label a person reads, so no renderer ever shows an internal code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.i18n import I18n

ColumnRole = Literal["dimension", "measure"]
# What a value is, so renderers format it: a count or number, money, a ratio (0.25 shown as 25%), a duration in
# days, or a dimension's text/date bucket.
ValueKind = Literal["number", "money", "percent", "days", "text", "date"]


@dataclass(frozen=True)
class Column:
    """One column: `key` is stable (a dimension's or measure's id in the report), `label` is for people."""

    key: str
    label: I18n
    role: ColumnRole
    kind: ValueKind = "number"
    decimals: int | None = None
    currency: str | None = None  # money: the field's ISO 4217 code (None: the chart's default)
    drillable: bool = True  # False: a formula over aggregates, with no single set of records behind a value


@dataclass(frozen=True)
class Member:
    """A dimension value in a row: `key` is what the drill-down filters on (an option value, a user id, a date
    bucket's first day as ISO text, None for "no value", "__others__" for the rest after a top-N), `label` what a
    person reads, `color` an option's colour when it has one."""

    key: Any
    label: I18n
    color: str | None = None
    rank: tuple[int, float, str] = field(default=(1, 0.0, ""), compare=False)  # the natural order (see `natural`)


def natural(members: list[Member]) -> list[Member]:
    """Members in their natural order, whatever the rows' sort: options as the option list has them, date buckets
    in time, numbers by size, users and records by name; "no value" and "others" last."""
    return sorted(members, key=lambda m: m.rank)


@dataclass
class Dataset:
    """Columns, then rows (a Member per dimension column, a number or None per measure column, in column order),
    totals by measure key (over every record in scope, not only the rows shown after a top-N), and, when the
    report compares with the previous period, `previous` holding the same measures for that period."""

    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] | None = None

    @property
    def dimensions(self) -> list[Column]:
        return [c for c in self.columns if c.role == "dimension"]

    @property
    def measures(self) -> list[Column]:
        return [c for c in self.columns if c.role == "measure"]

    def column_index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)
