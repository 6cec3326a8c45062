"""Every field type: contract (labels, schemas, columns, operators), parsing, formatting, storage round trips."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.definitions.model import FieldDef, frozen
from engine.errors import FieldValueError, QueryInvalid
from engine.fields.base import FORM, JSON, SHEET, FilterContext
from engine.fields.registry import field_type, type_names

SHANGHAI = ZoneInfo("Asia/Shanghai")
CTX = FilterContext(now=datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc), tz=SHANGHAI, user_id=7)
OPTIONS = [{"value": "a", "label": {"zh": "甲", "en": "Alpha"}}, {"value": "b", "label": {"zh": "乙", "en": "Beta"}}]


def fd(type_name: str, **props: Any) -> FieldDef:
    children = tuple(fd(c["type"], id=c["id"]) for c in props.pop("fields", []))
    field_id = props.pop("id", "f")
    return FieldDef(field_id, type_name, {"zh": "字段", "en": "Field"}, props=frozen(props), fields=children)


SAMPLES: dict[str, tuple[dict[str, Any], Any]] = {
    "text": ({}, "hello"), "textarea": ({}, "a\nb"), "rich_text": ({}, "<p>x</p>"), "integer": ({}, 42),
    "number": ({}, Decimal("3.14")), "money": ({}, Decimal("1234.50")), "percent": ({}, Decimal("12.50")),
    "date": ({}, date(2024, 3, 5)), "datetime": ({}, datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)),
    "time": ({}, time(14, 30)), "boolean": ({}, True), "select": ({"options": OPTIONS}, "a"),
    "radio": ({"options": OPTIONS}, "b"), "multi_select": ({"options": OPTIONS}, ["a", "b"]),
    "checkbox": ({"options": OPTIONS}, ["b"]), "tags": ({}, ["vip", "大客户"]), "email": ({}, "a@b.cn"),
    "phone": ({}, "13800138000"), "url": ({}, "https://example.com"),
    "address": ({}, {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园"}),
    "location": ({}, {"lng": 113.9, "lat": 22.5}), "user": ({}, 3), "users": ({}, [1, 2]), "department": ({}, 4),
    "departments": ({}, [4]), "relation": ({"to": "client"}, 9), "relation_many": ({"to": "client"}, [9, 10]),
    "lookup": ({"path": "client.grade"}, "vip"), "rollup": ({"source": "x", "link": "y", "aggregate": "count"}, 3),
    "subform": ({"fields": [{"id": "qty", "type": "integer"}]}, [{"qty": 1}]),
    "file": ({}, [{"id": "f1", "name": "a.pdf", "size": 10, "type": "application/pdf"}]),
    "image": ({}, [{"id": "i1", "name": "a.png"}]), "signature": ({}, {"id": "s1", "name": "sig.png"}),
    "serial": ({}, "SO-0001"), "formula": ({"result": "money", "formula": "1"}, Decimal("2.00")), "rating": ({}, 4),
    "divider": ({}, None),
}


def test_at_least_35_types_and_every_documented_type_is_registered() -> None:
    names = type_names()
    assert len(names) >= 35
    doc = (Path(__file__).parents[3] / "docs" / "definition-language.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, re.MULTILINE)) - {"id", "type", "label", "help", "required",
                                                                              "unique", "index", "default", "formula",
                                                                              "placeholder"}
    assert documented <= set(names), documented - set(names)
    assert set(SAMPLES) == set(names)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_contract(name: str) -> None:
    ftype = field_type(name)
    props, sample = SAMPLES[name]
    f = fd(name, **props)
    assert ftype.label["zh"] and ftype.label["en"] and ftype.__doc__  # type: ignore[index]
    schema = ftype.json_schema(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    if schema:
        jsonschema.validate(ftype.to_json(f, sample), schema)
        jsonschema.validate(None, schema) if "null" in str(schema) or "anyOf" in schema else None
    for column in ftype.columns(f):
        assert column.nullable
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *ftype.columns(f))
    many = isinstance(sample, list)
    for op in ftype.operators_for(f):
        operand = {"between": [sample, sample], "last_n_days": 7, "next_n_days": 7,
                   "in": sample if many else [sample], "not_in": sample if many else [sample]}
        value = operand.get(op, sample[0] if isinstance(sample, list) and op in ("contains",) else sample)
        for dialect_name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect())):
            ctx = FilterContext(CTX.now, CTX.tz, CTX.user_id, dialect_name)
            clause = ftype.filter(f, table, op, value if not isinstance(value, dict) or name != "address" else "深圳", ctx)
            str(clause.compile(dialect=dialect))


@pytest.mark.parametrize("name,props,raw,fmt,expected", [
    ("text", {}, "  hi  ", JSON, "hi"),
    ("text", {}, "", FORM, None),
    ("integer", {}, "1,234", SHEET, 1234),
    ("integer", {}, 7.0, JSON, 7),
    ("number", {"decimals": 3}, "3.14159", JSON, Decimal("3.142")),
    ("money", {}, "¥1,234.5", SHEET, Decimal("1234.50")),
    ("money", {}, 0.1, JSON, Decimal("0.10")),
    ("percent", {}, "12.5%", SHEET, Decimal("12.50")),
    ("date", {}, "2024/3/5", SHEET, date(2024, 3, 5)),
    ("date", {}, "2024年3月5日", FORM, date(2024, 3, 5)),
    ("date", {}, 45356, SHEET, date(2024, 3, 5)),
    ("date", {}, datetime(2024, 3, 5, 0, 0), SHEET, date(2024, 3, 5)),
    ("datetime", {}, "2024-03-05T14:30:00+08:00", JSON, datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)),
    ("datetime", {}, "2024-03-05T06:30:00Z", JSON, datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)),
    ("time", {}, "14:30", FORM, time(14, 30)),
    ("boolean", {}, "是", SHEET, True),
    ("boolean", {}, "on", FORM, True),
    ("boolean", {}, False, JSON, False),
    ("select", {"options": OPTIONS}, "乙", SHEET, "b"),
    ("select", {"options": OPTIONS}, "Beta", SHEET, "b"),
    ("multi_select", {"options": OPTIONS}, "甲，乙", SHEET, ["a", "b"]),
    ("tags", {}, "vip; 大客户; vip", SHEET, ["vip", "大客户"]),
    ("phone", {}, "+86 138 0013 8000", JSON, "+86 138 0013 8000"),
    ("phone", {}, "021-62118902", JSON, "021-62118902"),
    ("address", {}, "广东省 深圳市 南山区 科技园 8 栋", SHEET,
     {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园 8 栋"}),
    ("user", {}, {"id": 5}, JSON, 5),
    ("relation", {"to": "x"}, "12", FORM, 12),
    ("users", {}, "1,2", FORM, [1, 2]),
    ("location", {}, "113.9, 22.5", SHEET, {"lng": 113.9, "lat": 22.5}),
])
def test_parse(name: str, props: dict[str, Any], raw: Any, fmt: str, expected: Any) -> None:
    assert field_type(name).parse(fd(name, **props), raw, fmt) == expected


@pytest.mark.parametrize("name,props,raw,code", [
    ("integer", {}, 1.5, "invalid_type"),
    ("integer", {}, True, "invalid_type"),
    ("number", {}, "abc", "invalid_type"),
    ("money", {}, "NaN", "invalid_type"),
    ("money", {}, "1e30", "invalid_type"),
    ("date", {}, "2024-02-30", "invalid_type"),
    ("datetime", {}, "yesterday", "invalid_type"),
    ("email", {}, "not-an-email", "bad_format"),
    ("phone", {}, "12345", "bad_format"),
    ("url", {}, "javascript:alert(1)", "bad_format"),
    ("boolean", {}, "maybe", "invalid_type"),
    ("multi_select", {"options": OPTIONS}, "a", "invalid_type"),
    ("user", {}, "bob", "invalid_type"),
    ("file", {}, [{"name": "x"}], "invalid_type"),
    ("location", {}, {"lng": 500, "lat": 0}, "invalid_type"),
    ("address", {}, {"planet": "Mars"}, "invalid_type"),
    ("text", {}, {"nested": 1}, "invalid_type"),
])
def test_parse_errors(name: str, props: dict[str, Any], raw: Any, code: str) -> None:
    with pytest.raises(FieldValueError) as info:
        field_type(name).parse(fd(name, **props), raw, JSON)
    assert info.value.error.code == code
    assert info.value.error.message("zh") and info.value.error.message("en")


@pytest.mark.parametrize("name,props,value,codes", [
    ("text", {"max_length": 3}, "abcd", ["too_long"]),
    ("integer", {"min": 1, "max": 5}, 9, ["too_large"]),
    ("money", {"min": 0}, Decimal("-1"), ["too_small"]),
    ("select", {"options": OPTIONS}, "z", ["bad_option"]),
    ("select", {"options": OPTIONS, "allow_other": True}, "z", []),
    ("multi_select", {"options": OPTIONS, "max_items": 1}, ["a", "b"], ["too_many"]),
    ("rating", {"max": 5}, 6, ["too_large"]),
    ("date", {"min": "2024-01-01"}, date(2023, 12, 31), ["too_small"]),
    ("file", {"max_files": 1}, [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}], ["too_many"]),
])
def test_validate(name: str, props: dict[str, Any], value: Any, codes: list[str]) -> None:
    assert [e.code for e in field_type(name).validate(fd(name, **props), value)] == codes


@pytest.mark.parametrize("name,props,value,zh,en", [
    ("money", {}, Decimal("1234.5"), "¥1,234.50", "¥1,234.50"),
    ("money", {"currency": "USD"}, Decimal("-3"), "-$3.00", "-$3.00"),
    ("money", {"currency": "CHF"}, Decimal("3"), "CHF 3.00", "CHF 3.00"),
    ("percent", {}, Decimal("12.50"), "12.5%", "12.5%"),
    ("boolean", {}, True, "是", "Yes"),
    ("select", {"options": OPTIONS}, "a", "甲", "Alpha"),
    ("multi_select", {"options": OPTIONS}, ["a", "b"], "甲、乙", "Alpha, Beta"),
    ("datetime", {}, datetime(2024, 3, 5, 16, 30, tzinfo=timezone.utc), "2024-03-06 00:30", "2024-03-06 00:30"),
    ("address", {}, {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": None}, "广东省深圳市南山区",
     "广东省 深圳市 南山区"),
    ("rich_text", {}, "<p>a &amp; b</p>", "a & b", "a & b"),
    ("rating", {"max": 5}, 3, "★★★☆☆", "★★★☆☆"),
    ("integer", {}, 1234567, "1,234,567", "1,234,567"),
])
def test_format(name: str, props: dict[str, Any], value: Any, zh: str, en: str) -> None:
    f = fd(name, **props)
    assert field_type(name).format(f, value, "zh", SHANGHAI) == zh
    assert field_type(name).format(f, value, "en", SHANGHAI) == en


@pytest.fixture
def db(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'f.db'}")


@pytest.mark.parametrize("name", [n for n in sorted(SAMPLES) if field_type(n).stored])
def test_round_trip_through_sqlite(name: str, db: sa.Engine) -> None:
    ftype = field_type(name)
    props, sample = SAMPLES[name]
    f = fd(name, **props)
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *ftype.columns(f))
    table.create(db)
    with db.begin() as conn:
        conn.execute(table.insert().values(id=1, **ftype.to_db(f, sample)))
        conn.execute(table.insert().values(id=2, **ftype.to_db(f, None)))
        rows = {r.id: r._mapping for r in conn.execute(sa.select(table))}
    assert ftype.from_db(f, rows[1]) == sample
    assert ftype.is_empty(ftype.from_db(f, rows[2]))


def filtered(db: sa.Engine, name: str, props: dict[str, Any], values: list[Any], op: str, operand: Any) -> list[int]:
    ftype = field_type(name)
    f = fd(name, **props)
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *ftype.columns(f))
    table.create(db)
    with db.begin() as conn:
        for i, v in enumerate(values, start=1):
            conn.execute(table.insert().values(id=i, **ftype.to_db(f, v)))
        clause = ftype.filter(f, table, op, operand, CTX)
        return sorted(conn.execute(sa.select(table.c.id).where(clause)).scalars())


@pytest.mark.parametrize("name,props,values,op,operand,expected", [
    ("text", {}, ["Apple", "pineapple", "50% off", None], "contains", "APPLE", [1, 2]),
    ("text", {}, ["Apple", "pineapple", "50% off", None], "contains", "%", [3]),
    ("text", {}, ["Apple", "pineapple", "50% off", None], "not_contains", "apple", [3, 4]),
    ("text", {}, ["Apple", "pineapple", "50% off", None], "starts", "pine", [2]),
    ("text", {}, ["Apple", "pineapple", "50% off", None], "empty", None, [4]),
    ("money", {}, [Decimal("10"), Decimal("20.5"), None], "ge", "20.5", [2]),
    ("money", {}, [Decimal("10"), Decimal("20.5"), None], "between", ["5", "15"], [1]),
    ("integer", {}, [1, 2, 3], "in", [1, 3], [1, 3]),
    ("integer", {}, [1, 2, None], "ne", 1, [2, 3]),
    ("tags", {}, [["vip", "a"], ["a"], None], "contains", "vip", [1]),
    ("tags", {}, [["vip", "a"], ["a"], None], "in", ["vip", "zzz"], [1]),
    ("tags", {}, [["vip", "a"], ["a"], None], "not_in", ["vip"], [2, 3]),
    ("date", {}, [date(2024, 3, 15), date(2024, 3, 11), date(2024, 2, 1), date(2023, 6, 1)], "this_week", None, [1, 2]),
    ("date", {}, [date(2024, 3, 15), date(2024, 3, 11), date(2024, 2, 1), date(2023, 6, 1)], "last_month", None, [3]),
    ("date", {}, [date(2024, 3, 15), date(2024, 3, 11), date(2024, 2, 1), date(2023, 6, 1)], "last_year", None, [4]),
    ("date", {}, [date(2024, 3, 15), date(2024, 3, 9), date(2024, 3, 8)], "last_n_days", 7, [1, 2]),
    ("datetime", {}, [datetime(2024, 3, 14, 16, 5, tzinfo=timezone.utc), datetime(2024, 3, 14, 15, 55, tzinfo=timezone.utc)],
     "today", None, [1]),
    ("user", {}, [7, 8, None], "eq", "$me", [1]),
    ("address", {}, [{"province": "广东省", "city": "深圳市"}, {"province": "浙江省", "city": "杭州市"}], "eq",
     {"province": "广东省"}, [1]),
    ("select", {"options": OPTIONS}, ["a", "b", None], "in", "a,b", [1, 2]),
])
def test_filters_run_on_sqlite(db: sa.Engine, name: str, props: dict[str, Any], values: list[Any], op: str,
                               operand: Any, expected: list[int]) -> None:
    assert filtered(db, name, props, values, op, operand) == expected


@pytest.mark.parametrize("name,op,operand", [
    ("text", "gt", "a"), ("integer", "contains", "1"), ("date", "last_n_days", "x"), ("date", "between", ["2024-01-01"]),
    ("money", "eq", "lots"), ("boolean", "in", "maybe"),
])
def test_bad_filters_are_query_errors(name: str, op: str, operand: Any) -> None:
    ftype = field_type(name)
    f = fd(name)
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *ftype.columns(f))
    with pytest.raises(QueryInvalid):
        ftype.filter(f, table, op, operand, CTX)
