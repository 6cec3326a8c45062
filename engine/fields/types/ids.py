"""Fields holding ids of users, departments or records: one id in an integer column, or a JSON list of ids."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.fields.base import EQUALITY_OPS, JSON, FieldType, FilterContext
from engine.fields.screen import DEPARTMENT, RECORD, USER, PostedForm, Reference
from engine.fields.types.common import as_int, bad_filter, blank, schema, split_list
from engine.fields.types.lists import JSONListField

ME = "$me"
LINKS = {"zh": "关联、人员和部门字段的值是指向记录、用户或部门的链接",
         "en": "the values of relations, people and departments are links to records, users or departments"}


class IdField(FieldType):
    """One id; accepts an int, numeric text or {"id": n}. Whether the id exists is the record service's check."""

    value_type = "number"
    operators = EQUALITY_OPS
    points_at: ClassVar[str] = "record"
    item_sql = sa.BigInteger
    widget = "picker"
    kept_apart = LINKS

    def refers_to(self, f: FieldDef) -> Reference | None:
        return reference(self.points_at, f)

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return None if blank(raw) else as_int(f, raw)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "integer", minimum=1, description=f"Id of a {self.target(f)}.")

    def target(self, f: FieldDef) -> str:
        """What the id points at, for schema descriptions."""
        return self.points_at

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else f"#{value}"


class IdListField(JSONListField):
    """A list of distinct ids in a JSON column."""

    points_at: ClassVar[str] = "record"
    kept_apart = LINKS
    list_text = {"zh": "编号列表", "en": "a list of ids"}
    widget = "picker"

    def refers_to(self, f: FieldDef) -> Reference | None:
        return reference(self.points_at, f)

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """A hidden input per chosen id."""
        return posted.values(name) or None

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        return as_int(f, raw)

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "description": f"Id of a {self.target(f)}."}

    def target(self, f: FieldDef) -> str:
        """What the ids point at, for schema descriptions."""
        return self.points_at

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return f"#{value}"


def reference(points_at: str, f: FieldDef) -> Reference:
    """The Reference of an id field: members, departments, or the records of the form its `to` names."""
    if points_at in (USER, DEPARTMENT):
        return Reference(points_at)
    return Reference(RECORD, str(f.get("to") or ""))


class MeOperand(FieldType):
    """Lets filters name the current user as `$me` (e.g. `owner eq $me`, `watchers contains $me`)."""

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        return super().filter(f, table, op, _resolve_me(f, operand, ctx), ctx)


def _resolve_me(f: FieldDef, operand: Any, ctx: FilterContext) -> Any:
    if isinstance(operand, str) and ("," in operand or "，" in operand):
        operand = split_list(operand)
    if isinstance(operand, (list, tuple)):
        return [_resolve_me(f, item, ctx) for item in operand]
    if operand != ME:
        return operand
    if ctx.user_id is None:
        raise bad_filter(f, "'$me' needs a signed-in user")
    return ctx.user_id
