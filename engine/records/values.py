"""Parse a caller's raw values into typed values and validate them: every problem, keyed by field path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.definitions.model import FieldDef
from engine.errors import FieldError, FieldValueError
from engine.records.compute import RuleState, required_error
from engine.records.runtime import FormRuntime

Errors = dict[str, list[FieldError]]
PLAIN = (int, float, bool, Decimal)  # values that hold no text
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # C0 controls but tab, newline and carriage return


def _add(errors: Errors, path: str, error: FieldError) -> None:
    errors.setdefault(path, []).append(error)


def parse_input(rt: FormRuntime, raw: Mapping[str, Any], fmt: str, errors: Errors) -> dict[str, Any]:
    """Typed values for the fields given; unknown and computed fields are errors, not silently dropped."""
    values: dict[str, Any] = {}
    parsers, control = rt.parsers, CONTROL.search
    for key, raw_value in raw.items():
        plan = parsers.get(key)
        if plan is None:
            known = rt.form.field(key)
            code = "read_only" if known is not None and not rt.types[key].layout_only else "unknown_field"
            _add(errors, key, FieldError(code, {"label": known.label if known else key, "value": key}))
            continue
        f, parse, holds_rows = plan
        if holds_rows:
            values[key] = _parse_rows(rt, f, raw_value, fmt, errors)
            continue
        if (control(raw_value) is not None) if type(raw_value) is str else _has_control_characters(raw_value):
            _add(errors, key, FieldError("control_characters", {"label": f.label}))
            continue
        try:
            values[key] = parse(raw_value, fmt)
        except FieldValueError as exc:
            _add(errors, key, exc.error)
    return values


def _has_control_characters(value: Any) -> bool:
    """NUL and other C0 controls (but tab, newline, carriage return) never belong in a value; PostgreSQL
    refuses NUL outright, so they are refused here for every database alike."""
    if value is None or type(value) in PLAIN:
        return False
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, (list, tuple)):
        return any(_has_control_characters(v) for v in value)
    if isinstance(value, Mapping):
        return any(_has_control_characters(v) for v in value.values())
    return False


def _parse_rows(rt: FormRuntime, sub: FieldDef, raw: Any, fmt: str, errors: Errors) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        _add(errors, sub.id, FieldError("invalid_type", {"label": sub.label,
                                                         "expected": {"zh": "行的列表", "en": "a list of rows"}}))
        return []
    rows = []
    for i, raw_row in enumerate(raw):
        row: dict[str, Any] = {}
        for key, value in raw_row.items():
            if key == "id":
                continue
            col = sub.child(key)
            path = f"{sub.id}[{i}].{key}"
            if col is None or col.formula or rt.types[f"{sub.id}.{key}"].computed:
                code = "unknown_field" if col is None else "read_only"
                _add(errors, path, FieldError(code, {"label": col.label if col else key, "value": key}))
                continue
            if _has_control_characters(value):
                _add(errors, path, FieldError("control_characters", {"label": col.label}))
                continue
            try:
                row[key] = rt.types[f"{sub.id}.{key}"].parse(col, value, fmt)
            except FieldValueError as exc:
                _add(errors, path, exc.error)
        rows.append(row)
    return rows


def validate_values(rt: FormRuntime, values: Mapping[str, Any], rules: RuleState, errors: Errors) -> None:
    """Required fields (by definition or rule), bounds and options of every field and subform row."""
    hidden = rules.hidden
    for f, is_empty, holds_rows, validator in rt.checks if rules.required else rt.strict_checks:
        if hidden and f.id in hidden:
            continue
        value = values.get(f.id)
        if is_empty(value):
            if (f.required or f.id in rules.required) and not f.formula:
                _add(errors, f.id, required_error(f, rules))
            continue
        if holds_rows and isinstance(value, list):
            _validate_rows(rt, f, value, errors)
        for error in validator(value) if validator is not None else ():
            _add(errors, f.id, error)


def _validate_rows(rt: FormRuntime, sub: FieldDef, rows: list[dict[str, Any]], errors: Errors) -> None:
    for i, row in enumerate(rows):
        for col in sub.fields:
            ctype = rt.types[f"{sub.id}.{col.id}"]
            if ctype.layout_only:
                continue
            value = row.get(col.id)
            path = f"{sub.id}[{i}].{col.id}"
            if ctype.is_empty(value):
                if col.required and not col.formula:
                    _add(errors, path, FieldError("required", {"label": col.label}))
                continue
            for error in ctype.validate(col, value):
                _add(errors, path, error)
