"""Filtering by order (gt, ge, lt, le, between) for numbers, dates and times."""

from __future__ import annotations

import operator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import QueryInvalid
from engine.fields.base import FieldType, FilterContext


COMPARE = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


class OrderedFilters(FieldType):
    """Adds gt/ge/lt/le/between to the equality operators."""

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op not in ("gt", "ge", "lt", "le", "between") or op not in self.operators:
            return super().filter(f, table, op, operand, ctx)
        col = table.c[f.id]
        if op == "between":
            if not isinstance(operand, (list, tuple)) or len(operand) != 2:
                raise QueryInvalid("bad_filter", message=f"{f.id}: between needs [low, high]")
            low, high = (self._operand(f, v) for v in operand)
            return col.between(low, high)
        value = self._operand(f, operand)
        if value is None:
            raise QueryInvalid("bad_filter", message=f"{f.id}: '{op}' needs a value")
        comparison: ColumnElement[bool] = COMPARE[op](col, value)
        return comparison
