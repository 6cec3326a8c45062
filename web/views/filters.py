"""Typed filter conditions in a list's query string: `f=field:op:value`, parsed with clear, translated errors.

A condition reads like the engine's Filter: `grade:eq:A`, `since:last_n_days:7`, `total:between:100..500`,
`grade:in:A,B`, `owner:eq:$me`, `email:empty`. Several `f` parameters are ANDed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.errors import FieldValueError, QueryInvalid
from engine.fields.base import JSON, RELATIVE_DATE_OPS, FieldType, FilterContext
from engine.fields.registry import field_type
from engine.fields.screen import RECORD, USER, local_moment
from engine.fields.types.ids import ME, MeOperand
from engine.i18n import text
from engine.records.paths import USER_FIELDS
from engine.records.runtime import SYSTEM_FIELDS

DAY_COUNT_OPS = {"last_n_days", "next_n_days"}
NO_VALUE_OPS = {"empty", "not_empty", *(op for op in RELATIVE_DATE_OPS if op not in DAY_COUNT_OPS)}
LIST_VALUE_OPS = {"in", "not_in"}
RANGE_SEP = ".."


class BadCondition(Exception):
    """A condition the list cannot apply: a translation key and the values its message needs."""

    def __init__(self, token: str, key: str, **params: Any):
        self.token, self.key, self.params = token, key, params
        super().__init__(f"{token}: {key}")


@dataclass(frozen=True)
class Condition:
    """One parsed condition: the field, the operator and the value as written in the URL ('' if none)."""

    field: FieldDef
    op: str
    value: str = ""
    name: str = ""  # a path through a relation or user field (client.industry), or a system field (created_at)

    @property
    def key(self) -> str:
        """What the engine's filter names: the field, or the path."""
        return self.name or self.field.id

    @property
    def token(self) -> str:
        """The condition as the `f` parameter writes it."""
        return f"{self.key}:{self.op}" + (f":{self.value}" if self.value else "")

    def operand(self, tz: tzinfo) -> Any:
        """The engine's operand: a list for in/between, local date-times given the reader's zone."""
        if self.op == "between":
            return [_local(self.field, v.strip(), tz) for v in self.value.split(RANGE_SEP, 1)]
        if self.op in LIST_VALUE_OPS:
            return [_local(self.field, v.strip(), tz) for v in self.value.split(",") if v.strip()]
        return _local(self.field, self.value, tz) if self.value else None


def _local(f: FieldDef, value: str, tz: tzinfo) -> str:
    """A date-time typed without an offset (as <input type=datetime-local> sends it) is in the reader's zone."""
    return local_moment(value, tz) if kind_type(f).value_type == "datetime" else value


def kind_type(f: FieldDef) -> FieldType:
    """The field type whose values the filter compares (a formula's result type)."""
    return field_type(f.type).result_type(f)


def filterable(form: FormDef) -> list[FieldDef]:
    """The fields of a form that conditions may name."""
    return [f for f in form.fields if field_type(f.type).filterable(f)]


def operators(f: FieldDef) -> tuple[str, ...]:
    """The operators a field offers, in the engine's order."""
    return field_type(f.type).operators_for(f)


def value_kind(f: FieldDef, op: str) -> str:
    """What the value input of a condition looks like: none, days, options, choices, boolean or an input type."""
    if op in NO_VALUE_OPS:
        return "none"
    if op in DAY_COUNT_OPS:
        return "days"
    return kind_type(f).filter_input(f)


