"""Shared helpers for the field type tests: field definitions, one sample value per type, SQLite tables."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from engine.definitions.model import FieldDef, frozen
from engine.fields.base import FieldType, FilterContext
from engine.fields.registry import field_type

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2024-03-15, 10:30 in Shanghai; the current user is #7.
CTX = FilterContext(now=datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc), tz=SHANGHAI, user_id=7)
OPTIONS = [{"value": "a", "label": {"zh": "甲", "en": "Alpha"}}, {"value": "b", "label": {"zh": "乙", "en": "Beta"}}]
FILE = {"id": "f1", "name": "a.pdf", "size": 10, "type": "application/pdf"}
ADDRESS = {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园 8 栋"}


def fd(type_name: str, **props: Any) -> FieldDef:
    """A field `f` of the type, labelled 字段/Field; `id`, `required` and subform `fields` may be given."""
    children = tuple(fd(c.pop("type"), **c) for c in [dict(c) for c in props.pop("fields", [])])
    field_id = props.pop("id", "f")
    required = props.pop("required", False)
    return FieldDef(field_id, type_name, {"zh": "字段", "en": "Field"}, required=required, props=frozen(props),
                    fields=children)


# name → (props, a typical parsed value)
SAMPLES: dict[str, tuple[dict[str, Any], Any]] = {
    "text": ({}, "hello"), "textarea": ({}, "a\nb"), "rich_text": ({}, "<p>x</p>"), "integer": ({}, 42),
    "number": ({}, Decimal("3.14")), "money": ({}, Decimal("1234.50")), "percent": ({}, Decimal("12.50")),
    "date": ({}, date(2024, 3, 5)), "datetime": ({}, datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)),
    "time": ({}, time(14, 30)), "boolean": ({}, True), "select": ({"options": OPTIONS}, "a"),
    "radio": ({"options": OPTIONS}, "b"), "multi_select": ({"options": OPTIONS}, ["a", "b"]),
    "checkbox": ({"options": OPTIONS}, ["b"]), "tags": ({}, ["vip", "大客户"]), "email": ({}, "a@b.cn"),
    "phone": ({}, "13800138000"), "url": ({}, "https://example.com"), "address": ({}, ADDRESS),
    "location": ({}, {"lng": 113.9, "lat": 22.5}), "user": ({}, 3), "users": ({}, [1, 2]), "department": ({}, 4),
    "departments": ({}, [4]), "relation": ({"to": "client"}, 9), "relation_many": ({"to": "client"}, [9, 10]),
    "lookup": ({"path": "client.grade"}, "vip"),
    "rollup": ({"source": "order", "link": "client", "aggregate": "count"}, 3),
    "subform": ({"fields": [{"id": "qty", "type": "integer"}, {"id": "price", "type": "money"}]},
                [{"id": 1, "qty": 2, "price": Decimal("9.90")}]),
    "file": ({"max_files": 3}, [FILE]), "image": ({}, [{"id": "i1", "name": "a.png"}]),
    "signature": ({}, {"id": "s1", "name": "sig.png", "type": "image/png"}),
    "serial": ({}, "SO-0001"), "formula": ({"result": "money", "formula": "1"}, Decimal("2.00")),
    "rating": ({}, 4), "divider": ({}, None),
    "description": ({"content": "<p>Read <b>this</b> first.</p>"}, None),
    "created_by": ({}, 3), "updated_by": ({}, 4),
    "created_at": ({}, datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)),
    "updated_at": ({}, datetime(2024, 3, 6, 7, 0, tzinfo=timezone.utc)),
    "flow_node": ({}, [{"zh": "经理审批", "en": "Manager approval"}]), "flow_assignees": ({}, [1, 2]),
}


def make_table(ftype: FieldType, f: FieldDef, metadata: sa.MetaData | None = None) -> sa.Table:
    """A table `t` with an integer id and the field's columns."""
    return sa.Table("t", metadata or sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *ftype.columns(f))


def insert_values(engine: sa.Engine, name: str, props: dict[str, Any], values: list[Any]) -> tuple[FieldDef, sa.Table]:
    """Create the table in `engine` and insert one row per value (ids from 1)."""
    ftype = field_type(name)
    f = fd(name, **props)
    table = make_table(ftype, f)
    table.create(engine)
    with engine.begin() as conn:
        for i, value in enumerate(values, start=1):
            conn.execute(table.insert().values(id=i, **ftype.to_db(f, value)))
    return f, table


def matching_ids(engine: sa.Engine, table: sa.Table, clause: Any) -> list[int]:
    """Ids of the rows where `clause` holds."""
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(table.c.id).where(clause)).scalars())
