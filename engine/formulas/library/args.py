"""What the library functions share: argument coercions (integer, date, vector, table) and definition-time type
rules built from the kinds each argument position accepts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import FormulaError
from engine.formulas.functions import CallContext, TypeRule, flatten
from engine.formulas.types import ANY, FType, definitely, scalar
from engine.formulas.values import floor_int, is_empty, to_date, to_number
from engine.formulas.library.fail import value_error
from engine.i18n import zh_en

# The kinds an argument position accepts, as the type checker sees them. Text is accepted wherever a number is
# (spreadsheets coerce numeric text); what is refused is what can never work.
REFUSED = {
    "number": ("date", "datetime", "list"),
    "date": ("number", "boolean", "list"),
    "text": ("list",),
    "scalar": ("list",),
    "any": (),
}


def typed(name: str, result: FType | TypeRule, *kinds: str, rest: str | None = None) -> TypeRule:
    """A type rule: each argument position's kind from `kinds` (then `rest` for the remaining ones) is checked,
    and the result is `result` (a type, or a rule computing it from the arguments)."""

    def rule(args: Sequence[FType], position: int) -> FType:
        for i, arg in enumerate(args):
            kind = kinds[i] if i < len(kinds) else rest or "any"
            refused = REFUSED[kind]
            if definitely(arg, *refused) or (arg.is_list and "list" in refused):
                raise FormulaError(zh_en(f"{name} 的第 {i + 1} 个参数应为{KIND_ZH[kind]},实际是{arg.zh()}",
                                         f"{name}: argument {i + 1} should be {KIND_EN[kind]}, got {arg}"), position)
        return result if isinstance(result, FType) else result(args, position)

    return rule


KIND_ZH = {"number": "数字", "date": "日期", "text": "文本", "scalar": "单个值", "any": "任意值"}
KIND_EN = {"number": "a number", "date": "a date", "text": "text", "scalar": "a single value", "any": "any value"}


def item_type(args: Sequence[FType], index: int) -> FType:
    """The item type of the list argument at `index` (ANY when unknown)."""
    return scalar(args[index]) if index < len(args) else ANY


def same_type(args: Sequence[FType]) -> FType:
    """The common type of some branches, ANY when they differ or are unknown."""
    kinds = {str(a) for a in args if a.kind not in ("any", "null")}
    return args[0] if len(kinds) == 1 and args[0].kind not in ("any", "null") else ANY


def integer(value: Any, ctx: CallContext) -> int:
    """A number argument truncated toward minus infinity, as spreadsheets read counts and indexes."""
    return int(floor_int(to_number(value, ctx.position)))


def truncated(value: Any, ctx: CallContext) -> int:
    """A number argument truncated toward zero (Excel's reading of month counts and days)."""
    return int(to_number(value, ctx.position))


def a_date(value: Any, ctx: CallContext, name: str) -> date:
    """A date argument (a datetime's date in the workspace zone); #VALUE! when it is empty."""
    found = to_date(value, ctx.tz, ctx.position)
    if found is None:
        value_error(f"{name}:日期为空", f"{name}: a date is empty", ctx.position)
    return found


def is_number(value: Any) -> bool:
    """A number (not a boolean) — what spreadsheets count as numeric in a range."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def numbers_in(values: Sequence[Any], ctx: CallContext) -> list[Decimal]:
    """The numbers in arguments, the way spreadsheet statistics read ranges: text, booleans and empties are
    skipped inside lists; a scalar argument is coerced (so numeric text given directly counts)."""
    found: list[Decimal] = []
    for value in values:
        if isinstance(value, list):
            found.extend(to_number(v, ctx.position) for v in flatten(value) if is_number(v))
        elif not is_empty(value):
            found.append(to_number(value, ctx.position))
    return found


def vector(value: Any) -> list[Any]:
    """A one-dimensional argument: a list (a subform column, `{1,2,3}`), a one-row or one-column table flattened,
    or a single value as a list of one."""
    if isinstance(value, list):
        return flatten(value)
    return [value]


def table(value: Any) -> list[list[Any]]:
    """A two-dimensional argument as rows: a list of lists (`{1,"a";2,"b"}`), a list of records (a subform, its
    fields in order), a flat list as one row (as `{1,2,3}` is), a single value as a 1×1 table."""
    if not isinstance(value, list):
        return [[value]]
    if value and all(isinstance(row, list) for row in value):
        return [list(row) for row in value]
    if value and all(isinstance(row, Mapping) for row in value):
        return [list(row.values()) for row in value]
    return [list(value)]


def is_moment(value: Any) -> bool:
    return isinstance(value, (date, datetime))
