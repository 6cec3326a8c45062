"""The function library: each function's arity, result type and implementation, by upper-case name."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from engine.errors import FormulaError
from engine.i18n import zh_en
from engine.formulas.types import ANY, BOOLEAN, DATE, DATETIME, NUMBER, TEXT, FType, definitely, scalar
from engine.formulas.values import (
    check_text, compare, floor_int, format_decimal, instant, is_empty, round_down, round_half_away, round_up,
    to_bool, to_date, to_number, to_text,
)

MAX_EXPONENT = 1000
RESULT_TOO_LARGE = zh_en("结果太大", "the result is too large")


@dataclass(frozen=True)
class CallContext:
    """What a function may know besides its arguments: the clock and zone, and where it was called."""

    now: datetime
    tz: tzinfo
    position: int


Thunk = Callable[[], Any]
TypeRule = Callable[[Sequence[FType], int], FType]


@dataclass(frozen=True)
class Function:
    """One function: arity, result type rule, implementation; lazy ones get thunks instead of values."""

    name: str
    min_args: int
    max_args: int | None
    result: TypeRule
    impl: Callable[[list[Any], CallContext], Any]
    lazy: bool = False
    signature: str = ""


FUNCTIONS: dict[str, Function] = {}


def fixed(t: FType) -> TypeRule:
    return lambda _args, _pos: t


def function(name: str, min_args: int, max_args: int | None, result: TypeRule | FType, signature: str,
             lazy: bool = False) -> Callable[[Callable[[list[Any], CallContext], Any]], Callable[..., Any]]:
    """Register an implementation under `name`."""
    rule = fixed(result) if isinstance(result, FType) else result

    def register(impl: Callable[[list[Any], CallContext], Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(name, min_args, max_args, rule, impl, lazy, signature)
        return impl

    return register


def flatten(values: Sequence[Any]) -> list[Any]:
    """Arguments with lists (subform columns) spread out."""
    flat: list[Any] = []
    for v in values:
        flat.extend(flatten(v) if isinstance(v, list) else [v])
    return flat


def _int(value: Any, ctx: CallContext) -> int:
    return int(floor_int(to_number(value, ctx.position)))


def _same_branches(args: Sequence[FType], start: int, step: int) -> FType:
    kinds = {str(a) for a in args[start::step] if a.kind not in ("any", "null")}
    return args[start] if len(kinds) == 1 and args[start].kind not in ("any", "null") else ANY


def _numbers_only(name: str) -> TypeRule:
    def rule(args: Sequence[FType], position: int) -> FType:
        for a in args:
            if definitely(scalar(a), "text", "date", "datetime"):
                raise FormulaError(zh_en(f"{name} 需要数字,实际是{a.zh()}", f"{name} needs numbers, got {a}"),
                                   position)
        return NUMBER
    return rule


# -- logic -----------------------------------------------------------------------------------------
@function("IF", 2, 3, lambda a, p: _same_branches(a, 1, 1), "IF(condition, then, [else])", lazy=True)
def _if(args: list[Thunk], ctx: CallContext) -> Any:
    if to_bool(args[0](), ctx.position):
        return args[1]()
    return args[2]() if len(args) > 2 else False


@function("IFS", 2, None, lambda a, p: _same_branches(a, 1, 2), "IFS(condition1, value1, …)", lazy=True)
def _ifs(args: list[Thunk], ctx: CallContext) -> Any:
    if len(args) % 2:
        raise FormulaError(zh_en("IFS 的参数须成对:条件和值", "IFS needs pairs of condition and value"), ctx.position)
    for i in range(0, len(args), 2):
        if to_bool(args[i](), ctx.position):
            return args[i + 1]()
    raise FormulaError(zh_en("IFS:没有成立的条件", "IFS: no condition is true"), ctx.position)


@function("SWITCH", 3, None, ANY, "SWITCH(value, case1, result1, …, [default])", lazy=True)
def _switch(args: list[Thunk], ctx: CallContext) -> Any:
    value = args[0]()
    rest = args[1:]
    for i in range(0, len(rest) - 1, 2):
        if compare(value, rest[i](), ctx.tz, ctx.position) == 0:
            return rest[i + 1]()
    if len(rest) % 2:
        return rest[-1]()
    raise FormulaError(zh_en("SWITCH:没有匹配的情况,也没有默认值", "SWITCH: no case matches and there is no default"),
                       ctx.position)


@function("AND", 1, None, BOOLEAN, "AND(condition, …)", lazy=True)
def _and(args: list[Thunk], ctx: CallContext) -> bool:
    return all(to_bool(v) for a in args for v in _spread(a()))


@function("OR", 1, None, BOOLEAN, "OR(condition, …)", lazy=True)
def _or(args: list[Thunk], ctx: CallContext) -> bool:
    return any(to_bool(v) for a in args for v in _spread(a()))


def _spread(value: Any) -> list[Any]:
    return flatten([value]) if isinstance(value, list) else [value]


@function("NOT", 1, 1, BOOLEAN, "NOT(condition)")
def _not(args: list[Any], ctx: CallContext) -> bool:
    return not to_bool(args[0])


@function("ISEMPTY", 1, 1, BOOLEAN, "ISEMPTY(value)")
def _isempty(args: list[Any], ctx: CallContext) -> bool:
    return is_empty(args[0])


FUNCTIONS["ISBLANK"] = Function("ISBLANK", 1, 1, fixed(BOOLEAN), _isempty, signature="ISBLANK(value)")


# -- aggregates ------------------------------------------------------------------------------------
@function("SUM", 1, None, _numbers_only("SUM"), "SUM(number or list, …)")
def _sum(args: list[Any], ctx: CallContext) -> Decimal:
    return sum((to_number(v, ctx.position) for v in flatten(args)), Decimal(0))


@function("AVERAGE", 1, None, _numbers_only("AVERAGE"), "AVERAGE(number or list, …)")
def _average(args: list[Any], ctx: CallContext) -> Decimal:
    values = [to_number(v, ctx.position) for v in flatten(args) if not is_empty(v)]
    if not values:
        raise FormulaError(zh_en("AVERAGE 没有可计算的值(除数为 0)", "AVERAGE of no values (division by zero)"),
                           ctx.position)
    return sum(values, Decimal(0)) / len(values)


def _extreme(args: list[Any], ctx: CallContext, pick: Callable[..., Any]) -> Any:
    values = [v for v in flatten(args) if not is_empty(v)]
    if not values:
        return Decimal(0)
    if all(isinstance(v, (date, datetime)) for v in values):  # dates, datetimes or both, on one time line
        return pick(values, key=lambda v: instant(v, ctx.tz))
    return pick([to_number(v, ctx.position) for v in values])


def _extreme_type(args: Sequence[FType], position: int) -> FType:
    items = {scalar(a).kind for a in args} - {"any", "null"}
    if items and items <= {"date"}:
        return DATE
    if items and items <= {"datetime", "date"}:
        return DATETIME
    return NUMBER


@function("MIN", 1, None, _extreme_type, "MIN(number or list, …)")
def _min(args: list[Any], ctx: CallContext) -> Any:
    return _extreme(args, ctx, min)


@function("MAX", 1, None, _extreme_type, "MAX(number or list, …)")
def _max(args: list[Any], ctx: CallContext) -> Any:
    return _extreme(args, ctx, max)


@function("COUNT", 1, None, NUMBER, "COUNT(value or list, …) — counts non-empty values")
def _count(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(sum(1 for v in flatten(args) if not is_empty(v)))


@function("COUNTIF", 2, 2, NUMBER, "COUNTIF(list, criterion) — criterion like \">10\", \"<>x\" or a value")
def _countif(args: list[Any], ctx: CallContext) -> Decimal:
    items = flatten([args[0]])
    op, target = _criterion(args[1])
    outcome = {"=": [0], "<>": [-1, 1], ">": [1], ">=": [0, 1], "<": [-1], "<=": [-1, 0]}[op]
    return Decimal(sum(1 for v in items if compare(v, target, ctx.tz, ctx.position) in outcome))


def _criterion(raw: Any) -> tuple[str, Any]:
    if isinstance(raw, str):
        for op in ("<>", ">=", "<=", "=", ">", "<"):
            if raw.startswith(op):
                return op, raw[len(op):]
    return "=", raw


# -- numbers ---------------------------------------------------------------------------------------
def _digits(args: list[Any], ctx: CallContext) -> int:
    return _int(args[1], ctx) if len(args) > 1 else 0


@function("ROUND", 1, 2, NUMBER, "ROUND(number, [digits]) — halves away from zero")
def _round(args: list[Any], ctx: CallContext) -> Decimal:
    return round_half_away(to_number(args[0], ctx.position), _digits(args, ctx))


@function("ROUNDUP", 1, 2, NUMBER, "ROUNDUP(number, [digits]) — away from zero")
def _roundup(args: list[Any], ctx: CallContext) -> Decimal:
    return round_up(to_number(args[0], ctx.position), _digits(args, ctx))


@function("ROUNDDOWN", 1, 2, NUMBER, "ROUNDDOWN(number, [digits]) — toward zero")
def _rounddown(args: list[Any], ctx: CallContext) -> Decimal:
    return round_down(to_number(args[0], ctx.position), _digits(args, ctx))


@function("INT", 1, 1, NUMBER, "INT(number) — down to the next integer")
def _int_fn(args: list[Any], ctx: CallContext) -> Decimal:
    return floor_int(to_number(args[0], ctx.position))


@function("ABS", 1, 1, NUMBER, "ABS(number)")
def _abs(args: list[Any], ctx: CallContext) -> Decimal:
    return abs(to_number(args[0], ctx.position))


@function("MOD", 2, 2, NUMBER, "MOD(number, divisor) — takes the divisor's sign")
def _mod(args: list[Any], ctx: CallContext) -> Decimal:
    n, d = to_number(args[0], ctx.position), to_number(args[1], ctx.position)
    if d == 0:
        raise FormulaError(zh_en("MOD:除数不能为 0", "MOD: division by zero"), ctx.position)
    return n - d * floor_int(n / d)


@function("POWER", 2, 2, NUMBER, "POWER(number, exponent)")
def _power(args: list[Any], ctx: CallContext) -> Decimal:
    return power(to_number(args[0], ctx.position), to_number(args[1], ctx.position), ctx.position)


def power(base: Decimal, exponent: Decimal, position: int) -> Decimal:
    """base ^ exponent with guards against results too large to compute."""
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(zh_en(f"指数不能大于 {MAX_EXPONENT}", f"exponent larger than {MAX_EXPONENT}"), position)
    if base == 0 and exponent < 0:
        raise FormulaError(zh_en("除数不能为 0", "division by zero"), position)
    if base < 0 and exponent != exponent.to_integral_value():
        raise FormulaError(zh_en("负数不能开非整数次方", "a negative number has no fractional power"), position)
    if base != 0 and (abs(base).adjusted() + 1) * abs(exponent) > 300:
        raise FormulaError(RESULT_TOO_LARGE, position)
    try:
        if exponent == exponent.to_integral_value():
            return base ** int(exponent)
        return Decimal(str(float(base) ** float(exponent)))
    except (OverflowError, ArithmeticError):
        raise FormulaError(RESULT_TOO_LARGE, position) from None


# -- text ------------------------------------------------------------------------------------------
@function("CONCATENATE", 1, None, TEXT, "CONCATENATE(text, …)")
def _concatenate(args: list[Any], ctx: CallContext) -> str:
    return check_text("".join(to_text(a, tz=ctx.tz) for a in flatten(args)), ctx.position)


@function("LEFT", 1, 2, TEXT, "LEFT(text, [count])")
def _left(args: list[Any], ctx: CallContext) -> str:
    n = _int(args[1], ctx) if len(args) > 1 else 1
    if n < 0:
        raise FormulaError(zh_en("LEFT:字符数不能为负数", "LEFT: count cannot be negative"), ctx.position)
    return to_text(args[0], tz=ctx.tz)[:n]


@function("RIGHT", 1, 2, TEXT, "RIGHT(text, [count])")
def _right(args: list[Any], ctx: CallContext) -> str:
    n = _int(args[1], ctx) if len(args) > 1 else 1
    if n < 0:
        raise FormulaError(zh_en("RIGHT:字符数不能为负数", "RIGHT: count cannot be negative"), ctx.position)
    text = to_text(args[0], tz=ctx.tz)
    return text[len(text) - n:] if n else ""


@function("MID", 3, 3, TEXT, "MID(text, start, count) — start at 1")
def _mid(args: list[Any], ctx: CallContext) -> str:
    start, n = _int(args[1], ctx), _int(args[2], ctx)
    if start < 1 or n < 0:
        raise FormulaError(zh_en("MID:起始位置须 ≥ 1,字符数须 ≥ 0", "MID: start must be ≥ 1 and count ≥ 0"),
                           ctx.position)
    return to_text(args[0], tz=ctx.tz)[start - 1:start - 1 + n]


@function("LEN", 1, 1, NUMBER, "LEN(text) — characters, a Chinese character counts one")
def _len(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(len(to_text(args[0], tz=ctx.tz)))


@function("UPPER", 1, 1, TEXT, "UPPER(text)")
def _upper(args: list[Any], ctx: CallContext) -> str:
    return to_text(args[0], tz=ctx.tz).upper()


@function("LOWER", 1, 1, TEXT, "LOWER(text)")
def _lower(args: list[Any], ctx: CallContext) -> str:
    return to_text(args[0], tz=ctx.tz).lower()


@function("TRIM", 1, 1, TEXT, "TRIM(text) — removes outer spaces and repeated inner ones")
def _trim(args: list[Any], ctx: CallContext) -> str:
    return " ".join(to_text(args[0], tz=ctx.tz).split())


@function("REPLACE", 4, 4, TEXT, "REPLACE(text, start, count, new_text)")
def _replace(args: list[Any], ctx: CallContext) -> str:
    text, start, n = to_text(args[0], tz=ctx.tz), _int(args[1], ctx), _int(args[2], ctx)
    if start < 1 or n < 0:
        raise FormulaError(zh_en("REPLACE:起始位置须 ≥ 1,字符数须 ≥ 0", "REPLACE: start must be ≥ 1 and count ≥ 0"),
                           ctx.position)
    return check_text(text[:start - 1] + to_text(args[3], tz=ctx.tz) + text[start - 1 + n:], ctx.position)


@function("SEARCH", 2, 3, NUMBER, "SEARCH(find, within, [start]) — 1-based, ignores case; 0 when absent")
def _search(args: list[Any], ctx: CallContext) -> Decimal:
    start = _int(args[2], ctx) if len(args) > 2 else 1
    if start < 1:
        raise FormulaError(zh_en("SEARCH:起始位置须 ≥ 1", "SEARCH: start must be ≥ 1"), ctx.position)
    index = to_text(args[1], tz=ctx.tz).casefold().find(to_text(args[0], tz=ctx.tz).casefold(), start - 1)
    return Decimal(index + 1)


@function("VALUE", 1, 1, NUMBER, "VALUE(text) — '1,234.5', '12%' → number")
def _value(args: list[Any], ctx: CallContext) -> Decimal:
    if isinstance(args[0], str) and not args[0].strip():
        raise FormulaError(zh_en("VALUE:文本是空的", "VALUE: the text is empty"), ctx.position)
    return to_number(args[0], ctx.position)


@function("TEXT", 2, 2, TEXT, "TEXT(value, format) — '0.00', '#,##0', '0%', 'yyyy-mm-dd', 'yyyy年m月d日', 'hh:mm'")
def _text(args: list[Any], ctx: CallContext) -> str:
    from engine.formulas.textformat import format_value

    return format_value(args[0], to_text(args[1]), ctx.tz, ctx.position)


# -- dates -----------------------------------------------------------------------------------------
@function("TODAY", 0, 0, DATE, "TODAY()")
def _today(args: list[Any], ctx: CallContext) -> date:
    return ctx.now.astimezone(ctx.tz).date()


@function("NOW", 0, 0, DATETIME, "NOW()")
def _now(args: list[Any], ctx: CallContext) -> datetime:
    return ctx.now


@function("DATE", 3, 3, DATE, "DATE(year, month, day) — months and days overflow as in Excel")
def _date(args: list[Any], ctx: CallContext) -> date:
    year, month, day = (_int(a, ctx) for a in args)
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if not 1 <= year <= 9999:
        raise FormulaError(zh_en("DATE:年份超出范围(1–9999)", "DATE: year out of range"), ctx.position)
    try:
        return date(year, month, 1) + timedelta(days=day - 1)
    except OverflowError:
        raise FormulaError(zh_en("DATE:日期超出范围", "DATE: date out of range"), ctx.position) from None


def _a_date(value: Any, ctx: CallContext) -> date:
    d = to_date(value, ctx.tz, ctx.position)
    if d is None:
        raise FormulaError(zh_en("日期为空", "a date is empty"), ctx.position)
    return d


@function("YEAR", 1, 1, NUMBER, "YEAR(date)")
def _year(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).year)


@function("MONTH", 1, 1, NUMBER, "MONTH(date)")
def _month(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).month)


@function("DAY", 1, 1, NUMBER, "DAY(date)")
def _day(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).day)


@function("WEEKNUM", 1, 2, NUMBER, "WEEKNUM(date, [1: weeks start Sunday | 2: Monday])")
def _weeknum(args: list[Any], ctx: CallContext) -> Decimal:
    d = _a_date(args[0], ctx)
    kind = _int(args[1], ctx) if len(args) > 1 else 1
    if kind not in (1, 2):
        raise FormulaError(zh_en("WEEKNUM:返回类型只能是 1 或 2", "WEEKNUM: return type must be 1 or 2"), ctx.position)
    jan1 = date(d.year, 1, 1)
    first_weekday = (jan1.isoweekday() % 7) if kind == 1 else jan1.weekday()  # days since week start
    return Decimal((d.timetuple().tm_yday - 1 + first_weekday) // 7 + 1)


@function("DAYS", 2, 2, NUMBER, "DAYS(end, start) — days between two dates")
def _days(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal((_a_date(args[0], ctx) - _a_date(args[1], ctx)).days)


@function("DATEDIF", 3, 3, NUMBER, "DATEDIF(start, end, unit) — unit Y, M, D, MD, YM or YD")
def _datedif(args: list[Any], ctx: CallContext) -> Decimal:
    start, end, unit = _a_date(args[0], ctx), _a_date(args[1], ctx), to_text(args[2]).upper()
    if start > end:
        raise FormulaError(zh_en("DATEDIF:开始日期晚于结束日期", "DATEDIF: the start date is after the end date"),
                           ctx.position)
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    if unit == "Y":
        return Decimal(months // 12)
    if unit == "M":
        return Decimal(months)
    if unit == "D":
        return Decimal((end - start).days)
    if unit == "YM":
        return Decimal(months % 12)
    if unit == "MD":
        if end.day >= start.day:
            return Decimal(end.day - start.day)
        prev_month_end = end.replace(day=1) - timedelta(days=1)
        return Decimal(prev_month_end.day - start.day + end.day) if start.day <= prev_month_end.day else \
            Decimal(end.day)
    if unit == "YD":
        anniversary = _same_day(start, end.year)
        if anniversary > end:
            anniversary = _same_day(start, end.year - 1)
        return Decimal((end - anniversary).days)
    raise FormulaError(zh_en(f"DATEDIF:未知单位“{unit}”(可用 Y、M、D、MD、YM 或 YD)",
                             f"DATEDIF: unknown unit '{unit}' (use Y, M, D, MD, YM or YD)"), ctx.position)


def _same_day(d: date, year: int) -> date:
    return date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1]))


@function("DATEDELTA", 2, 2, DATE, "DATEDELTA(date, days) — the date plus (or minus) days")
def _datedelta(args: list[Any], ctx: CallContext) -> date:
    try:
        return _a_date(args[0], ctx) + timedelta(days=_int(args[1], ctx))
    except OverflowError:
        raise FormulaError(zh_en("DATEDELTA:日期超出范围", "DATEDELTA: date out of range"), ctx.position) from None



__all__ = ["FUNCTIONS", "Function", "CallContext", "power", "flatten", "format_decimal"]
