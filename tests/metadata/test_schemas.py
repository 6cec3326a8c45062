"""The JSON Schemas of the definition language: valid, described for people, and strict about typos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from jsonschema import Draft202012Validator

from engine.definitions.schemas import METADATA_DIR, kind_of, validator

CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
SCHEMAS = sorted(METADATA_DIR.glob("*.schema.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def properties(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{where}/{name}", sub
        for key, value in node.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from properties(item, f"{where}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_property_is_described(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    # `if` blocks only select a field type; they describe nothing a person writes.
    missing = [where for where, sub in properties(schema) if isinstance(sub, dict) and "description" not in sub
               and "$ref" not in sub and "/if/" not in where]
    assert missing == []


def crm_documents() -> list[Path]:
    return sorted(p for p in CRM.rglob("*.yaml") if p.name != "sample_data.yaml")


@pytest.mark.parametrize("path", crm_documents(), ids=lambda p: str(p.relative_to(CRM)))
def test_crm_documents_validate_against_their_kind(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = kind_of(data)
    assert kind is not None
    errors = [e.message for e in validator(kind).iter_errors(data)]
    assert errors == []


BROKEN = [
    ("unknown type", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "nubmer", "label": "A"}]}, "/fields/0/type"),
    ("missing label", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "text"}]}, "/fields/0"),
    ("typo'd key", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "text", "label": "A", "requird": True}]},
     "/fields/0"),
    ("select without options", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "select", "label": "A"}]},
     "/fields/0"),
    ("relation without to", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "relation", "label": "A"}]},
     "/fields/0"),
    ("bad id", {"form": "X-1", "label": "X", "fields": [{"id": "a", "type": "text", "label": "A"}]}, "/form"),
    ("key of another type", {"form": "x", "label": "X", "fields": [{"id": "a", "type": "text", "label": "A",
                                                                     "currency": "CNY"}]}, "/fields/0"),
]


@pytest.mark.parametrize("name,doc,pointer", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_documents_are_rejected_at_the_bad_place(name: str, doc: dict[str, Any], pointer: str) -> None:
    errors = list(validator("form").iter_errors(doc))
    assert errors
    paths = {"/" + "/".join(str(p) for p in e.absolute_path) for e in errors}
    paths |= {"/" + "/".join(str(p) for p in c.absolute_path) for e in errors for c in e.context or []}
    assert pointer in paths, paths
