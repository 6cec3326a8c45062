"""The function library: each function's arity, result type and implementation, by upper-case name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from engine.errors import FormulaError
from engine.formulas.errors import DIV0, NA, NUM, VALUE, fail
from engine.formulas.wildcards import search
from engine.i18n import zh_en
from engine.formulas.types import ANY, BOOLEAN, DATE, DATETIME, NUMBER, TEXT, FType, definitely, scalar
from engine.formulas.values import (
    check_text, compare, floor_int, format_decimal, instant, is_empty, parse_number_text, round_down, round_half_away,
    round_up, to_bool, to_number, to_text,
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
    """One function: arity, result type rule, implementation; lazy ones get thunks instead of values.

    An argument that is an error value (#DIV/0!…) is the call's result without calling `impl`, unless
    `handles_errors` (IFERROR, ISERROR…: `impl` then sees ErrorValue arguments). Lazy functions get every value
    their thunks give, errors included; coercing an error (to_bool, to_number…) raises it again, so it propagates.
    """

    name: str
    min_args: int
    max_args: int | None
    result: TypeRule
    impl: Callable[[list[Any], CallContext], Any]
    lazy: bool = False
    signature: str = ""
    handles_errors: bool = False


FUNCTIONS: dict[str, Function] = {}


def fixed(t: FType) -> TypeRule:
    return lambda _args, _pos: t


def function(name: str, min_args: int, max_args: int | None, result: TypeRule | FType, signature: str,
             lazy: bool = False, handles_errors: bool = False,
             ) -> Callable[[Callable[[list[Any], CallContext], Any]], Callable[..., Any]]:
    """Register an implementation under `name` (`handles_errors`: it receives error values, see Function)."""
    rule = fixed(result) if isinstance(result, FType) else result

    def register(impl: Callable[[list[Any], CallContext], Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(name, min_args, max_args, rule, impl, lazy, signature, handles_errors)
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
    raise fail(NA, zh_en("IFS:没有成立的条件", "IFS: no condition is true"), ctx.position)


@function("SWITCH", 3, None, ANY, "SWITCH(value, case1, result1, …, [default])", lazy=True)
def _switch(args: list[Thunk], ctx: CallContext) -> Any:
    value = args[0]()
    rest = args[1:]
    for i in range(0, len(rest) - 1, 2):
        if compare(value, rest[i](), ctx.tz, ctx.position) == 0:
            return rest[i + 1]()
    if len(rest) % 2:
        return rest[-1]()
    raise fail(NA, zh_en("SWITCH:没有匹配的情况,也没有默认值", "SWITCH: no case matches and there is no default"),
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
        raise fail(DIV0, zh_en("AVERAGE 没有可计算的值(除数为 0)", "AVERAGE of no values (division by zero)"),
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


@function("COUNT", 1, None, NUMBER, "COUNT(value or list, …) — counts the numbers and dates")
def _count(args: list[Any], ctx: CallContext) -> Decimal:
    """Excel's COUNT: numbers and dates; an argument written directly also counts as TRUE/FALSE or numeric text,
    but inside a list (a subform column, an array) only numbers and dates count."""
    direct = sum(1 for v in args if not isinstance(v, list) and _countable(v, True))
    listed = sum(1 for a in args if isinstance(a, list) for v in flatten(a) if _countable(v, False))
    return Decimal(direct + listed)


def _countable(value: Any, direct: bool) -> bool:
    if isinstance(value, bool):
        return direct
    if isinstance(value, (int, float, Decimal, date)):
        return True
    return direct and isinstance(value, str) and parse_number_text(value) is not None


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
        raise fail(DIV0, zh_en("MOD:除数不能为 0", "MOD: division by zero"), ctx.position)
    return n - d * floor_int(n / d)


@function("POWER", 2, 2, NUMBER, "POWER(number, exponent)")
def _power(args: list[Any], ctx: CallContext) -> Decimal:
    return power(to_number(args[0], ctx.position), to_number(args[1], ctx.position), ctx.position)


def power(base: Decimal, exponent: Decimal, position: int) -> Decimal:
    """base ^ exponent with guards against results too large to compute; 0^0 is 1 (as LibreOffice; Excel says
    #NUM!)."""
    if abs(exponent) > MAX_EXPONENT:
        raise fail(NUM, zh_en(f"指数不能大于 {MAX_EXPONENT}", f"exponent larger than {MAX_EXPONENT}"), position)
    if base == 0 and exponent == 0:
        return Decimal(1)
    if base == 0 and exponent < 0:
        raise fail(DIV0, zh_en("除数不能为 0", "division by zero"), position)
    if base < 0 and exponent != exponent.to_integral_value():
        raise fail(NUM, zh_en("负数不能开非整数次方", "a negative number has no fractional power"), position)
    if base != 0 and (abs(base).adjusted() + 1) * abs(exponent) > 300:
        raise fail(NUM, RESULT_TOO_LARGE, position)
    try:
        if exponent == exponent.to_integral_value():
            return base ** int(exponent)
        return Decimal(str(float(base) ** float(exponent)))
    except (OverflowError, ArithmeticError):
        raise fail(NUM, RESULT_TOO_LARGE, position) from None


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


@function("SEARCH", 2, 3, NUMBER, "SEARCH(find, within, [start]) — 1-based, ignores case, wildcards ? * (~ escapes)")
def _search(args: list[Any], ctx: CallContext) -> Decimal:
    return _position("SEARCH", args, ctx, lambda find, within, start: search(find, within, start))


@function("FIND", 2, 3, NUMBER, "FIND(find, within, [start]) — 1-based, case-sensitive, no wildcards")
def _find(args: list[Any], ctx: CallContext) -> Decimal:
    return _position("FIND", args, ctx, lambda find, within, start: within.find(find, start))


def _position(name: str, args: list[Any], ctx: CallContext, locate: Callable[[str, str, int], int]) -> Decimal:
    """Where `find` first occurs in `within` from `start` (1-based); #VALUE! when it does not, as in Excel."""
    start = _int(args[2], ctx) if len(args) > 2 else 1
    within = to_text(args[1], tz=ctx.tz)
    if start < 1 or start > len(within) + 1:
        raise fail(VALUE, zh_en(f"{name}:起始位置须在 1 到文本长度之间", f"{name}: start must be within the text"),
                   ctx.position)
    index = locate(to_text(args[0], tz=ctx.tz), within, start - 1)
    if index < 0:
        raise fail(VALUE, zh_en(f"{name}:没有找到", f"{name}: not found"), ctx.position)
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


__all__ = ["FUNCTIONS", "Function", "CallContext", "power", "flatten", "format_decimal"]
