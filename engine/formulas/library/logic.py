"""Logic and inspection: CHOOSE, XOR, ISNUMBER, ISTEXT, ISLOGICAL, N; and lists: UNION, and UUID."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.formulas.functions import CallContext, Thunk, flatten, function
from engine.formulas.library.args import is_number, same_type, typed
from engine.formulas.library.fail import value_error
from engine.formulas.types import ANY, BOOLEAN, NUMBER, TEXT, FType, ListOf, scalar
from engine.formulas.values import to_bool, to_number

EXCEL_EPOCH = date(1899, 12, 30)  # serial 0: spreadsheets count days from here


@function("CHOOSE", 2, None, typed("CHOOSE", lambda a, p: same_type(a[1:]), "number"),
          "CHOOSE(index, value1, value2, …) — the index-th value", lazy=True)
def _choose(args: list[Thunk], ctx: CallContext) -> Any:
    index = int(to_number(args[0](), ctx.position))  # truncated toward zero
    if not 1 <= index < len(args):
        value_error(f"CHOOSE:序号须在 1 到 {len(args) - 1} 之间", f"CHOOSE: the index must be between 1 and "
                    f"{len(args) - 1}", ctx.position)
    return args[index]()


@function("XOR", 1, None, BOOLEAN, "XOR(condition, …) — TRUE when an odd number of conditions are TRUE")
def _xor(args: list[Any], ctx: CallContext) -> bool:
    return sum(1 for v in flatten(args) if to_bool(v, ctx.position)) % 2 == 1


@function("ISNUMBER", 1, 1, BOOLEAN, "ISNUMBER(value) — TRUE for a number (and a date, as in spreadsheets)")
def _isnumber(args: list[Any], ctx: CallContext) -> bool:
    return is_number(args[0]) or isinstance(args[0], (date, datetime))


@function("ISTEXT", 1, 1, BOOLEAN, "ISTEXT(value) — TRUE for text")
def _istext(args: list[Any], ctx: CallContext) -> bool:
    return isinstance(args[0], str)


@function("ISLOGICAL", 1, 1, BOOLEAN, "ISLOGICAL(value) — TRUE for TRUE or FALSE")
def _islogical(args: list[Any], ctx: CallContext) -> bool:
    return isinstance(args[0], bool)


@function("N", 1, 1, typed("N", NUMBER, "scalar"),
          "N(value) — a number as is, TRUE as 1, a date as its serial number, anything else 0")
def _n(args: list[Any], ctx: CallContext) -> Decimal:
    value = args[0]
    if isinstance(value, bool):
        return Decimal(int(value))
    if is_number(value):
        return to_number(value, ctx.position)
    if isinstance(value, datetime):
        moment = value.astimezone(ctx.tz).replace(tzinfo=None) if value.tzinfo else value
        elapsed = moment - datetime(EXCEL_EPOCH.year, EXCEL_EPOCH.month, EXCEL_EPOCH.day)
        return Decimal(elapsed.days) + Decimal(elapsed.seconds) / Decimal(86400)
    if isinstance(value, date):
        return Decimal((value - EXCEL_EPOCH).days)
    return Decimal(0)


def _union_type(args: Sequence[FType], position: int) -> FType:
    items = [scalar(a) for a in args]
    common = same_type(items) if items else ANY
    return ListOf(common)


@function("UNION", 1, None, _union_type, "UNION(list or value, …) — the values without repeats, in order")
def _union(args: list[Any], ctx: CallContext) -> list[Any]:
    seen: set[tuple[str, Any]] = set()
    kept: list[Any] = []
    for value in flatten(args):
        key = _key(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _key(value: Any) -> tuple[str, Any]:
    """What makes two values the same item: equal numbers (1 and 1.0), identical text, equal dates…"""
    if is_number(value):
        return "number", Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    try:
        hash(value)
    except TypeError:
        return "other", repr(value)
    return type(value).__name__, value


@function("UUID", 0, 0, TEXT, "UUID() — a new random identifier, 36 characters")
def _uuid(args: list[Any], ctx: CallContext) -> str:
    return str(uuid.uuid4())
