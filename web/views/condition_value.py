"""The typed value input of one condition (field, operator): what the report designer's filter cards and the home
admin's condition builder draw, and how the posted inputs become the value a definition stores. The input
follows the field: its options by label for choice fields, members and departments by name (with "me" for
people), a date or date-time input, a number, a count of days for "last / next N days", nothing for relative
dates ("this week") and emptiness; several values for "any of", two for "between"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.definitions.model import FieldDef
from engine.definitions.edit_error import EditError
from engine.fields.registry import field_type
from engine.fields.types.ids import ME, MeOperand
from engine.records.model import Actor
from engine.workspace import Workspace
from web.views.filters import DAY_COUNT_OPS, LIST_VALUE_OPS, NO_VALUE_OPS, value_kind
from web.views.listoptions import option_pairs, picker_options

PICKED = ("options", "choices", "boolean")
MOMENTS = {"date": ("$today",), "datetime-local": ("$today", "$now")}  # by value input
MAX_VALUES = 50


@dataclass(frozen=True)
class ValueInput:
    """What the `_condition_value.html` partial draws: the input `kind` (none, days, options, choices, boolean,
    or an <input> type), the choices (value, label), whether several values or two (between) are taken, whether
    "me" is offered, and the current values as text."""

    kind: str
    op: str
    choices: Sequence[tuple[str, str]] = ()
    many: bool = False
    between: bool = False
    people: bool = False
    values: Sequence[str] = ()
    moments: Sequence[str] = ()  # `$today`, `$now`: offered where the definition resolves them when shown

    def chosen(self, value: str) -> bool:
        return value in self.values


def value_input(ws: Workspace, actor: Actor, lang: str, f: FieldDef, op: str, current: Any = None,
                moments: bool = False) -> ValueInput:
    """The value input of a condition on `f` with operator `op`, showing `current` (as stored: one value or a list);
    with `moments`, a date input also offers today (and now, for date-times)."""
    kind = value_kind(f, op)
    choices: list[tuple[str, str]] = []
    if kind == "choices":
        choices = picker_options(ws, actor, lang, f)
    elif kind == "options":
        choices = option_pairs(f, lang)
    values = [_text(v) for v in current] if isinstance(current, list) else ([] if current is None else [_text(current)])
    offered = MOMENTS.get(kind, ()) if moments and op not in LIST_VALUE_OPS and op != "between" else ()
    return ValueInput(kind, op, tuple(choices), op in LIST_VALUE_OPS, op == "between",
                      isinstance(field_type(f.type), MeOperand), tuple(values), offered)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stored_value(f: FieldDef, op: str, posted: Sequence[str]) -> Any:
    """The value a definition stores for the posted inputs: none, a number of days, a list (any of, between), or
    one value (numbers as numbers for number fields, yes/no as booleans). EditError says what is missing."""
    parts = [p.strip() for p in posted if p.strip()][:MAX_VALUES]
    if op in NO_VALUE_OPS:
        return None
    kind = value_kind(f, op)
    if op in DAY_COUNT_OPS:
        if len(parts) != 1 or not parts[0].isdigit() or not 1 <= int(parts[0]) <= 36500:
            raise EditError("give the number of days (1 to 36500)", "请填写天数(1 到 36500)")
        return int(parts[0])
    if not parts:
        raise EditError("choose or type the value the condition compares with", "请选择或填写条件要比较的值")
    if op == "between":
        if len(parts) != 2:
            raise EditError("'between' needs a lower and an upper value", "“介于”需要下限和上限两个值")
        return [_typed(kind, p) for p in parts]
    if op in LIST_VALUE_OPS:  # a text input takes several values separated by commas
        return [_typed(kind, v.strip()) for p in parts for v in p.split(",") if v.strip()][:MAX_VALUES]
    return _typed(kind, parts[0])


def _typed(kind: str, raw: str) -> Any:
    """A posted value as stored: numbers for number inputs, booleans for yes/no, member ids as numbers."""
    if raw == ME or raw in MOMENTS["datetime-local"]:
        return raw
    if kind == "boolean":
        return raw == "true"
    if kind == "number" or (kind == "choices" and raw.isdigit()):
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                raise EditError(f"'{raw[:20]}' is not a number", f"“{raw[:20]}”不是数字") from None
    return raw
