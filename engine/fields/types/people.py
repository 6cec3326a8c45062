"""People and organisation fields: user, users, department, departments (ids; names are read from the database)."""

from __future__ import annotations

from engine.fields.registry import register
from engine.fields.types.common import ITEM_COUNT
from engine.fields.types.ids import IdField, IdListField, MeOperand


@register
class User(MeOperand, IdField):
    """One member of the workspace; filters accept `$me`."""

    name = "user"
    label = {"zh": "成员单选", "en": "User"}
    points_at = "user"


@register
class Users(MeOperand, IdListField):
    """Several members of the workspace; filters accept `$me`."""

    name = "users"
    label = {"zh": "成员多选", "en": "Users"}
    points_at = "user"
    props_schema = {"max_items": ITEM_COUNT["max_items"]}


@register
class Department(IdField):
    """One department."""

    name = "department"
    label = {"zh": "部门单选", "en": "Department"}
    points_at = "department"


@register
class Departments(IdListField):
    """Several departments."""

    name = "departments"
    label = {"zh": "部门多选", "en": "Departments"}
    points_at = "department"
    props_schema = {"max_items": ITEM_COUNT["max_items"]}
