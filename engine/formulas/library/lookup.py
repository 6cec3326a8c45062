"""Lookups over lists and tables (a subform, an inline array): MATCH, INDEX and VLOOKUP. Text lookups ignore
case and understand the wildcards ? * ~ when an exact match is asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.formulas.functions import CallContext, function
from engine.formulas.library.args import integer, is_number, item_type, table, typed
from engine.formulas.library.criteria import check_pattern, text_matches
from engine.formulas.library.fail import na_error, ref_error, value_error
from engine.formulas.types import NUMBER, FType
from engine.formulas.values import compare, is_empty, to_bool

NOT_FOUND = ("找不到", "not found")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, (date, datetime)):
        return "date"
    return "text" if isinstance(value, str) else "other"


def _equal(lookup: Any, item: Any, ctx: CallContext) -> bool:
    """An exact match: same kind of value, text ignoring case with wildcards."""
    if is_empty(item) or _kind(lookup) != _kind(item):
        return False
    if isinstance(lookup, str):
        return text_matches(item, lookup)
    return compare(lookup, item, ctx.tz, ctx.position) == 0


def _position(lookup: Any, items: Sequence[Any], mode: int, ctx: CallContext) -> int | None:
    """The 0-based index MATCH finds: mode 0 exact; 1 the last item ≤ lookup in an ascending list; -1 the last item
    ≥ lookup in a descending list. Items of another kind than the lookup value are passed over."""
    if mode == 0:
        return next((i for i, item in enumerate(items) if _equal(lookup, item, ctx)), None)
    found = None
    for i, item in enumerate(items):
        if is_empty(item) or _kind(item) != _kind(lookup):
            continue
        order = compare(item, lookup, ctx.tz, ctx.position)
        if order == 0 or order == -mode:
            found = i
        else:
            break
    return found


def _line(value: Any, ctx: CallContext) -> list[Any]:
    """A one-row or one-column argument as its items (#N/A for a table of several rows and columns)."""
    rows = table(value)
    if len(rows) == 1:
        return rows[0]
    if all(len(row) == 1 for row in rows):
        return [row[0] for row in rows]
    na_error("MATCH:查找范围须是一行或一列", "MATCH: the lookup list must be one row or one column", ctx.position)


@function("MATCH", 2, 3, typed("MATCH", NUMBER, "scalar", "any", "number"),
          "MATCH(value, list, [type=1]) — the position of the value: 0 exact, 1 largest ≤, -1 smallest ≥")
def _match(args: list[Any], ctx: CallContext) -> Decimal:
    mode = integer(args[2], ctx) if len(args) > 2 and not is_empty(args[2]) else 1
    mode = (mode > 0) - (mode < 0)
    if isinstance(args[0], str):
        check_pattern("MATCH", args[0], ctx.position)
    found = _position(args[0], _line(args[1], ctx), mode, ctx)
    if found is None:
        na_error(f"MATCH:{NOT_FOUND[0]}", f"MATCH: {NOT_FOUND[1]}", ctx.position)
    return Decimal(found + 1)


@function("VLOOKUP", 3, 4, typed("VLOOKUP", lambda a, p: item_type(a, 1), "scalar", "any", "number", "scalar"),
          "VLOOKUP(value, table, column, [approximate=TRUE]) — looks the value up in the first column")
def _vlookup(args: list[Any], ctx: CallContext) -> Any:
    rows = table(args[1])
    column = integer(args[2], ctx)
    approximate = to_bool(args[3], ctx.position) if len(args) > 3 and not is_empty(args[3]) else True
    if isinstance(args[0], str):
        check_pattern("VLOOKUP", args[0], ctx.position)
    if column < 1:
        value_error("VLOOKUP:列号须 ≥ 1", "VLOOKUP: the column number must be ≥ 1", ctx.position)
    found = _position(args[0], [row[0] if row else None for row in rows], 1 if approximate else 0, ctx)
    if found is None:
        na_error(f"VLOOKUP:{NOT_FOUND[0]}", f"VLOOKUP: {NOT_FOUND[1]}", ctx.position)
    row = rows[found]
    if column > len(row):
        ref_error(f"VLOOKUP:表格只有 {len(row)} 列", f"VLOOKUP: the table has only {len(row)} columns", ctx.position)
    return row[column - 1]


def _index_type(args: Sequence[FType], position: int) -> FType:
    return item_type(args, 0)


@function("INDEX", 2, 3, typed("INDEX", _index_type, "any", "number", "number"),
          "INDEX(list or table, row, [column]) — the item at a position (1-based; 0 takes a whole row or column)")
def _index(args: list[Any], ctx: CallContext) -> Any:
    rows = table(args[0])
    row = integer(args[1], ctx)
    column = integer(args[2], ctx) if len(args) > 2 and not is_empty(args[2]) else None
    if column is None:
        if len(rows) == 1:
            row, column = 1, row
        elif all(len(r) == 1 for r in rows):
            column = 1
    if row < 0 or (column is not None and column < 0):
        value_error("INDEX:行号和列号不能为负数", "INDEX: row and column cannot be negative", ctx.position)
    width = max((len(r) for r in rows), default=0)
    if row > len(rows) or (column is not None and column > width):
        ref_error("INDEX:位置超出了范围", "INDEX: the position is outside the list", ctx.position)
    if row == 0:
        return [r[column - 1] if column - 1 < len(r) else None for r in rows] if column else \
            [list(r) for r in rows]
    chosen = rows[row - 1]
    if not column:
        return list(chosen)
    return chosen[column - 1] if column - 1 < len(chosen) else None
