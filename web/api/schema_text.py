"""Short human readings of JSON Schemas, for error messages and the API reference page."""

from __future__ import annotations

from typing import Any


def type_text(schema: dict[str, Any]) -> str:
    """A short human reading of a JSON Schema: `string (date)`, `one of A, B`, `array of integer`, `Customer`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(type_text(s) for s in schema["anyOf"])
    kinds = schema.get("type", "any")
    kind = " or ".join(kinds) if isinstance(kinds, list) else str(kinds)
    if "array" in kind and isinstance(schema.get("items"), dict):
        kind = kind.replace("array", f"array of {type_text(schema['items'])}")
    details = [schema["format"]] if "format" in schema else []
    details += [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength", "maxItems") if k in schema]
    if schema.get("readOnly"):
        details.append("read-only")
    return f"{kind} ({', '.join(details)})" if details else kind
