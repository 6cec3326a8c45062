"""The field part of metadata/form.schema.json, generated from the registered field types' `props_schema`.

Run `python -m engine.fields.schema_export` after adding or changing a field type; `--check` only says whether
the file is up to date (a test runs the same comparison).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from engine.fields.registry import field_type, type_names

FORM_SCHEMA = Path(__file__).resolve().parents[2] / "metadata" / "form.schema.json"
COMMAND = "python -m engine.fields.schema_export"
TYPE_DEF = "field.{}"  # the $defs entry of one type's keys

# Keys every field may have, whatever its type.
COMMON_KEYS: dict[str, Any] = {
    "id": {"$ref": "common.schema.json#/$defs/id",
           "description": "Column name, unique in the form; not a system column (id, created_at, owner_id, version…)."},
    "type": {"description": "Field type; see docs/definition-language.md."},
    "label": {"$ref": "common.schema.json#/$defs/text", "description": "Label shown on forms, lists and exports."},
    "help": {"$ref": "common.schema.json#/$defs/text", "description": "Help text shown under the input."},
    "placeholder": {"$ref": "common.schema.json#/$defs/text", "description": "Hint shown inside an empty input."},
    "required": {"type": "boolean", "description": "A value must be given."},
    "unique": {"type": "boolean", "description": "No two live records may share the value."},
    "index": {"type": "boolean", "description": "Create a database index (faster filters and sorting)."},
    "default": {
        "description": "Default value: a literal, $me, $my_department, $today, $now, {formula: …}, or "
                       "{from: <relation field>, field: <field of its form>} (copied from the chosen record).",
        "if": {"type": "object", "required": ["from"]},
        "then": {"type": "object", "required": ["from", "field"], "additionalProperties": False,
                 "properties": {"from": {"$ref": "common.schema.json#/$defs/id",
                                         "description": "A single relation field of this form."},
                                "field": {"$ref": "common.schema.json#/$defs/id",
                                          "description": "The field of the related form whose value is copied."}}},
    },
    "formula": {"$ref": "common.schema.json#/$defs/formula",
                "description": "Computes the value from other fields; the field becomes read-only."},
}


def type_schema(name: str) -> dict[str, Any]:
    """The schema a field of one type must also meet: only its keys (common or its own), its own keys' shapes and
    the ones it requires."""
    ftype = field_type(name)
    own = dict(ftype.props_schema)
    schema: dict[str, Any] = {
        "description": f"Keys of a {name} field.",
        "propertyNames": {"enum": list(dict.fromkeys([*COMMON_KEYS, *own]))},
        "properties": own,
    }
    if ftype.props_required:
        schema["required"] = list(ftype.props_required)
    return schema


def field_schema(names: list[str]) -> dict[str, Any]:
    """The `field` definition: common keys, the type names, and one if/then per type that applies its keys."""
    every_key = dict.fromkeys(k for name in names for k in field_type(name).props_schema)
    return {
        "type": "object",
        "description": "A field of a form (or a column of a subform).",
        "required": ["id", "type", "label"],
        "additionalProperties": False,
        "properties": {
            **COMMON_KEYS,
            "type": {"enum": names, **COMMON_KEYS["type"]},
            # Every key of some type is known here, so a typo is an unknown key; its type's `then` checks it.
            **{key: True for key in every_key if key not in COMMON_KEYS},
        },
        "allOf": [{"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                   "then": {"$ref": f"#/$defs/{TYPE_DEF.format(name)}"}} for name in names],
    }


def generated(current: dict[str, Any]) -> dict[str, Any]:
    """The form schema `current` with its field part rebuilt from the registered field types."""
    names = type_names()
    kept = {k: v for k, v in current.get("$defs", {}).items() if k != "field" and not k.startswith("field.")}
    defs = {"field": field_schema(names), **kept, **{TYPE_DEF.format(n): type_schema(n) for n in names}}
    return {**current, "$defs": defs}


def render(schema: dict[str, Any]) -> str:
    """The schema as it is written to metadata/ (two-space indent, UTF-8 text, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def is_current(path: Path = FORM_SCHEMA) -> bool:
    """True when the form schema on disk is what the field types generate."""
    text = path.read_text(encoding="utf-8")
    return text == render(generated(json.loads(text)))


def write(path: Path = FORM_SCHEMA) -> bool:
    """Regenerate the field part of the form schema; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    new = render(generated(json.loads(text)))
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str]) -> int:
    """`--check`: exit 1 when the file is stale; otherwise regenerate it."""
    if "--check" in argv:
        if is_current(FORM_SCHEMA):
            return 0
        print(f"{FORM_SCHEMA.name} is out of date with the field types: run `{COMMAND}`", file=sys.stderr)
        return 1
    print(f"{FORM_SCHEMA.name}: {'regenerated' if write(FORM_SCHEMA) else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
