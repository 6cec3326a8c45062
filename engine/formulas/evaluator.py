"""Evaluate a formula tree against an environment, by walking it — never eval or exec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Context, Decimal, DivisionByZero, InvalidOperation
from typing import Any, Protocol

from engine.errors import FormulaError
from engine.formulas.ast import Array, Binary, Call, Expr, Literal, Ref, Unary, Var
from engine.formulas.errors import DIV0, NAME, NUM, VALUE, ErrorValue, as_value, fail, first_error
from engine.formulas.functions import FUNCTIONS, CallContext, power
from engine.formulas.values import bounded, check_text, compare, instant, is_empty, to_number, to_text
from engine.i18n import zh_en

COMPARISONS = {"=": (0,), "==": (0,), "<>": (-1, 1), "!=": (-1, 1), "<": (-1,), "<=": (-1, 0), ">": (1,),
               ">=": (0, 1)}


class Env(Protocol):
    """What evaluation reads: field values by path, the time, the zone and variables ($me…)."""

    now: datetime
    tz: tzinfo
    variables: Mapping[str, Any]

    def lookup(self, path: tuple[str, ...]) -> Any:
        """The value at a field path (a list for subform columns)."""


@dataclass
class MappingEnv:
    """An environment over plain nested values: dicts, and lists of dicts for subforms."""

    values: Mapping[str, Any]
    now: datetime
    tz: tzinfo
    variables: Mapping[str, Any] = field(default_factory=dict)

    def lookup(self, path: tuple[str, ...]) -> Any:
        return walk(self.values, path)


def walk(value: Any, path: tuple[str, ...]) -> Any:
    """Follow a path through mappings (only their keys — never attributes) and lists of mappings."""
    for i, step in enumerate(path):
        if isinstance(value, list):
            return [walk(v, path[i:]) for v in value]
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def evaluate(expr: Expr, env: Env) -> Any:
    """The value of a formula in an environment; FormulaError (with the position, and the spreadsheet error `code`)
    if it ends in an error value, for callers that cannot hold one (conditions, defaults, stored fields)."""
    value = evaluate_value(expr, env)
    if isinstance(value, ErrorValue):
        raise value.error()
    return value


def evaluate_value(expr: Expr, env: Env) -> Any:
    """The value of a formula in an environment, an ErrorValue (#DIV/0!…) included, as a spreadsheet cell holds it."""
    try:
        return _significant(_guarded(expr, env))
    except RecursionError:
        raise FormulaError(zh_en("公式嵌套太深", "the formula nests too deeply"), 0) from None
    except ArithmeticError:  # a last guard: every number is bounded, so no step should overflow
        return ErrorValue(NUM, zh_en("数值无法计算(溢出)", "the numbers cannot be computed (overflow)"), 0)
    except FormulaError as exc:
        return as_value(exc)


RESULT_PRECISION = Context(prec=20)
DATE_OUT_OF_RANGE = zh_en("日期超出了范围", "the date is out of range")



def _significant(value: Any) -> Any:
    """Round a numeric result to 20 significant digits, so 1/3*3 is 1 as in a spreadsheet."""
    if isinstance(value, Decimal):
        return RESULT_PRECISION.plus(bounded(value))
    return value


def _guarded(expr: Expr, env: Env) -> Any:
    """Evaluate one step; a step that fails becomes its error value instead of ending the formula."""
    try:
        return _eval(expr, env)
    except FormulaError as exc:
        return as_value(exc)


def _eval(expr: Expr, env: Env) -> Any:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Array):
        return expr.values()
    if isinstance(expr, Ref):
        return env.lookup(expr.path)
    if isinstance(expr, Var):
        return _variable(expr, env)
    if isinstance(expr, Call):
        return _call(expr, env)
    if isinstance(expr, Unary):
        return _unary(expr, env)
    return _binary(expr, env)


def _variable(expr: Var, env: Env) -> Any:
    if expr.name == "today":
        value: Any = env.now.astimezone(env.tz).date()
    elif expr.name == "now":
        value = env.now
    elif expr.name in env.variables:
        value = env.variables[expr.name]
    else:
        raise fail(NAME, zh_en(f"未知变量“${expr.name}”", f"unknown variable '${expr.name}'"), expr.position)
    return walk(value, expr.path) if expr.path else value


