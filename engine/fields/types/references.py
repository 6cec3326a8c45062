"""Fields that point at other things: user(s), department(s), relation, relation_many."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.fields.base import EQUALITY_OPS, JSON, FieldType, FilterContext
from engine.fields.registry import register
from engine.fields.types.choice import JSONListField
from engine.fields.types.common import as_int
from engine.fields.types.text import _title


class SingleReference(FieldType):
    """One id of a user, a department or a record."""

    value_type = "number"
    operators = EQUALITY_OPS

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "" or raw == {}:
            return None
        return as_int(f, raw)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["integer", "null"], "title": _title(f), "description": self.describe(f)}

    def describe(self, f: FieldDef) -> str:
        return "id"

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else f"#{value}"

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if operand == "$me":
            operand = ctx.user_id
        return super().filter(f, table, op, operand, ctx)


class MultiReference(JSONListField):
    """A list of ids."""

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        return as_int(f, raw)

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer"}

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return f"#{value}"


@register
class User(SingleReference):
    """A member of the workspace."""

    name = "user"
    label = {"zh": "成员单选", "en": "User"}

    def describe(self, f: FieldDef) -> str:
        return "user id"


@register
class Users(MultiReference):
    """Several members."""

    name = "users"
    label = {"zh": "成员多选", "en": "Users"}


@register
class Department(SingleReference):
    """A department."""

    name = "department"
    label = {"zh": "部门单选", "en": "Department"}

    def describe(self, f: FieldDef) -> str:
        return "department id"


@register
class Departments(MultiReference):
    """Several departments."""

    name = "departments"
    label = {"zh": "部门多选", "en": "Departments"}


@register
class Relation(SingleReference):
    """A link to one record of another form (many-to-one)."""

    name = "relation"
    label = {"zh": "关联数据", "en": "Relation"}

    def describe(self, f: FieldDef) -> str:
        return f"id of a '{f.get('to')}' record"


@register
class RelationMany(MultiReference):
    """Links to several records of another form."""

    name = "relation_many"
    label = {"zh": "关联多条", "en": "Relations"}
