"""Filtering by order (gt, ge, lt, le, between) for numbers, dates, datetimes and times."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, FilterContext
from engine.fields.types.common import bad_filter

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}


class OrderedFilters(FieldType):
    """Adds gt/ge/lt/le and between (inclusive [low, high]) to the equality operators."""

    operators: ClassVar[tuple[str, ...]] = (*EQUALITY_OPS, *ORDER_OPS)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op not in ORDER_OPS or op not in self.operators:
            return super().filter(f, table, op, operand, ctx)
        col = table.c[f.id]
        if op == "between":
            return self._between(f, col, operand)
        value = self._operand(f, operand)
        if value is None:
            raise bad_filter(f, f"'{op}' needs a value")
        clause: ColumnElement[bool] = COMPARISONS[op](col, value)
        return clause

    def _between(self, f: FieldDef, col: sa.Column[Any], operand: Any) -> ColumnElement[bool]:
        if not isinstance(operand, (list, tuple)) or len(operand) != 2:
            raise bad_filter(f, "'between' needs [low, high]")
        low, high = (self._operand(f, v) for v in operand)
        if low is None or high is None:
            raise bad_filter(f, "'between' needs two values")
        return col.between(low, high)
