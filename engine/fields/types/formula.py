"""The formula field: a stored value computed from a formula, behaving like the type named by `result`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, FieldType, FilterContext
from engine.fields.registry import field_type, register

RESULTS = ("text", "number", "integer", "money", "percent", "date", "datetime", "boolean")


@register
class Formula(FieldType):
    """A value the engine computes from `formula` and stores; column, parsing, display and filters follow `result`."""

    name = "formula"
    label = {"zh": "公式", "en": "Formula"}
    computed = True
    kept_apart = {"zh": "公式字段的值由公式计算", "en": "a formula's values are computed by its formula"}
    props_schema = {
        "formula": {"$ref": "common.schema.json#/$defs/formula",
                    "description": "The expression, e.g. amount * probability / 100."},
        "result": {"enum": list(RESULTS), "default": "text", "description": "Type of the computed value."},
        "decimals": {"type": "integer", "minimum": 0, "maximum": 10,
                     "description": "Decimal places for number, money and percent results."},
        "currency": {"type": "string", "description": "Currency code for money results."},
    }
    props_required = ("formula",)

    def inner(self, f: FieldDef) -> FieldType:
        """The field type of the formula's result."""
        result = str(f.get("result") or "text")
        return field_type(result if result in RESULTS else "text")

    def result_type(self, f: FieldDef) -> FieldType:
        return self.inner(f)

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return self.inner(f).sql_type(f)

    def to_db(self, f: FieldDef, value: Any) -> dict[str, Any]:
        return self.inner(f).to_db(f, value)

    def from_db(self, f: FieldDef, row: Mapping[Any, Any]) -> Any:
        return self.inner(f).from_db(f, row)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**self.inner(f).json_schema(f), "readOnly": True}

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return self.inner(f).parse(f, raw, fmt)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return self.inner(f).validate(f, value)

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return self.inner(f).to_json(f, value)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return self.inner(f).format(f, value, lang, tz)

    def operators_for(self, f: FieldDef) -> tuple[str, ...]:
        return self.inner(f).operators_for(f)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        return self.inner(f).filter(f, table, op, operand, ctx)

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        return self.inner(f).sort_key(f, table)

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        return self.inner(f).search_clause(f, table, term)
