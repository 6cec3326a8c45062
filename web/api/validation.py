"""Values sent to the API are checked against the form's published input schema first, so the document is the contract.

Every schema violation becomes a catalogue error at its field path (`items[2].quantity`), all at once; the record
service then applies what a schema cannot say (rules, uniqueness, references).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.errors import FieldError, RecordInvalid
from engine.fields.registry import field_type
from web.api.input import MAX_ID
from web.api.schema_text import type_text


def input_schema(f: FieldDef) -> dict[str, Any]:
    """A writable field's schema; a required field admits no empty value (null, '', [])."""
    result: dict[str, Any] = _bounded(copy.deepcopy(field_type(f.type).json_schema(f)))
    if not f.required:
        return result
    kinds = result.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        result["type"] = [k for k in kinds if k != "null"]
        result["type"] = result["type"][0] if len(result["type"]) == 1 else result["type"]
    if isinstance(result.get("enum"), list):
        result["enum"] = [v for v in result["enum"] if v is not None]
    if isinstance(result.get("anyOf"), list):
        result["anyOf"] = [s for s in result["anyOf"] if s != {"type": "null"}]
    kind = result.get("type")
    if kind == "string":
        result.setdefault("minLength", 1)
    if kind == "array":
        result.setdefault("minItems", 1)
    return result


def _bounded(schema: Any) -> Any:
    """Every integer in the schema bounded to what a BIGINT column holds (in place)."""
    if isinstance(schema, dict):
        kinds = schema.get("type")
        if kinds == "integer" or isinstance(kinds, list) and "integer" in kinds:
            schema.setdefault("minimum", -MAX_ID)
            schema.setdefault("maximum", MAX_ID)
        for value in schema.values():
            _bounded(value)
    elif isinstance(schema, list):
        for item in schema:
            _bounded(item)
    return schema


def values_input_schema(form: FormDef) -> dict[str, Any]:
    """JSON Schema of the values a client may send for a form."""
    properties = {}
    for f in form.fields:
        ftype = field_type(f.type)
        if not (ftype.layout_only or ftype.computed or f.formula):
            properties[f.id] = input_schema(f)
    return {"type": "object", "properties": properties, "additionalProperties": False}


def path_of(parts: list[Any]) -> str:
    """`items[2].quantity` from ['items', 2, 'quantity']."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _field(form: FormDef, parts: list[Any]) -> FieldDef | None:
    names = [p for p in parts if isinstance(p, str)]
    f = form.field(names[0]) if names else None
    for name in names[1:]:
        f = f.child(name) if f is not None else None
    return f


def _errors(form: FormDef, error: ValidationError) -> Iterator[tuple[str, FieldError]]:
    parts = list(error.absolute_path)
    f = _field(form, parts)
    label = f.label if f is not None else (path_of(parts) or "values")
    keyword, value, schema = error.validator, error.instance, error.schema
    empty = value is None or value == "" or value == []
    if keyword == "additionalProperties" and isinstance(value, dict):
        for name in sorted(set(value) - set(schema.get("properties", {}))):
            yield path_of([*parts, name]), FieldError("unknown_field", {"value": name})
    elif f is not None and f.required and empty and keyword in ("type", "enum", "minLength", "minItems", "anyOf"):
        yield path_of(parts), FieldError("required", {"label": label})
    elif keyword == "enum":
        yield path_of(parts), FieldError("bad_option", {"label": label, "value": value})
    elif keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minLength", "maxLength",
                     "minItems", "maxItems"):
        code = {"minimum": "too_small", "exclusiveMinimum": "too_small", "maximum": "too_large",
                "exclusiveMaximum": "too_large", "minLength": "too_short", "maxLength": "too_long",
                "minItems": "too_few", "maxItems": "too_many"}[str(keyword)]
        bound = "min" if code in ("too_small", "too_short", "too_few") else "max"
        yield path_of(parts), FieldError(code, {"label": label, bound: error.validator_value})
    elif keyword == "required":
        yield path_of(parts), FieldError("required", {"label": error.message.split("'")[1]
                                                      if "'" in error.message else label})
    elif keyword in ("format", "pattern"):
        expected = schema.get("format") or schema.get("description") or "value"
        yield path_of(parts), FieldError("bad_format", {"label": label, "expected": expected})
    else:
        yield path_of(parts), FieldError("invalid_type", {"label": label, "expected": type_text(schema)})


class InputCheck:
    """Validators of every form's input values, compiled once per set of definitions.

    Each form has two: a compiled one (jsonschema-rs, in Rust) that only answers whether the values are valid, about
    a hundred times faster, and the pure-Python one that lists every problem. Valid values — nearly every call — cost
    the first alone; the second runs only for values the first refuses, and has the last word on them.
    """

    def __init__(self, defs: Definitions):
        self.defs = defs
        schemas = {form_id: values_input_schema(form) for form_id, form in defs.forms.items()}
        self.validators = {form_id: Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                           for form_id, schema in schemas.items()}
        self.compiled = {form_id: jsonschema_rs.validator_for(schema, validate_formats=True)
                         for form_id, schema in schemas.items()}

    def check(self, form_id: str, values: dict[str, Any]) -> None:
        """RecordInvalid with every way the values break the form's input schema."""
        try:
            if self.compiled[form_id].is_valid(values):
                return
        except (ValueError, OverflowError):  # a value it cannot take in (a huge integer): the full check judges
            pass
        errors: dict[str, list[FieldError]] = {}
        for error in self.validators[form_id].iter_errors(values):
            for path, problem in _errors(self.defs.forms[form_id], error):
                if problem not in errors.setdefault(path, []):
                    errors[path].append(problem)
        if errors:
            raise RecordInvalid(errors)
