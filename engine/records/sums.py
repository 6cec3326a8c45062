"""Counts and sums of a form's records per value of one field (a kanban board's columns), in one aggregate query
under the list's filters and search and the reader's scope.

`totals_query` builds the SQL and runs nothing; `column_totals` checks access and runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import QueryInvalid
from engine.fields.base import FilterContext
from engine.records.model import Actor, Query
from engine.records.query import where_clause
from engine.records.runtime import FormRuntime
from engine.storage.database import read_transaction

if TYPE_CHECKING:
    from engine.records.service import RecordService

EMPTY = ""  # the group of records without a value


@dataclass(frozen=True)
class GroupTotal:
    """How many records hold one value, and the sum of the measured field over them (None: nothing to add up)."""

    count: int = 0
    sum: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    """The totals of each value (a value no record holds is left out), and the field summed: None when none was
    asked or the reader may not see it."""

    groups: dict[str, GroupTotal]
    measured: str | None = None

    def of(self, value: str) -> GroupTotal:
        """The totals of one value (zero records, and a zero sum when a field is summed)."""
        return self.groups.get(value) or GroupTotal(0, Decimal(0) if self.measured is not None else None)


def totals_query(rt: FormRuntime, query: Query, ctx: FilterContext, by: str, measure: str | None,
                 extra: ColumnElement[bool] | None = None) -> sa.Select[Any]:
    """SELECT value, count, sum GROUP BY value over the records the query selects (and `extra`, the scope and a
    search narrowed to visible fields); a record without a value counts under EMPTY."""
    table = rt.main
    if by not in table.c or (measure is not None and measure not in table.c):
        raise QueryInvalid("bad_filter", message=f"cannot group by '{by}'")
    value = sa.func.coalesce(table.c[by], sa.literal(EMPTY)).label("value")
    columns: list[Any] = [value, sa.func.count().label("n")]
    if measure is not None:
        columns.append(sa.func.sum(table.c[measure]).label("total"))
    where = where_clause(rt, query, ctx)
    if extra is not None:
        where = sa.and_(where, extra)
    return sa.select(*columns).where(where).group_by(value)


def column_totals(service: RecordService, actor: Actor, form_id: str, query: Query, by: str,
                  measure: str | None) -> Totals:
    """Count (and sum of `measure`) per value of `by`, of the records `actor` may read under the query. A field the
    actor may not see is neither grouped by nor summed (QueryInvalid / no sum): totals never reveal it."""
    rt = service.runtime(form_id)
    guard = service.guard(actor, form_id)
    guard.require("read")
    if not guard.sees(by):
        raise QueryInvalid("bad_filter", message=f"cannot group by '{by}'")
    if measure is not None and not guard.sees(measure):
        measure = None
    ctx = service.filter_context(actor)
    narrowed, visible_search = guard.narrow(query)
    with read_transaction(service.engine) as conn:
        scope = guard.predicate(conn, "read", ctx)
        extra = scope if visible_search is None else sa.and_(scope, visible_search)
        rows = conn.execute(totals_query(rt, narrowed, ctx, by, measure, extra)).all()
    totals = Totals({}, measure)
    for row in rows:
        key = str(row.value)
        before = totals.of(key)
        total = before.sum + Decimal(str(row.total or 0)) if before.sum is not None else None
        totals.groups[key] = GroupTotal(before.count + int(row.n), total)
    return totals
