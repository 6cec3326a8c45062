"""Values that are lists in one JSON column, and the portable SQL test 'the list holds this value'."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, FieldValueError
from engine.fields.base import JSON, LIST_OPS, FieldType, FilterContext
from engine.fields.types.common import ITEM_COUNT, bad_filter, blank, error, int_prop, invalid, schema, split_list
from engine.fields.types.sqltypes import NullableJSON
from engine.i18n import I18n


class json_list_has(FunctionElement[bool]):
    """SQL: the JSON list in `column` holds `value` (json_each on SQLite, jsonb @> on PostgreSQL)."""

    type = sa.Boolean()
    inherit_cache = True
    name = "json_list_has"

    def __init__(self, column: ColumnElement[Any], value: Any):
        kind: sa.types.TypeEngine[Any] = sa.BigInteger() if isinstance(value, int) else sa.Text()
        # The typed cast lets PostgreSQL infer jsonb_build_array's argument type from the parameter.
        super().__init__(column, sa.cast(sa.literal(value if isinstance(value, int) else str(value)), kind))


@compiles(json_list_has)
def _json_each(element: json_list_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = element.clauses
    return (f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "
            f"WHERE json_each.value = {compiler.process(value, **kw)})")


@compiles(json_list_has, "postgresql")
def _jsonb_contains(element: json_list_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = element.clauses
    return f"({compiler.process(column, **kw)} @> jsonb_build_array({compiler.process(value, **kw)}))"


class JSONListField(FieldType):
    """A list of distinct values in one JSON column; filters ask whether the list holds values."""

    value_type = "list"
    many = True
    operators: ClassVar[tuple[str, ...]] = LIST_OPS
    props_schema = ITEM_COUNT
    list_text: ClassVar[I18n] = {"zh": "列表", "en": "a list"}
    count_props: ClassVar[tuple[str, str]] = ("min_items", "max_items")

    item_sql: ClassVar[type[sa.types.TypeEngine[Any]]] = sa.Text  # the type of one item, read out of the list

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return NullableJSON

    # -- reports: a record counts once under each item of its list --------------------------------------
    def groupable(self, f: FieldDef) -> bool:
        """Each item is a member (files are not: they are grouped by nothing people read)."""
        return self.stored and self.in_lists and not self.layout_only and not self.holds_files(f)

    def spread(self, f: FieldDef, column: ColumnElement[Any], dialect: str) -> sa.FromClause | None:
        """json_each on SQLite (which joins a table-valued function to the rows before it), a LATERAL
        jsonb_array_elements_text on PostgreSQL, its text cast back to the item's type."""
        if dialect == "postgresql":
            items = sa.func.jsonb_array_elements_text(column).table_valued("value").render_derived()
            return sa.select(sa.cast(items.c.value, self.item_sql()).label("value")).lateral()
        return sa.func.json_each(column).table_valued("value")

    def member_op(self, f: FieldDef) -> str:
        return "contains"

    def member_label(self, f: FieldDef, value: Any, tz: Any = None) -> I18n:
        return {lang: self.format_item(f, value, lang) for lang in ("zh", "en")}

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """A list (or, from forms and sheets, text split on , ， ; or newlines) of parsed, distinct items."""
        if blank(raw):
            return None
        if fmt == JSON and not isinstance(raw, (list, tuple)):
            raise invalid(f, self.list_text)
        items = [self.parse_item(f, item, fmt) for item in split_list(raw)]
        kept: dict[Any, Any] = {}
        for item in items:
            if not blank(item):
                kept.setdefault(self.item_key(item), item)
        return list(kept.values()) or None

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        """One item of the list; raise FieldValueError if it does not fit."""
        return raw

    def item_key(self, item: Any) -> Any:
        """What makes two items the same (duplicates are dropped)."""
        return item

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        fewest, most = (int_prop(f, key) for key in self.count_props)
        if fewest and len(value) < fewest:
            errors.append(error(f, "too_few", min=fewest))
        if most and len(value) > most:
            errors.append(error(f, "too_many", max=most))
        return errors

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string"}

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        result = schema(f, "array", items=self.item_schema(f), minItems=1)
        most = int_prop(f, self.count_props[1])
        if most:
            result["maxItems"] = most
        return result

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        separator = "、" if lang == "zh" else ", "
        return separator.join(self.format_item(f, v, lang) for v in value or [])

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return str(value)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        """contains: holds every value given; in: holds any of them; not_in: none of them (or is empty)."""
        if op not in self.operators:
            raise bad_filter(f, f"no operator '{op}'")
        col = table.c[f.id]
        if op in ("empty", "not_empty"):
            return col.is_(None) if op == "empty" else col.is_not(None)
        values = [self._item_operand(f, v) for v in split_list(operand)]
        if not values:
            raise bad_filter(f, f"'{op}' needs a value")
        tests = [json_list_has(col, v) for v in values]
        if op == "contains":
            return sa.and_(*tests)
        return sa.or_(*tests) if op == "in" else sa.or_(sa.not_(sa.or_(*tests)), col.is_(None))

    def _item_operand(self, f: FieldDef, raw: Any) -> Any:
        try:
            return self.parse_item(f, raw, JSON)
        except FieldValueError as exc:
            raise bad_filter(f, str(exc)) from None
