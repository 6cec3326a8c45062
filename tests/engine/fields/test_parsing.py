"""Parsing JSON, form and spreadsheet input into values, the errors for bad input, and validation of bounds."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import FieldValueError
from engine.fields.base import FORM, JSON, SHEET
from engine.fields.registry import field_type
from tests.engine.fields.fieldkit import ADDRESS, FILE, OPTIONS, fd

UTC = timezone.utc
QTY = {"fields": [{"id": "qty", "type": "integer"}]}


@pytest.mark.parametrize("name,props,raw,fmt,expected", [
    ("text", {}, "  hi  ", JSON, "hi"),
    ("text", {}, 42, JSON, "42"),
    ("text", {}, "", FORM, None),
    ("text", {}, None, JSON, None),
    ("text", {}, 13800138000.0, SHEET, "13800138000"),
    ("textarea", {}, " a\nb ", JSON, " a\nb "),
    ("textarea", {}, "  \n ", FORM, None),
    ("textarea", {}, "line", SHEET, "line"),
    ("rich_text", {}, "<p>x <script>y</script></p>", JSON, "<p>x </p>"),  # sanitised on every write path
    ("rich_text", {}, "<b>y</b>", FORM, "<b>y</b>"),
    ("integer", {}, "1,234", SHEET, 1234),
    ("integer", {}, 7.0, JSON, 7),
    ("integer", {}, " 42 ", FORM, 42),
    ("integer", {}, "-5", JSON, -5),
    ("integer", {}, "", FORM, None),
    ("number", {"decimals": 3}, "3.14159", JSON, Decimal("3.142")),
    ("number", {}, 2, JSON, Decimal("2.00")),
    ("number", {}, "1,234.5", SHEET, Decimal("1234.50")),
    ("number", {"decimals": 0}, "2.5", FORM, Decimal("3")),
    ("money", {}, "¥1,234.5", SHEET, Decimal("1234.50")),
    ("money", {}, 0.1, JSON, Decimal("0.10")),
    ("money", {}, "USD 12", FORM, Decimal("12.00")),
    ("money", {}, "-3.005", JSON, Decimal("-3.01")),
    ("money", {}, Decimal("5"), JSON, Decimal("5.00")),
    ("percent", {}, "12.5%", SHEET, Decimal("12.50")),
    ("percent", {}, 50, JSON, Decimal("50.00")),
    ("rating", {}, 4, JSON, 4),
    ("rating", {}, "3", FORM, 3),
    ("date", {}, "2024-03-05", JSON, date(2024, 3, 5)),
    ("date", {}, "2024-03-05T10:00:00+08:00", JSON, date(2024, 3, 5)),
    ("date", {}, "2024/3/5", SHEET, date(2024, 3, 5)),
    ("date", {}, "2024年3月5日", FORM, date(2024, 3, 5)),
    ("date", {}, "2024.3.5", FORM, date(2024, 3, 5)),
    ("date", {}, 45356, SHEET, date(2024, 3, 5)),
    ("date", {}, datetime(2024, 3, 5, 0, 0), SHEET, date(2024, 3, 5)),
    ("date", {}, date(2024, 3, 5), JSON, date(2024, 3, 5)),
    ("datetime", {}, "2024-03-05T14:30:00+08:00", JSON, datetime(2024, 3, 5, 6, 30, tzinfo=UTC)),
    ("datetime", {}, "2024-03-05T06:30:00Z", JSON, datetime(2024, 3, 5, 6, 30, tzinfo=UTC)),
    ("datetime", {}, "2024-03-05 14:30", JSON, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
    ("datetime", {}, "2024-03-05", JSON, datetime(2024, 3, 5, tzinfo=UTC)),
    ("datetime", {}, "2024/3/5 14:30", FORM, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
    ("datetime", {}, "2024年3月5日 8:05:09", SHEET, datetime(2024, 3, 5, 8, 5, 9, tzinfo=UTC)),
    ("datetime", {}, 45356.5, SHEET, datetime(2024, 3, 5, 12, 0, tzinfo=UTC)),
    ("datetime", {}, datetime(2024, 3, 5, 9, 0), SHEET, datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),
    ("time", {}, "14:30", FORM, time(14, 30)),
    ("time", {}, "09:05:30", JSON, time(9, 5, 30)),
    ("time", {}, "14：30", FORM, time(14, 30)),
    ("time", {}, 0.5, SHEET, time(12, 0)),
    ("time", {}, datetime(1900, 1, 1, 8, 15), SHEET, time(8, 15)),
    ("boolean", {}, "是", SHEET, True),
    ("boolean", {}, "×", SHEET, False),
    ("boolean", {}, "No", SHEET, False),
    ("boolean", {}, 1, SHEET, True),
    ("boolean", {}, 0.0, SHEET, False),
    ("boolean", {}, "", SHEET, None),
    ("boolean", {}, "on", FORM, True),
    ("boolean", {}, "", FORM, False),
    ("boolean", {}, False, JSON, False),
    ("boolean", {}, "true", JSON, True),
    ("boolean", {}, None, JSON, None),
    ("select", {"options": OPTIONS}, "a", JSON, "a"),
    ("select", {"options": OPTIONS}, "乙", SHEET, "b"),
    ("select", {"options": OPTIONS}, "Beta", SHEET, "b"),
    ("select", {"options": OPTIONS}, "Alpha", FORM, "a"),
    ("select", {"options": OPTIONS}, "甲", JSON, "甲"),  # JSON gives values; validate reports it
    ("select", {"options": ["高", "低"]}, " 高 ", SHEET, "高"),
    ("radio", {"options": OPTIONS}, "b", FORM, "b"),
    ("multi_select", {"options": OPTIONS}, "甲，乙", SHEET, ["a", "b"]),
    ("multi_select", {"options": OPTIONS}, ["a", "a", "b"], JSON, ["a", "b"]),
    ("multi_select", {"options": OPTIONS}, "a\nb", FORM, ["a", "b"]),
    ("multi_select", {"options": OPTIONS}, [], JSON, None),
    ("checkbox", {"options": OPTIONS}, "Alpha; Beta", SHEET, ["a", "b"]),
    ("tags", {}, "vip; 大客户; vip", SHEET, ["vip", "大客户"]),
    ("tags", {}, ["x", " ", "y"], JSON, ["x", "y"]),
    ("email", {}, " a@b.cn ", JSON, "a@b.cn"),
    ("email", {}, "first.last+tag@mail.example.com", FORM, "first.last+tag@mail.example.com"),
    ("phone", {}, "+86 138 0013 8000", JSON, "+86 138 0013 8000"),
    ("phone", {}, "021-62118902", JSON, "021-62118902"),
    ("phone", {}, 13800138000.0, SHEET, "13800138000"),
    ("phone", {"region": "US"}, "(555) 123-4567", FORM, "(555) 123-4567"),
    ("url", {}, "https://example.com/a?b=1", JSON, "https://example.com/a?b=1"),
    ("url", {}, "HTTP://X.CN", FORM, "HTTP://X.CN"),
    ("address", {}, "广东省 深圳市 南山区 科技园 8 栋", SHEET, ADDRESS),
    ("address", {}, "广东省/深圳市", FORM, {"province": "广东省", "city": "深圳市", "district": None, "detail": None}),
    ("address", {}, dict(ADDRESS), JSON, ADDRESS),
    ("address", {"level": "city"}, dict(ADDRESS), JSON, {"province": "广东省", "city": "深圳市"}),
    ("address", {}, {"province": " ", "city": None}, JSON, None),
    ("location", {}, "113.9, 22.5", SHEET, {"lng": 113.9, "lat": 22.5}),
    ("location", {}, {"lng": "113.9", "lat": 22.5, "address": " 腾讯 "}, JSON,
     {"lng": 113.9, "lat": 22.5, "address": "腾讯"}),
    ("user", {}, {"id": 5}, JSON, 5),
    ("user", {}, 3, JSON, 3),
    ("user", {}, "12", FORM, 12),
    ("users", {}, "1,2", FORM, [1, 2]),
    ("users", {}, [1, "2", {"id": 3}, 1], JSON, [1, 2, 3]),
    ("department", {}, "4", JSON, 4),
    ("departments", {}, "4；5", SHEET, [4, 5]),
    ("relation", {"to": "client"}, "12", FORM, 12),
    ("relation", {"to": "client"}, 12.0, SHEET, 12),
    ("relation_many", {"to": "client"}, [9, 9, 10], JSON, [9, 10]),
    ("lookup", {"path": "client.grade"}, "vip", JSON, "vip"),
    ("rollup", {"source": "order", "link": "client", "aggregate": "count"}, 3, JSON, 3),
    ("subform", QTY, [{"qty": "2"}], JSON, [{"qty": 2}]),
    ("subform", QTY, [{"id": 7, "qty": 1}, {}], FORM, [{"id": 7, "qty": 1}, {}]),
    ("subform", QTY, None, JSON, None),
    ("file", {}, [{**FILE, "extra": 1}, FILE], JSON, [FILE]),
    ("image", {}, [{"id": "i1", "name": "a.png"}], JSON, [{"id": "i1", "name": "a.png"}]),
    ("signature", {}, {"id": "s1", "name": "sig.png"}, JSON, {"id": "s1", "name": "sig.png"}),
    ("signature", {}, {}, JSON, None),
    ("serial", {}, "SO-0001", JSON, "SO-0001"),
    ("formula", {"result": "money"}, "2", JSON, Decimal("2.00")),
    ("formula", {"result": "date"}, "2024-03-05", JSON, date(2024, 3, 5)),
    ("formula", {"result": "boolean"}, True, JSON, True),
    ("formula", {"result": "integer"}, 3, JSON, 3),
    ("divider", {}, None, JSON, None),
])
def test_parse(name: str, props: dict[str, Any], raw: Any, fmt: str, expected: Any) -> None:
    value = field_type(name).parse(fd(name, **props), raw, fmt)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("name,props,raw,fmt,code", [
    ("integer", {}, 1.5, JSON, "invalid_type"),
    ("integer", {}, "1.5", FORM, "invalid_type"),
    ("integer", {}, True, JSON, "invalid_type"),
    ("integer", {}, "abc", JSON, "invalid_type"),
    ("integer", {}, 2 ** 63, JSON, "invalid_type"),
    ("integer", {}, [1], JSON, "invalid_type"),
    ("rating", {}, 2.5, JSON, "invalid_type"),
    ("number", {}, "abc", JSON, "invalid_type"),
    ("money", {}, "NaN", JSON, "invalid_type"),
    ("money", {}, "Infinity", JSON, "invalid_type"),
    ("money", {}, "1e30", JSON, "invalid_type"),
    ("percent", {}, False, JSON, "invalid_type"),
    ("date", {}, "2024-02-30", JSON, "invalid_type"),
    ("date", {}, "2024/3/5", JSON, "invalid_type"),
    ("date", {}, 45356, JSON, "invalid_type"),
    ("date", {}, "tomorrow", FORM, "invalid_type"),
    ("datetime", {}, "yesterday", JSON, "invalid_type"),
    ("datetime", {}, "2024/3/5 14:30", JSON, "invalid_type"),
    ("datetime", {}, 45356.5, JSON, "invalid_type"),
    ("time", {}, "25:00", JSON, "invalid_type"),
    ("time", {}, 0.5, JSON, "invalid_type"),
    ("email", {}, "not-an-email", JSON, "bad_format"),
    ("email", {}, "a@b", JSON, "bad_format"),
    ("email", {}, "a b@c.cn", FORM, "bad_format"),
    ("phone", {}, "12345", JSON, "bad_format"),
    ("phone", {}, "1380013800", JSON, "bad_format"),
    ("phone", {}, "12800138000", JSON, "bad_format"),
    ("phone", {"region": "US"}, "call me", JSON, "bad_format"),
    ("url", {}, "javascript:alert(1)", JSON, "bad_format"),
    ("url", {}, "ftp://example.com", JSON, "bad_format"),
    ("url", {}, "http://", JSON, "bad_format"),
    ("url", {}, "example.com", FORM, "bad_format"),
    ("boolean", {}, "maybe", SHEET, "invalid_type"),
    ("boolean", {}, 2, JSON, "invalid_type"),
    ("boolean", {}, 0.5, SHEET, "invalid_type"),
    ("boolean", {}, [True], JSON, "invalid_type"),
    ("select", {"options": OPTIONS}, ["a"], JSON, "invalid_type"),
    ("select", {"options": OPTIONS}, True, JSON, "invalid_type"),
    ("multi_select", {"options": OPTIONS}, "a", JSON, "invalid_type"),
    ("multi_select", {"options": OPTIONS}, [["a"]], JSON, "invalid_type"),
    ("tags", {}, [{"x": 1}], JSON, "invalid_type"),
    ("user", {}, "bob", JSON, "invalid_type"),
    ("user", {}, True, JSON, "invalid_type"),
    ("user", {}, 1.5, JSON, "invalid_type"),
    ("users", {}, "1,2", JSON, "invalid_type"),
    ("users", {}, ["x"], JSON, "invalid_type"),
    ("relation", {"to": "client"}, {"id": "x"}, JSON, "invalid_type"),
    ("file", {}, [{"name": "x"}], JSON, "invalid_type"),
    ("file", {}, [{"id": "1", "name": "x", "size": -1}], JSON, "invalid_type"),
    ("file", {}, "a.pdf", FORM, "invalid_type"),
    ("signature", {}, "x", JSON, "invalid_type"),
    ("location", {}, {"lng": 500, "lat": 0}, JSON, "invalid_type"),
    ("location", {}, {"lng": "x", "lat": 1}, JSON, "invalid_type"),
    ("location", {}, {"lng": 1}, JSON, "invalid_type"),
    ("location", {}, "113.9, 22.5", JSON, "invalid_type"),
    ("address", {}, {"planet": "Mars"}, JSON, "invalid_type"),
    ("address", {}, "广东省", JSON, "invalid_type"),
    ("address", {}, {"province": 1}, JSON, "invalid_type"),
    ("text", {}, {"nested": 1}, JSON, "invalid_type"),
    ("text", {}, True, JSON, "invalid_type"),
    ("serial", {}, 5, JSON, "invalid_type"),
    ("subform", QTY, "rows", JSON, "invalid_type"),
    ("subform", QTY, [1], JSON, "invalid_type"),
    ("subform", QTY, [{"qty": "x"}], JSON, "invalid_type"),
    ("formula", {"result": "integer"}, "x", JSON, "invalid_type"),
])
def test_parse_errors(name: str, props: dict[str, Any], raw: Any, fmt: str, code: str) -> None:
    with pytest.raises(FieldValueError) as info:
        field_type(name).parse(fd(name, **props), raw, fmt)
    assert info.value.error.code == code
    zh, en = info.value.error.message("zh"), info.value.error.message("en")
    assert zh.startswith("字段") and en.startswith("Field") and "{" not in zh + en


@pytest.mark.parametrize("name,raw,zh,en", [
    ("email", "x", "字段格式不正确:邮箱地址", "Field is not a valid email address"),
    ("url", "x", "字段格式不正确:以 http:// 或 https:// 开头的网址",
     "Field is not a valid http:// or https:// address"),
    ("integer", "x", "字段的值无效:应为整数", "Field must be a whole number"),
])
def test_error_messages_name_the_expected_format_in_each_language(name: str, raw: str, zh: str, en: str) -> None:
    with pytest.raises(FieldValueError) as info:
        field_type(name).parse(fd(name), raw, JSON)
    assert (info.value.error.message("zh"), info.value.error.message("en")) == (zh, en)


@pytest.mark.parametrize("name,props,value,codes", [
    ("text", {"max_length": 3}, "abcd", ["too_long"]),
    ("text", {"min_length": 2}, "a", ["too_short"]),
    ("text", {"regex": r"\d+"}, "12a", ["bad_format"]),
    ("text", {"regex": r"\d+"}, "123", []),
    ("text", {"regex": "("}, "x", []),
    ("text", {}, "x" * 256, ["too_long"]),
    ("textarea", {}, "x" * 5000, []),
    ("textarea", {"max_length": 10}, "x" * 11, ["too_long"]),
    ("integer", {"min": 1, "max": 5}, 9, ["too_large"]),
    ("integer", {"min": 1, "max": 5}, 0, ["too_small"]),
    ("integer", {"min": 1, "max": 5}, 5, []),
    ("money", {"min": 0}, Decimal("-1"), ["too_small"]),
    ("number", {"max": 10}, Decimal("10.01"), ["too_large"]),
    ("percent", {"min": 0, "max": 100}, Decimal("100.00"), []),
    ("select", {"options": OPTIONS}, "z", ["bad_option"]),
    ("select", {"options": OPTIONS, "allow_other": True}, "z", []),
    ("radio", {"options": OPTIONS}, "z", ["bad_option"]),
    ("multi_select", {"options": OPTIONS, "max_items": 1}, ["a", "b"], ["too_many"]),
    ("multi_select", {"options": OPTIONS, "min_items": 2}, ["a"], ["too_few"]),
    ("multi_select", {"options": OPTIONS}, ["a", "z"], ["bad_option"]),
    ("checkbox", {"options": OPTIONS}, ["a", "b"], []),
    ("tags", {"options": ["vip"], "strict": True}, ["vip", "new"], ["bad_option"]),
    ("tags", {"options": ["vip"]}, ["vip", "new"], []),
    ("rating", {"max": 5}, 6, ["too_large"]),
    ("rating", {}, -1, ["too_small"]),
    ("date", {"min": "2024-01-01"}, date(2023, 12, 31), ["too_small"]),
    ("date", {"max": date(2024, 1, 1)}, date(2024, 1, 2), ["too_large"]),
    ("date", {"min": "$today"}, date(2000, 1, 1), []),
    ("file", {"max_files": 1}, [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}], ["too_many"]),
    ("users", {"max_items": 1}, [1, 2], ["too_many"]),
    ("subform", {"min_rows": 2}, [{}], ["too_few"]),
    ("subform", {"max_rows": 1}, [{}, {}], ["too_many"]),
    ("address", {"required": True}, {"province": "广东省", "city": None, "district": None, "detail": None},
     ["required"]),
    ("address", {"required": True, "level": "city"}, {"province": "广东省", "city": "深圳市"}, []),
    ("address", {}, {"province": None, "city": None, "district": None, "detail": "x" * 256}, ["too_long"]),
    ("formula", {"result": "integer", "max": 3}, 4, ["too_large"]),
])
def test_validate(name: str, props: dict[str, Any], value: Any, codes: list[str]) -> None:
    errors = field_type(name).validate(fd(name, **props), value)
    assert [e.code for e in errors] == codes
    assert all(e.params["label"] == {"zh": "字段", "en": "Field"} and "{" not in e.message("en") for e in errors)


@pytest.mark.parametrize("name,value,empty", [
    ("text", "", True), ("text", None, True), ("boolean", False, False), ("integer", 0, False),
    ("tags", [], True), ("address", {"province": None, "city": None}, True), ("money", Decimal("0"), False),
])
def test_is_empty(name: str, value: Any, empty: bool) -> None:
    assert field_type(name).is_empty(value) is empty