def _call(expr: Call, env: Env) -> Any:
    """Call a function. An error argument is the result (unless the function `handles_errors`); lazy functions get
    thunks, and an error they coerce (IF's condition…) becomes their result through the coercion."""
    fn = FUNCTIONS.get(expr.name)
    if fn is None:
        raise fail(NAME, zh_en(f"未知函数“{expr.name}”", f"unknown function '{expr.name}'"), expr.position)
    ctx = CallContext(env.now, env.tz, expr.position)
    if fn.lazy:
        thunks = [(lambda a=a: _guarded(a, env)) for a in expr.args]
        return fn.impl(thunks, ctx)
    args = [_guarded(a, env) for a in expr.args]
    error = None if fn.handles_errors else first_error(args)
    return error if error is not None else fn.impl(args, ctx)


def _unary(expr: Unary, env: Env) -> Any:
    value = to_number(_guarded(expr.operand, env), expr.position)
    if expr.op == "-":
        return -value
    if expr.op == "%":
        return value / 100
    return value


def _binary(expr: Binary, env: Env) -> Any:
    left, right = _guarded(expr.left, env), _guarded(expr.right, env)
    error = first_error((left, right))
    if error is not None:
        return error
    op, pos = expr.op, expr.position
    if op in COMPARISONS:
        return compare(left, right, env.tz, pos) in COMPARISONS[op]
    if op == "&":
        return check_text(to_text(left, pos, env.tz) + to_text(right, pos, env.tz), pos)
    if isinstance(left, (date, datetime)) or isinstance(right, (date, datetime)):
        return _date_arithmetic(op, left, right, env.tz, pos)
    a, b = to_number(left, pos), to_number(right, pos)
    try:
        if op == "+":
            return bounded(a + b, pos)
        if op == "-":
            return bounded(a - b, pos)
        if op == "*":
            return bounded(a * b, pos)
        if op == "/":
            if b == 0:
                raise fail(DIV0, zh_en("除数不能为 0", "division by zero"), pos)
            return bounded(a / b, pos)
        return power(a, b, pos)
    except (DivisionByZero, InvalidOperation):
        raise fail(NUM, zh_en("数值无法计算(除以 0 或溢出)",
                              "the numbers cannot be computed (division by zero or overflow)"), pos) from None


def _date_arithmetic(op: str, left: Any, right: Any, tz: tzinfo, pos: int) -> Any:
    """date ± days → date; date − date → days (datetimes keep their time; a date is its midnight, and a naive
    datetime a wall time, in the workspace zone `tz`)."""
    if is_empty(left) or is_empty(right):
        return None
    if op == "-" and isinstance(left, (date, datetime)) and isinstance(right, (date, datetime)):
        if isinstance(left, datetime) or isinstance(right, datetime):
            delta = instant(left, tz).astimezone(timezone.utc) - instant(right, tz).astimezone(timezone.utc)
            return Decimal(delta.total_seconds()) / Decimal(86400)
        return Decimal((left - right).days)
    if op in ("+", "-") and isinstance(left, (date, datetime)):
        days = to_number(right, pos)
        return shift(left, days if op == "+" else -days, pos)
    if op == "+" and isinstance(right, (date, datetime)):
        return shift(right, to_number(left, pos), pos)
    raise fail(VALUE, zh_en(f"日期不能使用“{op}”运算", f"cannot use '{op}' with a date"), pos)


def shift(moment: date | datetime, days: Decimal, pos: int) -> date | datetime:
    """A date or datetime moved by a number of days; a fraction of a day keeps its time, so a date becomes a
    datetime (DATE(2024,1,1)+0.75 is 18:00 that day, a wall time in the workspace zone)."""
    try:
        if not isinstance(moment, datetime) and days == days.to_integral_value():
            return moment + timedelta(days=int(days))
        start = moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)
        return start + timedelta(microseconds=int((days * 86_400_000_000).to_integral_value()))
    except (OverflowError, ArithmeticError):
        raise fail(NUM, DATE_OUT_OF_RANGE, pos) from None
