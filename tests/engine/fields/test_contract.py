"""Every field type keeps the contract: documented, labelled, valid schemas, nullable columns, SQL on both dialects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from engine.fields.base import RELATIVE_DATE_OPS, FilterContext
from engine.fields.registry import field_type, type_names
from tests.engine.fields.fieldkit import CTX, SAMPLES, fd, make_table

DOC = Path(__file__).parents[3] / "docs" / "definition-language.md"
TYPE_ROW = re.compile(r"^\| `([a-z_]+)` \|([^|]*)\|([^|]*)\|$", re.MULTILINE)
PROPERTY = re.compile(r"`([a-z_]+)(?::[^`]*)?`")
DIALECTS = (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect()))
VALUE_TYPES = {"text", "number", "boolean", "date", "datetime", "list", "any"}
FORM_LEVEL = {"numbering"}  # serial's pattern is a property of the form, not of the field

# name → (value_type, stored, computed, layout_only)
FLAGS: dict[str, tuple[str, bool, bool, bool]] = {
    **{n: ("text", True, False, False) for n in ("text", "textarea", "rich_text", "email", "phone", "url")},
    **{n: ("number", True, False, False) for n in ("integer", "number", "money", "percent", "rating")},
    "date": ("date", True, False, False), "datetime": ("datetime", True, False, False),
    "time": ("any", True, False, False), "boolean": ("boolean", True, False, False),
    "select": ("text", True, False, False), "radio": ("text", True, False, False),
    **{n: ("list", True, False, False) for n in ("multi_select", "checkbox", "tags", "users", "departments",
                                                 "relation_many", "file", "image")},
    "address": ("any", True, False, False), "location": ("any", True, False, False),
    "user": ("number", True, False, False), "department": ("number", True, False, False),
    "relation": ("number", True, False, False), "lookup": ("any", False, True, False),
    "rollup": ("number", False, True, False), "subform": ("list", False, False, False),
    "signature": ("any", True, False, False), "serial": ("text", True, True, False),
    "formula": ("any", True, True, False), "divider": ("any", False, False, True),
    "description": ("any", False, False, True),
    **{n: ("number", False, True, False) for n in ("created_by", "updated_by")},
    **{n: ("datetime", False, True, False) for n in ("created_at", "updated_at")},
    "flow_node": ("text", False, True, False), "flow_assignees": ("list", False, True, False),
}


def documented_types() -> dict[str, set[str]]:
    """Type name → the property keys the definition language documents for it."""
    return {m.group(1): set(PROPERTY.findall(m.group(3))) for m in TYPE_ROW.finditer(DOC.read_text("utf-8"))}


def test_at_least_35_types_and_every_documented_type_is_registered() -> None:
    names = type_names()
    documented = documented_types()
    assert len(names) >= 35 and len(documented) >= 35
    assert set(documented) <= set(names), set(documented) - set(names)
    assert set(SAMPLES) == set(names) == set(FLAGS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_labels_docstring_and_flags(name: str) -> None:
    ftype = field_type(name)
    assert isinstance(ftype.label, dict) and ftype.label["zh"] and ftype.label["en"]
    assert ftype.__doc__ and ftype.__doc__.strip().endswith(".")
    assert ftype.value_type in VALUE_TYPES
    assert (ftype.value_type, ftype.stored, ftype.computed, ftype.layout_only) == FLAGS[name]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_props_schema_describes_every_documented_property(name: str) -> None:
    props = field_type(name).props_schema
    jsonschema.Draft202012Validator.check_schema({"type": "object", "properties": dict(props)})
    assert all(spec.get("description") for spec in props.values()), props
    assert documented_types().get(name, set()) - FORM_LEVEL <= set(props)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_schema_is_valid_and_describes_to_json(name: str) -> None:
    ftype = field_type(name)
    props, sample = SAMPLES[name]
    f = fd(name, **props)
    schema = ftype.json_schema(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(ftype.to_json(f, sample))
    validator.validate(ftype.to_json(f, None))
    if schema:
        assert schema["title"] == "Field"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_columns_are_nullable_and_create_on_both_dialects(name: str) -> None:
    ftype = field_type(name)
    props, _ = SAMPLES[name]
    f = fd(name, **props)
    columns = ftype.columns(f)
    assert all(c.nullable for c in columns)
    assert bool(columns) == ftype.stored
    for _, dialect in DIALECTS:
        str(CreateTable(make_table(ftype, f)).compile(dialect=dialect))


@pytest.mark.parametrize("name,sqlite_type,pg_type", [
    ("money", "REAL", "NUMERIC(20, 2)"), ("datetime", "DATETIME", "TIMESTAMP WITH TIME ZONE"),
    ("tags", "JSON", "JSONB"), ("integer", "BIGINT", "BIGINT"), ("text", "VARCHAR(255)", "VARCHAR(255)"),
    ("textarea", "TEXT", "TEXT"), ("date", "DATE", "DATE"), ("rating", "INTEGER", "INTEGER"),
    ("serial", "VARCHAR(64)", "VARCHAR(64)"),
])
def test_column_types_per_dialect(name: str, sqlite_type: str, pg_type: str) -> None:
    ftype = field_type(name)
    table = make_table(ftype, fd(name))
    assert f"f {sqlite_type}" in str(CreateTable(table).compile(dialect=sqlite.dialect()))
    assert f"f {pg_type}" in str(CreateTable(table).compile(dialect=postgresql.dialect()))


@pytest.mark.parametrize("props,ddl", [
    ({"max_length": 100}, "VARCHAR(100)"), ({"max_length": 2000}, "TEXT"),
])
def test_text_length_decides_the_column(props: dict[str, Any], ddl: str) -> None:
    table = make_table(field_type("text"), fd("text", **props))
    assert f"f {ddl}" in str(CreateTable(table).compile(dialect=postgresql.dialect()))


def test_decimal_scale_follows_decimals_on_postgresql() -> None:
    table = make_table(field_type("number"), fd("number", decimals=4))
    assert "NUMERIC(20, 4)" in str(CreateTable(table).compile(dialect=postgresql.dialect()))


def test_address_has_four_columns() -> None:
    columns = field_type("address").columns(fd("address", id="addr", level="city"))
    assert [c.name for c in columns] == ["addr_province", "addr_city", "addr_district", "addr_detail"]


def operand_for(name: str, op: str, sample: Any, json_sample: Any) -> Any:
    """A realistic operand for `op` on a field of type `name` (as a JSON API caller would send it)."""
    if op in ("empty", "not_empty") or op in RELATIVE_DATE_OPS and "_n_" not in op:
        return None
    if "_n_" in op:
        return 7
    if name == "address":
        return {"province": "广东省"} if op == "eq" else "深圳"
    if name in ("user", "users") and op in ("eq", "contains"):
        return "$me"
    many = isinstance(sample, list)
    scalar = json_sample[0] if many else json_sample
    if op == "between":
        return [scalar, scalar]
    if op in ("in", "not_in"):
        return json_sample if many else [scalar]
    return "hel" if op in ("contains", "not_contains", "starts") and not many else scalar


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_operator_compiles_on_both_dialects(name: str) -> None:
    ftype = field_type(name)
    props, sample = SAMPLES[name]
    f = fd(name, **props)
    if not ftype.stored:
        assert ftype.operators_for(f) == ()
        return
    table = make_table(ftype, f)
    assert ftype.operators_for(f), name
    for op in ftype.operators_for(f):
        operand = operand_for(name, op, sample, ftype.to_json(f, sample))
        for dialect_name, dialect in DIALECTS:
            ctx = FilterContext(CTX.now, CTX.tz, CTX.user_id, dialect_name)
            clause = ftype.filter(f, table, op, operand, ctx)
            assert str(clause.compile(dialect=dialect)), (name, op)
    assert str(ftype.sort_key(f, table).compile(dialect=postgresql.dialect()))


@pytest.mark.parametrize("dialect_name,dialect,fragment", [
    ("sqlite", sqlite.dialect(), "EXISTS (SELECT 1 FROM json_each(t.f) WHERE json_each.value = CAST(? AS TEXT))"),
    ("postgresql", postgresql.dialect(), "(t.f @> jsonb_build_array(CAST(%(param_1)s"),
])
def test_list_membership_sql_per_dialect(dialect_name: str, dialect: sa.Dialect, fragment: str) -> None:
    f = fd("tags")
    table = make_table(field_type("tags"), f)
    clause = field_type("tags").filter(f, table, "contains", "vip", CTX)
    assert fragment in str(clause.compile(dialect=dialect))


def test_list_membership_of_ids_binds_integers_on_postgresql() -> None:
    f = fd("users")
    table = make_table(field_type("users"), f)
    compiled = field_type("users").filter(f, table, "contains", 5, CTX).compile(dialect=postgresql.dialect())
    assert "jsonb_build_array(CAST(%(param_1)s" in str(compiled) and "AS BIGINT)))" in str(compiled)
    assert compiled.params == {"param_1": 5}


@pytest.mark.parametrize("name", sorted(n for n in SAMPLES if field_type(n).searchable))
def test_searchable_types_give_a_search_clause(name: str) -> None:
    ftype = field_type(name)
    f = fd(name, **SAMPLES[name][0])
    clause = ftype.search_clause(f, make_table(ftype, f), "50%")
    assert clause is not None
    assert "ESCAPE '/'" in str(clause.compile(dialect=postgresql.dialect()))


def test_non_text_types_are_not_searched() -> None:
    f = fd("integer")
    assert field_type("integer").search_clause(f, make_table(field_type("integer"), f), "1") is None


@pytest.mark.parametrize("result,ops_like", [
    ("money", "money"), ("date", "date"), ("text", "text"), ("boolean", "boolean"), ("unknown", "text"),
])
def test_formula_behaves_like_its_result_type(result: str, ops_like: str) -> None:
    f = fd("formula", result=result)
    formula = field_type("formula")
    assert formula.operators_for(f) == field_type(ops_like).operators
    assert formula.json_schema(f)["readOnly"] is True
    assert type(formula.sql_type(f)) is type(field_type(ops_like).sql_type(f))


def test_subform_schema_is_built_from_its_columns() -> None:
    f = fd("subform", min_rows=1, max_rows=5, fields=[{"id": "qty", "type": "integer", "min": 1},
                                                      {"id": "note", "type": "text"},
                                                      {"id": "line", "type": "divider"}])
    schema = field_type("subform").json_schema(f)
    row = schema["items"]
    assert set(row["properties"]) == {"id", "qty", "note"}
    assert row["properties"]["qty"] == {"type": ["integer", "null"], "title": "Field", "minimum": 1}
    assert (schema["minItems"], schema["maxItems"]) == (1, 5)
    jsonschema.validate([{"id": 3, "qty": 2, "note": None}], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"qty": 2, "other": 1}], schema)


@pytest.mark.parametrize("name,props,fragment", [
    ("select", {"options": ["高", "低"]}, {"enum": ["高", "低", None]}),
    ("select", {"options": ["高"], "allow_other": True}, {"type": ["string", "null"]}),
    ("money", {}, {"pattern": r"^-?\d+(\.\d+)?$"}),
    ("integer", {"min": 0, "max": 9}, {"minimum": 0, "maximum": 9}),
    ("text", {"max_length": 20}, {"maxLength": 20}),
    ("date", {}, {"format": "date"}),
    ("datetime", {}, {"format": "date-time"}),
    ("rating", {"max": 10}, {"maximum": 10}),
    ("users", {"max_items": 3}, {"maxItems": 3}),
    ("multi_select", {"options": ["x", "y"]}, {"items": {"enum": ["x", "y"]}}),
])
def test_json_schema_details(name: str, props: dict[str, Any], fragment: dict[str, Any]) -> None:
    schema = field_type(name).json_schema(fd(name, **props))
    assert {k: schema.get(k) for k in fragment} == fragment
