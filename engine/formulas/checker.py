"""Type-check a formula against the fields it may read, when the definition is loaded."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

from engine.errors import FormulaError
from engine.formulas.ast import Array, Binary, Call, Expr, Literal, Ref, Unary, Var
from engine.formulas.evaluator import COMPARISONS
from engine.formulas.functions import FUNCTIONS
from engine.formulas.types import ANY, BOOLEAN, DATE, DATETIME, NULL, NUMBER, TEXT, FType, ListOf, definitely
from engine.i18n import zh_en

Resolve = Callable[[tuple[str, ...]], FType | None]
DEFAULT_VARIABLES: Mapping[str, FType] = {"me": NUMBER, "my_department": NUMBER, "today": DATE, "now": DATETIME}


def check(expr: Expr, resolve: Resolve, variables: Mapping[str, FType] | None = None,
          candidates: Iterable[str] | None = None) -> FType:
    """The type of a formula; FormulaError for unknown names or functions, wrong arity or clear type errors."""
    names = list(candidates or [])
    return _Checker(resolve, {**DEFAULT_VARIABLES, **(variables or {})}, names).type_of(expr)


def _unknown(zh_what: str, en_what: str, word: str, shown: str, options: Iterable[str]) -> dict[str, str]:
    """`unknown field 'x' (did you mean 'y'?)` in zh and en."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    zh_hint, en_hint = (f",是否想写“{match[0]}”?", f" (did you mean '{match[0]}'?)") if match else ("", "")
    return zh_en(f"未知{zh_what}“{shown}”{zh_hint}", f"unknown {en_what} '{shown}'{en_hint}")


class _Checker:
    def __init__(self, resolve: Resolve, variables: Mapping[str, FType], names: list[str]):
        self.resolve, self.variables, self.names = resolve, variables, names

    def type_of(self, expr: Expr) -> FType:
        if isinstance(expr, Literal):
            return _constant(expr.value)
        if isinstance(expr, Array):
            kinds = {_constant(v) for row in expr.rows for v in row}
            return ListOf(kinds.pop() if len(kinds) == 1 and len(expr.rows) == 1 else ANY)
        if isinstance(expr, Ref):
            found = self.resolve(expr.path)
            if found is None:
                shown = ".".join(expr.path)
                raise FormulaError(_unknown("字段", "field", expr.path[0], shown, self.names), expr.position)
            return found
        if isinstance(expr, Var):
            if expr.name not in self.variables:
                raise FormulaError(_unknown("变量", "variable", expr.name, f"${expr.name}", self.variables),
                                   expr.position)
            return ANY if expr.path else self.variables[expr.name]
        if isinstance(expr, Call):
            return self._call(expr)
        if isinstance(expr, Unary):
            operand = self.type_of(expr.operand)
            self._numeric(operand, expr.op, expr.position)
            return NUMBER
        return self._binary(expr)

    def _call(self, expr: Call) -> FType:
        fn = FUNCTIONS.get(expr.name)
        if fn is None:
            raise FormulaError(_unknown("函数", "function", expr.name, expr.name, FUNCTIONS), expr.position)
        count = len(expr.args)
        if count < fn.min_args or (fn.max_args is not None and count > fn.max_args):
            expected = str(fn.min_args) if fn.max_args == fn.min_args else \
                f"{fn.min_args} to {fn.max_args}" if fn.max_args is not None else f"at least {fn.min_args}"
            zh_expected = str(fn.min_args) if fn.max_args == fn.min_args else \
                f"{fn.min_args} 到 {fn.max_args}" if fn.max_args is not None else f"至少 {fn.min_args}"
            raise FormulaError(zh_en(f"{expr.name} 需要 {zh_expected} 个参数,实际有 {count} 个:{fn.signature}",
                                     f"{expr.name} expects {expected} argument(s), got {count}: {fn.signature}"),
                               expr.position)
        return fn.result([self.type_of(a) for a in expr.args], expr.position)

    def _binary(self, expr: Binary) -> FType:
        left, right = self.type_of(expr.left), self.type_of(expr.right)
        if expr.op in COMPARISONS:
            return BOOLEAN
        if expr.op == "&":
            return TEXT
        dates = [t for t in (left, right) if definitely(t, "date", "datetime")]
        if dates:
            if expr.op == "-" and len(dates) == 2:
                return NUMBER
            if expr.op in ("+", "-") and definitely(left, "date", "datetime"):
                self._numeric(right, expr.op, expr.position)
                return DATETIME if _fraction(expr.right) else left
            if expr.op == "+":
                return right
            raise FormulaError(zh_en(f"日期不能使用“{expr.op}”运算", f"cannot use '{expr.op}' with a date"),
                               expr.position)
        self._numeric(left, expr.op, expr.position)
        self._numeric(right, expr.op, expr.position)
        return NUMBER

    @staticmethod
    def _numeric(t: FType, op: str, position: int) -> None:
        # text is allowed, as in a spreadsheet: "3"+4 is 7, and text that is no number is #VALUE! when computed
        if t.is_list:
            raise FormulaError(zh_en(f"列表不能直接使用“{op}”运算,请先用 SUM、MAX… 汇总",
                                     f"cannot use '{op}' with a list; use SUM, MAX… over it"), position)



def _constant(value: object) -> FType:
    """The type of a constant written in the formula (a left-out argument is blank)."""
    if value is None:
        return NULL
    return BOOLEAN if isinstance(value, bool) else TEXT if isinstance(value, str) else NUMBER


def _fraction(expr: Expr) -> bool:
    """True when days added to a date are a written fraction (`+ 0.75`): the result keeps the time of day."""
    return isinstance(expr, Literal) and not isinstance(expr.value, (bool, str)) and expr.value is not None and \
        expr.value != int(expr.value)


__all__ = ["check", "ListOf"]
