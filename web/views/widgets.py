"""Helpers the form templates call: a value as an input shows it, and the options of a choice field."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from engine.definitions.model import FieldDef
from engine.i18n import text

LIST_TYPES = {"multi_select", "checkbox", "users", "departments", "relation_many", "tags"}


def input_value(f: FieldDef, value: Any, tz: tzinfo) -> Any:
    """What an input's value attribute holds for a typed (or re-posted raw) value."""
    if value is None or value == "":
        return [] if f.type in LIST_TYPES else {} if f.type == "address" else ""
    if f.type == "datetime":
        moment = value if isinstance(value, datetime) else _parse_moment(str(value))
        if moment is None:
            return str(value)
        local = moment.astimezone(tz) if moment.tzinfo else moment
        return local.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, (dict, bool)):
        return value
    if f.type == "tags":  # re-posted as typed ("a, b") after a failed save
        return [part.strip() for part in str(value).split(",") if part.strip()]
    return str(value)


def _parse_moment(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def options_of(f: FieldDef, choices: dict[str, list[tuple[Any, str]]], lang: str) -> list[tuple[Any, str]]:
    """(value, text) pairs of a choice field: its options, or the users/departments/records it can point to."""
    if f.id in choices and f.type in ("user", "users", "department", "departments", "relation", "relation_many"):
        return choices[f.id]
    found = []
    for o in f.get("options") or []:
        if isinstance(o, dict):
            found.append((str(o.get("value")), text(o.get("label") or str(o.get("value")), lang)))
        else:
            found.append((str(o), str(o)))
    return found


def differs(f: FieldDef, saved: Any, mine: Any, tz: tzinfo) -> bool:
    """True when the saved value and the posted one show differently."""
    a, b = input_value(f, saved, tz), input_value(f, mine, tz)
    return (sorted(map(str, a)) if isinstance(a, list) else str(a)) != \
        (sorted(map(str, b)) if isinstance(b, list) else str(b))
