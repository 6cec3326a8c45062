"""The field part of metadata/form.schema.json is generated from the field types' props_schema: one source."""

from __future__ import annotations

import json

from engine.definitions.schemas import validator
from engine.fields.registry import field_type, type_names
from engine.fields.schema_export import COMMAND, FORM_SCHEMA, generated, is_current, main, render


def test_checked_in_form_schema_is_what_the_field_types_generate() -> None:
    assert is_current(), f"metadata/form.schema.json is out of date with the field types: run `{COMMAND}`"


def test_every_type_has_its_keys_in_the_schema() -> None:
    schema = generated(json.loads(FORM_SCHEMA.read_text(encoding="utf-8")))
    assert schema["$defs"]["field"]["properties"]["type"]["enum"] == type_names()
    for name in type_names():
        own = schema["$defs"][f"field.{name}"]
        assert set(field_type(name).props_schema) <= set(own["propertyNames"]["enum"])
        assert own.get("required", []) == list(field_type(name).props_required)


def test_a_changed_props_schema_makes_the_file_stale(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "form.schema.json"
    schema = json.loads(FORM_SCHEMA.read_text(encoding="utf-8"))
    del schema["$defs"]["field.money"]
    stale.write_text(render(schema), encoding="utf-8")
    assert not is_current(stale)
    monkeypatch.setattr("engine.fields.schema_export.FORM_SCHEMA", stale)
    assert main(["--check"]) == 1
    assert main([]) == 0 and is_current(stale)


def test_a_type_accepts_only_its_own_keys() -> None:
    doc = {"form": "x", "label": "X", "fields": [
        {"id": "a", "type": "money", "label": "A", "currency": "CNY", "decimals": 2},
        {"id": "b", "type": "text", "label": "B", "currency": "CNY"},
        {"id": "c", "type": "subform", "label": "C", "fields": [{"id": "d", "type": "number", "label": "D", "to": "x"}]},
    ]}
    errors = {"/".join(map(str, e.absolute_path)) for e in validator("form").iter_errors(doc)}
    assert errors == {"fields/1", "fields/2/fields/0"}, errors  # propertyNames: the loader points at the key
