"""Pure record logic: defaults, formulas in dependency order, and rules (show, require, readonly, check)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.definitions.default_from import default_from
from engine.definitions.model import FieldDef, Rule
from engine.errors import FieldError, FieldValueError, FormulaError
from engine.fields.registry import field_type
from engine.formulas import compile_formula, evaluate
from engine.formulas.errors import VALUE
from engine.i18n import I18n
from engine.records.env import RecordEnv
from engine.records.runtime import FormRuntime


def special_default(token: str, env: RecordEnv) -> Any:
    """`$me`, `$my_department`, `$today`, `$now`."""
    if token == "$me":
        return env.variables.get("me")
    if token == "$my_department":
        return env.variables.get("my_department")
    if token == "$today":
        return env.now.astimezone(env.tz).date()
    if token == "$now":
        return env.now
    return None


def default_for(f: FieldDef, env: RecordEnv) -> Any:
    """The default value of a field in this environment (None when it has none)."""
    d = f.default
    if d is None:
        return None
    if isinstance(d, str) and d.startswith("$"):
        value = special_default(d, env)
        return [value] if field_type(f.type).many and value is not None else value
    spec = default_from(f)
    if spec is not None:
        return env.lookup((spec.relation, spec.field))
    if isinstance(d, dict) and "formula" in d:
        try:
            return evaluate(compile_formula(str(d["formula"])), env)
        except FormulaError:
            return None
    return d


def apply_defaults(rt: FormRuntime, values: dict[str, Any], given: AbstractSet[str], env: RecordEnv) -> None:
    """Fill fields the caller did not give with their defaults (top level and subform rows); defaults taken from a
    related record come last, so a relation filled by its own default counts."""
    for f in rt.defaulted:
        if f.id not in given and f.default is not None:
            values[f.id] = coerce(rt, f, default_for(f, env))
        if rt.types[f.id].holds_rows:
            for row in values.get(f.id) or []:
                for c in f.fields:
                    if c.id not in row and c.default is not None and not c.formula:
                        row[c.id] = coerce(rt, c, default_for(c, env.for_row(f, row)), f"{f.id}.{c.id}")


def coerce(rt: FormRuntime, f: FieldDef, value: Any, key: str | None = None) -> Any:
    """Fit a computed value to its field's type (formula results, defaults); None if it does not fit."""
    if value is None:
        return None
    ftype = rt.types.get(key or f.id)
    if ftype is None:
        return value
    try:
        return ftype.parse(f, _jsonable(value))
    except (FieldValueError, TypeError, ValueError, ArithmeticError):
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def compute_formulas(rt: FormRuntime, values: dict[str, Any], env: RecordEnv,
                     failed: dict[str, str] | None = None) -> None:
    """Evaluate every stored formula in dependency order, writing results into `values`.

    A formula that ends in an error value (#DIV/0!…) leaves its field empty, as a spreadsheet cell shows an error
    instead of refusing the whole sheet; `failed` collects the error code by field path (`total`,
    `items[0].subtotal`) for the screens to say why.
    """
    for name in rt.order:
        if "." in name:
            parent, child_id = name.split(".", 1)
            sub = rt.form.field(parent)
            child = sub.child(child_id) if sub else None
            if sub is None or child is None or name not in rt.formulas:
                continue
            for k, row in enumerate(values.get(parent) or []):
                row[child_id] = _eval(rt, child, rt.formulas[name], env.for_row(sub, row), name, failed,
                                      f"{parent}[{k}].{child_id}")
            continue
        f = rt.form.field(name)
        if f is None:
            continue
        if rt.types[name].reads_path(f):
            values[name] = env.lookup(tuple(rt.types[name].reads_path(f)))
        elif name in rt.formulas:
            values[name] = _eval(rt, f, rt.formulas[name], env, name, failed, name)


def _eval(rt: FormRuntime, f: FieldDef, expr: Any, env: RecordEnv, key: str, failed: dict[str, str] | None,
          path: str) -> Any:
    try:
        return coerce(rt, f, evaluate(expr, env), key)
    except FormulaError as exc:
        if failed is not None:
            failed[path] = exc.code or VALUE
        return None


@dataclass
class RuleState:
    """The outcome of a form's rules for one record."""

    hidden: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    readonly: set[str] = field(default_factory=set)
    failed: list[Rule] = field(default_factory=list)
    # field id → the message of the first holding require rule that gives one (said instead of "X is required")
    required_messages: dict[str, I18n] = field(default_factory=dict)
    # field path → the error value (`#DIV/0!`) its stored formula ended in, so it was left empty
    formula_errors: dict[str, str] = field(default_factory=dict)


def evaluate_rules(rt: FormRuntime, env: RecordEnv) -> RuleState:
    """Which fields are hidden, required or read-only, and which checks fail."""
    state = RuleState()
    shown: set[str] = set()
    for rule, when, check in rt.rule_formulas:
        holds = _truthy(when, env) if when is not None else True
        if rule.kind == "show":
            (shown if holds else state.hidden).update(rule.fields)
        elif rule.kind == "require" and holds:
            state.required.update(rule.fields)
            if rule.message:
                for name in rule.fields:
                    state.required_messages.setdefault(name, rule.message)
        elif rule.kind == "readonly" and holds:
            state.readonly.update(rule.fields)
        elif rule.kind == "check" and holds and check is not None and not _truthy(check, env, on_error=True):
            state.failed.append(rule)
    state.hidden -= shown
    state.required -= state.hidden
    return state


def _truthy(expr: Any, env: RecordEnv, on_error: bool = False) -> bool:
    try:
        return bool(evaluate(expr, env))
    except FormulaError:
        return on_error


def required_error(f: FieldDef, rules: RuleState) -> FieldError:
    """The error of a required field left empty: the message of the require rule that asks for it, if it has one
    (a field required by its own definition is simply required)."""
    message = None if f.required else rules.required_messages.get(f.id)
    return FieldError("required_when", {"label": f.label, "message": message}) if message \
        else FieldError("required", {"label": f.label})


def check_errors(rule: Rule) -> FieldError:
    """The error a failed check rule gives."""
    message = rule.message or {"zh": "数据校验未通过", "en": "The record failed a check"}
    return FieldError("check_failed", {"message": message})
