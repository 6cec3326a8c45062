"""Helpers shared by the built-in field types: errors, schema pieces, blank input, list splitting, ids."""

from __future__ import annotations

import re
from typing import Any

from engine.definitions.model import FieldDef
from engine.errors import FieldError, FieldValueError, QueryInvalid
from engine.i18n import I18n, text

SPLIT = re.compile(r"[,，;；\n]+")
ID_TEXT = {"zh": "编号", "en": "an id"}

# props_schema fragments used by several types.
MIN_MAX: dict[str, Any] = {
    "min": {"type": "number", "description": "Smallest value allowed."},
    "max": {"type": "number", "description": "Largest value allowed."},
}
ITEM_COUNT: dict[str, Any] = {
    "min_items": {"type": "integer", "minimum": 0, "description": "Fewest values that may be chosen."},
    "max_items": {"type": "integer", "minimum": 1, "description": "Most values that may be chosen."},
}


def invalid(f: FieldDef, expected: I18n) -> FieldValueError:
    """'X must be …' for a value of the wrong shape."""
    return FieldValueError("invalid_type", label=f.label, expected=expected)


def bad_format(f: FieldDef, expected: I18n) -> FieldValueError:
    """'X is not a valid …' for text that does not match the field's format."""
    return FieldValueError("bad_format", label=f.label, expected=expected)


def error(f: FieldDef, code: str, **params: Any) -> FieldError:
    """A validation error about field `f`, with its label and the code's parameters."""
    return FieldError(code, {"label": f.label, **params})


def bad_filter(f: FieldDef, problem: str) -> QueryInvalid:
    """A query error about a filter on field `f`."""
    return QueryInvalid("bad_filter", message=f"{f.id}: {problem}")


def title(f: FieldDef) -> str:
    """The field's English label, used as the `title` of its JSON Schema."""
    return text(f.label, "en")


def schema(f: FieldDef, kind: str, **keywords: Any) -> dict[str, Any]:
    """A JSON Schema for a value of JSON type `kind` or null, titled with the field's label."""
    return {"type": [kind, "null"], "title": title(f), **keywords}


def blank(raw: Any) -> bool:
    """True for input meaning 'no value': None, blank text, an empty list or object."""
    if isinstance(raw, str):
        return not raw.strip()
    return raw is None or raw == [] or raw == {}


def split_list(raw: Any) -> list[Any]:
    """A list from a list, or from text split on commas, semicolons or newlines."""
    if blank(raw):
        return []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, str):
        return [p.strip() for p in SPLIT.split(raw) if p.strip()]
    return [raw]


def as_int(f: FieldDef, raw: Any) -> int:
    """An id from an int, numeric text, or {"id": n}."""
    if isinstance(raw, dict):
        raw = raw.get("id")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise invalid(f, ID_TEXT)


def int_prop(f: FieldDef, key: str, default: int | None = None) -> int | None:
    """An integer property of the field (None when absent and no default)."""
    value = f.get(key)
    return default if value is None else int(value)