def parse_token(form: FormDef, token: str, defs: Definitions | None = None) -> Condition:
    """A condition from `field:op[:value]` (with `defs`, the field may be a path or a system field, as a report's
    drill-down writes them); BadCondition names what is wrong."""
    name, _, rest = token.partition(":")
    op, _, value = rest.partition(":")
    name = name.strip()
    f = form.field(name)
    if f is None and defs is not None:
        f = beyond_form(form, name, defs)
    elif f is not None and f not in filterable(form):
        f = None
    if f is None:
        raise BadCondition(token, "filter_unknown_field", field=name)
    if op not in operators(f):
        raise BadCondition(token, "filter_unknown_op", field=f.label, op=op)
    value = value.strip()
    if op in NO_VALUE_OPS:
        value = ""
    elif not value or (op == "between" and len([v for v in value.split(RANGE_SEP, 1) if v.strip()]) != 2):
        raise BadCondition(token, "filter_needs_value", field=f.label, op=op)
    return Condition(f, op, value, name if f.id != name else "")


def beyond_form(form: FormDef, name: str, defs: Definitions) -> FieldDef | None:
    """The field a system name (created_at) or a one-hop path (client.industry, owner.department) reaches from
    `form`, labelled for people ("Client · Industry"); None when it names nothing filterable."""
    head, _, tail = name.partition(".")
    if not tail:
        found = SYSTEM_FIELDS.get(name) if name != "deleted_at" else None
        return found if found is not None and field_type(found.type).filterable(found) else None
    link = form.field(head)
    if link is None or link not in filterable(form):
        return None
    ref = field_type(link.type).refers_to(link)
    if ref is None or field_type(link.type).many:
        return None
    if ref.kind == USER:
        target = USER_FIELDS.get(tail)
    elif ref.kind == RECORD and ref.form in defs.forms:
        target = defs.forms[ref.form].field(tail) or SYSTEM_FIELDS.get(tail)
    else:
        target = None
    if target is None or not field_type(target.type).filterable(target):
        return None
    label = {lang: f"{text(link.label, lang)} · {text(target.label, lang)}" for lang in ("zh", "en")}
    return replace(target, label=label)


def check(condition: Condition, table: Any, ctx: FilterContext, lang: str) -> None:
    """Build the condition's SQL once so a bad value is reported here, in the user's language."""
    ft = field_type(condition.field.type)
    operand = condition.operand(ctx.tz)
    pieces = operand if isinstance(operand, list) else [operand]
    token, label = condition.token, condition.field.label
    scalar = kind_type(condition.field).value_type != "list" and condition.op not in RELATIVE_DATE_OPS
    try:
        for piece in pieces:
            if scalar and not (isinstance(ft, MeOperand) and piece == ME):
                ft.parse(condition.field, piece, JSON)
        if "." not in condition.name:  # a path's column is in another table: the engine checks it there
            ft.filter(condition.field, table, condition.op, operand, ctx)
    except FieldValueError as exc:
        raise BadCondition(token, "filter_bad_value", field=label, value=condition.value,
                           detail=exc.error.message(lang)) from None
    except QueryInvalid as exc:
        raise BadCondition(token, "filter_bad_value", field=label, value=condition.value,
                           detail=str(exc.error.params.get("message") or exc.error.message(lang))) from None


def parse_conditions(form: FormDef, tokens: list[str], table: Any, ctx: FilterContext,
                     lang: str, defs: Definitions | None = None) -> tuple[list[Condition], list[BadCondition]]:
    """The good conditions among `tokens` and a BadCondition for each one that cannot be applied."""
    good: list[Condition] = []
    bad: list[BadCondition] = []
    for token in tokens:
        if not token.strip():
            continue
        try:
            condition = parse_token(form, token, defs)
            check(condition, table, ctx, lang)
        except BadCondition as exc:
            bad.append(exc)
            continue
        if condition not in good:
            good.append(condition)
    return good, bad


def new_token(field: str, op: str, values: list[str]) -> str:
    """The `f` token for a condition composed in the builder (field, operator and its value inputs)."""
    parts = [v.strip() for v in values if v.strip()]
    if op == "between":
        value = RANGE_SEP.join(parts)
    else:
        value = ",".join(parts)
    return f"{field}:{op}" + (f":{value}" if value else "")
