"""Helpers shared by the built-in field types: errors, options, list splitting, JSON-list filters."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldValueError
from engine.i18n import I18n, text

SPLIT = re.compile(r"[,，;；\n]+")


def invalid(f: FieldDef, expected: I18n) -> FieldValueError:
    """'X must be …' for a value of the wrong shape."""
    return FieldValueError("invalid_type", label=f.label, expected=expected)


def bad_format(f: FieldDef, expected: I18n) -> FieldValueError:
    """'X is not a valid …' for text that does not match the field's format."""
    return FieldValueError("bad_format", label=f.label, expected=expected)


def options(f: FieldDef) -> list[tuple[str, I18n]]:
    """(value, label) of each option; a plain string is both."""
    result: list[tuple[str, I18n]] = f.memo("options", lambda: _options(f))
    return result


def option_values(f: FieldDef) -> frozenset[str]:
    """The set of option values."""
    result: frozenset[str] = f.memo("option_values", lambda: frozenset(v for v, _ in options(f)))
    return result


def _options(f: FieldDef) -> list[tuple[str, I18n]]:
    found = []
    for o in f.get("options") or []:
        if isinstance(o, dict):
            found.append((str(o.get("value")), o.get("label") or str(o.get("value"))))
        else:
            found.append((str(o), str(o)))
    return found


def option_value(f: FieldDef, raw: str, by_label: bool) -> str | None:
    """The option value matching `raw` (by value, or by zh/en label when reading spreadsheets)."""
    for value, label in options(f):
        if raw == value:
            return value
    if by_label:
        for value, label in options(f):
            if raw in (text(label, "zh"), text(label, "en")):
                return value
    return None


def option_label(f: FieldDef, value: Any, lang: str) -> str:
    for v, label in options(f):
        if v == value:
            return text(label, lang)
    return str(value)


def split_list(raw: Any) -> list[Any]:
    """A list from a list, or from text split on commas, semicolons or newlines."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, str):
        return [p.strip() for p in SPLIT.split(raw) if p.strip()]
    return [raw]


def json_list_has(column: Any, value: Any, dialect: str) -> ColumnElement[bool]:
    """True where the JSON list in `column` holds `value`."""
    if dialect == "postgresql":
        contains: ColumnElement[bool] = column.op("@>", is_comparison=True)(
            sa.cast(sa.literal([value], sa.JSON), column.type))
        return contains
    each = sa.func.json_each(column).table_valued("value").alias("je")
    return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == value))


def as_int(f: FieldDef, raw: Any) -> int:
    """An id from an int, numeric text, or {"id": n}."""
    if isinstance(raw, dict):
        raw = raw.get("id")
    if isinstance(raw, bool):
        raise invalid(f, {"zh": "编号", "en": "an id"})
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise invalid(f, {"zh": "编号", "en": "an id"})
