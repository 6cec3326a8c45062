"""Fields the engine computes: formula, lookup, rollup; and the layout-only divider and the subform."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, FieldType, FilterContext
from engine.fields.registry import _TYPES, register
from engine.fields.types.text import _title

RESULT_TYPES = {"text": "text", "number": "number", "integer": "integer", "money": "money", "percent": "percent",
                "date": "date", "datetime": "datetime", "boolean": "boolean"}


@register
class Formula(FieldType):
    """A value computed from a formula and stored, typed by `result`."""

    name = "formula"
    label = {"zh": "公式", "en": "Formula"}
    computed = True

    def inner(self, f: FieldDef) -> FieldType:
        return _TYPES[RESULT_TYPES.get(str(f.get("result") or "text"), "text")]

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return self.inner(f).sql_type(f)

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return self.inner(f).parse(f, raw, fmt)

    def from_db(self, f: FieldDef, row: Any) -> Any:
        return self.inner(f).from_db(f, row)

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return self.inner(f).to_json(f, value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**self.inner(f).json_schema(f), "readOnly": True}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return self.inner(f).format(f, value, lang, tz)

    def operators_for(self, f: FieldDef) -> tuple[str, ...]:
        return self.inner(f).operators

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        return self.inner(f).filter(f, table, op, operand, ctx)

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        return table.c[f.id]

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        return self.inner(f).search_clause(f, table, term)


class ReadComputed(FieldType):
    """Computed when records are read; no column."""

    stored = False
    computed = True
    operators = ()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"title": _title(f), "readOnly": True}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        from decimal import Decimal
        from datetime import date

        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [self.to_json(f, v) for v in value]
        return value


@register
class Lookup(ReadComputed):
    """A field of a related record, read through a relation (`path: client.grade`)."""

    name = "lookup"
    label = {"zh": "关联查询", "en": "Lookup"}


@register
class Rollup(ReadComputed):
    """An aggregate (count, sum, avg, min, max) over the records pointing here."""

    name = "rollup"
    label = {"zh": "汇总", "en": "Rollup"}
    value_type = "number"

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        return "" if value is None else str(value)


@register
class Subform(FieldType):
    """Rows of columns, stored in a child table."""

    name = "subform"
    label = {"zh": "子表单", "en": "Subform"}
    value_type = "list"
    stored = False
    operators = ()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return raw

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        rows = len(value or [])
        if f.get("min_rows") and rows < int(f.get("min_rows")):
            return [FieldError("too_few", {"label": f.label, "min": f.get("min_rows")})]
        if f.get("max_rows") and rows > int(f.get("max_rows")):
            return [FieldError("too_many", {"label": f.label, "max": f.get("max_rows")})]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        properties = {c.id: _TYPES[c.type].json_schema(c) for c in f.fields if c.type in _TYPES}
        return {"type": ["array", "null"], "title": _title(f),
                "items": {"type": "object", "properties": properties, "additionalProperties": False}}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        rows = len(value or [])
        return f"{rows} 行" if lang == "zh" else f"{rows} row(s)"


@register
class Divider(FieldType):
    """A heading that separates parts of a form; holds no value."""

    name = "divider"
    label = {"zh": "分割线", "en": "Divider"}
    stored = False
    layout_only = True
    operators = ()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {}
