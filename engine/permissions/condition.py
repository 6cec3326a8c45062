"""Scope conditions — formulas such as `region = $me.region` — compiled to SQL predicates over a form's table.

Only what SQL can answer for every row is accepted: comparisons of a field with a value, `$me`, `$me.<attribute>`,
`$my_department`, `$today` or `$now`; ISEMPTY(field); AND, OR, NOT; a yes/no field on its own; TRUE and FALSE.
Anything else is refused when the roles are published, with the position and what to write instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FormDef
from engine.errors import FormulaError, QueryInvalid
from engine.fields.base import FilterContext
from engine.fields.registry import field_type
from engine.formulas import compile_formula
from engine.formulas.ast import Binary, Call, Expr, Literal, Ref, Var
from engine.i18n import zh_en

OPERATORS = {"=": "eq", "==": "eq", "<>": "ne", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
MIRRORED = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
ALLOWED = "comparisons of a field with a value or $me…, ISEMPTY(field), AND, OR, NOT"
ALLOWED_ZH = "字段与值或 $me… 的比较、ISEMPTY(字段)、AND、OR、NOT"

Resolve = Callable[[Var], Any]


def _not_here(name: str) -> dict[str, str]:
    return zh_en(f"数据范围条件中不能使用 {name}(),可以使用{ALLOWED_ZH}",
                 f"{name}() cannot be used in a scope condition; use {ALLOWED}")



def check_condition(source: str, form: FormDef) -> None:
    """Raise FormulaError when the condition cannot become a SQL predicate over `form`."""
    _Compiler(form, None, None, lambda var: None).compile(compile_formula(source))


def condition_predicate(source: str, form: FormDef, table: sa.Table, ctx: FilterContext,
                        resolve: Resolve) -> ColumnElement[bool]:
    """The SQL predicate of a condition; `resolve` gives the value of `$me`, `$me.region`, … for this viewer."""
    return _Compiler(form, table, ctx, resolve).compile(compile_formula(source))


class _Compiler:
    def __init__(self, form: FormDef, table: sa.Table | None, ctx: FilterContext | None, resolve: Resolve):
        self.form, self.table, self.ctx, self.resolve = form, table, ctx, resolve

    def compile(self, expr: Expr) -> ColumnElement[bool]:
        if isinstance(expr, Literal) and isinstance(expr.value, bool):
            return sa.true() if expr.value else sa.false()
        if isinstance(expr, Ref):
            f = self._field(expr)
            if f.type != "boolean":
                raise FormulaError(zh_en(f"“{f.id}”不是是/否字段,请将它与一个值比较",
                                         f"'{f.id}' is not a yes/no field; compare it with a value"), expr.position)
            return self._filter(expr, "eq", True)
        if isinstance(expr, Call):
            return self._call(expr)
        if isinstance(expr, Binary) and expr.op in OPERATORS:
            return self._comparison(expr)
        raise FormulaError(zh_en(f"数据范围条件只能使用{ALLOWED_ZH}", f"a scope condition can only use {ALLOWED}"),
                           expr.position)

    def _call(self, expr: Call) -> ColumnElement[bool]:
        if expr.name in ("AND", "OR") and expr.args:
            parts = [self.compile(a) for a in expr.args]
            return sa.and_(*parts) if expr.name == "AND" else sa.or_(*parts)
        if expr.name == "NOT" and len(expr.args) == 1:
            return sa.not_(self.compile(expr.args[0]))
        if expr.name == "ISEMPTY" and len(expr.args) == 1 and isinstance(expr.args[0], Ref):
            return self._filter(expr.args[0], "empty", None)
        raise FormulaError(_not_here(expr.name), expr.position)

    def _comparison(self, expr: Binary) -> ColumnElement[bool]:
        op = OPERATORS[expr.op]
        if isinstance(expr.left, Ref) and not isinstance(expr.right, Ref):
            ref, other = expr.left, expr.right
        elif isinstance(expr.right, Ref) and not isinstance(expr.left, Ref):
            ref, other, op = expr.right, expr.left, MIRRORED[op]
        else:
            call = next((side for side in (expr.left, expr.right) if isinstance(side, Call)), None)
            if call is not None:
                raise FormulaError(_not_here(call.name), call.position)
            raise FormulaError(zh_en("请用表单的一个字段与值或 $me… 比较",
                                     "compare one field of the form with a value or $me…"), expr.position)
        value = self._value(other)
        if value is None:
            return self._filter(ref, "empty" if op == "eq" else "not_empty", None) if op in ("eq", "ne") \
                else sa.false()
        return self._filter(ref, op, value)

    def _value(self, expr: Expr) -> Any:
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Var):
            return self.resolve(expr)
        raise FormulaError(zh_en(f"比较的另一边必须是值或 $me…;可以使用{ALLOWED_ZH}",
                                 f"the other side of a comparison must be a value or $me…; use {ALLOWED}"),
                           expr.position)

    def _field(self, ref: Ref) -> Any:
        f = self.form.field(ref.path[0]) if len(ref.path) == 1 else None
        if f is None or not field_type(f.type).stored or field_type(f.type).layout_only:
            shown = ".".join(ref.path)
            raise FormulaError(zh_en(f"“{shown}”不是表单“{self.form.id}”中存储的字段",
                                     f"'{shown}' is not a stored field of form '{self.form.id}'"), ref.position)
        return f

    def _filter(self, ref: Ref, op: str, value: Any) -> ColumnElement[bool]:
        f = self._field(ref)
        ftype = field_type(f.type)
        if op not in ftype.operators_for(f):
            raise FormulaError(zh_en(f"字段“{f.id}”不能用“{op}”比较", f"field '{f.id}' cannot be compared with '{op}'"),
                               ref.position)
        if self.table is None or self.ctx is None:
            return sa.true()  # checking only
        try:
            return ftype.filter(f, self.table, op, _operand(value), self.ctx)
        except QueryInvalid:
            return sa.false()  # a value of the wrong kind (e.g. a user without that attribute) matches nothing


def _operand(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
