"""Validate definition documents against the JSON Schemas in metadata/, reporting every problem with its line."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from engine.definitions.suggest import closest
from engine.definitions.yamlsource import YamlDocument, escape
from engine.errors import Problem

METADATA_DIR = Path(__file__).resolve().parents[2] / "metadata"


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted(METADATA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        resources.append((schema.get("$id", path.name), resource))
        resources.append((path.name, resource))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    """The validator of one document kind."""
    from engine.definitions.kinds import get_kind  # the registry loads the kinds' builders and checks

    schema = json.loads((METADATA_DIR / get_kind(kind).schema_file).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def kind_of(data: Any) -> str | None:
    """A document's kind: its first top-level key, if that is a registered kind."""
    from engine.definitions.kinds import kind_names  # the registry loads the kinds' builders and checks

    if isinstance(data, dict) and data:
        first = next(iter(data))
        if first in kind_names():
            return str(first)
    return None


def schema_problems(doc: YamlDocument, kind: str) -> list[Problem]:
    """Every schema violation in a document, one problem per place, with a suggestion where one fits."""
    problems: dict[tuple[str, str], Problem] = {}
    for error in validator(kind).iter_errors(doc.data):
        for problem in _problems_of(doc, _deepest(error)):
            problems.setdefault((problem.path, problem.message), problem)
    return sorted(problems.values(), key=lambda p: (p.line, p.path))


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the branch error that got furthest into the document."""
    if error.context:
        best = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type", -len(e.context or [])))
        if len(best.absolute_path) >= len(error.absolute_path):
            return _deepest(best)
    return error


def _pointer(path: Any) -> str:
    return "".join(f"/{escape(str(p))}" for p in path)


def _problems_of(doc: YamlDocument, error: ValidationError) -> list[Problem]:
    pointer = _pointer(error.absolute_path)
    line = doc.line(pointer)
    validator_name = error.validator
    if validator_name == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list((error.schema or {}).get("properties", {}) if isinstance(error.schema, dict) else [])
        extras = [k for k in error.instance if k not in allowed]
        return [
            Problem(doc.file, doc.lines.get(f"{pointer}/{escape(str(k))}#key", line), f"{pointer}/{escape(str(k))}",
                    f"unknown property '{k}'", closest(str(k), allowed))
            for k in extras
        ] or [Problem(doc.file, line, pointer, error.message)]
    if validator_name == "propertyNames" and isinstance(error.instance, dict):
        allowed = list(error.validator_value.get("enum", [])) if isinstance(error.validator_value, dict) else []
        kind = error.instance.get("type", "")
        return [
            Problem(doc.file, doc.lines.get(f"{pointer}/{escape(str(k))}#key", line), f"{pointer}/{escape(str(k))}",
                    f"property '{k}' does not apply to a field of type '{kind}'", closest(str(k), allowed))
            for k in error.instance if k not in allowed
        ] or [Problem(doc.file, line, pointer, error.message)]
    if validator_name == "unevaluatedProperties" and isinstance(error.instance, dict):
        return [Problem(doc.file, line, pointer, error.message)]
    if validator_name == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        return [Problem(doc.file, line, pointer, f"missing required property '{missing}'")]
    if validator_name == "enum" and "propertyNames" in error.schema_path:
        key = str(error.instance)
        parent = _at(doc.data, error.absolute_path)
        kind = parent.get("type", "") if isinstance(parent, dict) else ""
        allowed = [str(o) for o in error.validator_value]
        return [Problem(doc.file, doc.lines.get(f"{pointer}/{escape(key)}#key", line), f"{pointer}/{escape(key)}",
                        f"property '{key}' does not apply to a field of type '{kind}'", closest(key, allowed))]
    if validator_name in ("enum", "const"):
        options = error.validator_value if validator_name == "enum" else [error.validator_value]
        shown = ", ".join(map(str, options[:12])) + (", …" if len(options) > 12 else "")
        suggestion = closest(str(error.instance), [str(o) for o in options])
        if pointer.endswith("/type") and "/fields/" in pointer:
            return [Problem(doc.file, line, pointer, f"unknown field type '{error.instance}'", suggestion)]
        return [Problem(doc.file, line, pointer, f"'{error.instance}' is not one of: {shown}", suggestion)]
    if validator_name == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return [Problem(doc.file, line, pointer, f"expected {expected_text}, got {_json_type(error.instance)}")]
    if validator_name == "pattern":
        return [Problem(doc.file, line, pointer, f"'{error.instance}' does not match the pattern {error.validator_value}")]
    return [Problem(doc.file, line, pointer, error.message)]


def _at(data: Any, path: Any) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
