"""Display text in Chinese and English, and the JSON form of values as the API returns them."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import pytest

from engine.fields.registry import field_type
from tests.engine.fields.fieldkit import ADDRESS, FILE, OPTIONS, SAMPLES, SHANGHAI, fd

UTC = timezone.utc


@pytest.mark.parametrize("name,props,value,zh,en", [
    ("money", {}, Decimal("1234.5"), "¥1,234.50", "¥1,234.50"),
    ("money", {"currency": "USD"}, Decimal("-3"), "-$3.00", "-$3.00"),
    ("money", {"currency": "EUR"}, Decimal("1000000"), "€1,000,000.00", "€1,000,000.00"),
    ("money", {"currency": "CHF"}, Decimal("3"), "CHF 3.00", "CHF 3.00"),
    ("money", {"decimals": 0}, Decimal("1235"), "¥1,235", "¥1,235"),
    ("number", {}, Decimal("1234567.89"), "1,234,567.89", "1,234,567.89"),
    ("number", {"decimals": 3}, Decimal("-0.500"), "-0.500", "-0.500"),
    ("percent", {}, Decimal("12.50"), "12.5%", "12.5%"),
    ("percent", {}, Decimal("100.00"), "100%", "100%"),
    ("percent", {}, Decimal("12345.60"), "12,345.6%", "12,345.6%"),
    ("integer", {}, 1234567, "1,234,567", "1,234,567"),
    ("rating", {"max": 5}, 3, "★★★☆☆", "★★★☆☆"),
    ("boolean", {}, True, "是", "Yes"),
    ("boolean", {}, False, "否", "No"),
    ("select", {"options": OPTIONS}, "a", "甲", "Alpha"),
    ("select", {"options": OPTIONS, "allow_other": True}, "z", "z", "z"),
    ("radio", {"options": ["高", "低"]}, "低", "低", "低"),
    ("multi_select", {"options": OPTIONS}, ["a", "b"], "甲、乙", "Alpha, Beta"),
    ("tags", {}, ["vip", "大客户"], "vip、大客户", "vip, 大客户"),
    ("date", {}, date(2024, 3, 5), "2024年3月5日", "Mar 5, 2024"),
    ("datetime", {}, datetime(2024, 3, 5, 16, 30, tzinfo=UTC), "2024年3月6日 00:30", "Mar 6, 2024, 00:30"),
    ("time", {}, time(9, 5, 30), "09:05", "09:05"),
    ("address", {}, {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": None},
     "广东省深圳市南山区", "广东省 深圳市 南山区"),
    ("location", {}, {"lng": 113.9, "lat": 22.5, "address": "腾讯大厦"}, "腾讯大厦", "腾讯大厦"),
    ("location", {}, {"lng": 113.9, "lat": 22.5}, "22.500000, 113.900000", "22.500000, 113.900000"),
    ("rich_text", {}, "<p>a &amp; b</p><p>c</p>", "a & b c", "a & b c"),
    ("text", {}, "hello", "hello", "hello"),
    ("user", {}, 12, "#12", "#12"),
    ("users", {}, [1, 2], "#1、#2", "#1, #2"),
    ("relation", {"to": "client"}, 9, "#9", "#9"),
    ("file", {}, [FILE, {"id": "f2", "name": "b.docx"}], "a.pdf, b.docx", "a.pdf, b.docx"),
    ("signature", {}, {"id": "s1", "name": "sig.png"}, "已签名", "Signed"),
    ("subform", {}, [{}, {}], "2 行", "2 rows"),
    ("subform", {}, [{}], "1 行", "1 row"),
    ("lookup", {}, Decimal("12.50"), "12.50", "12.50"),
    ("lookup", {}, [True, False], "是、否", "Yes, No"),
    ("lookup", {}, datetime(2024, 3, 5, 16, 30, tzinfo=UTC), "2024年3月6日 00:30", "Mar 6, 2024, 00:30"),
    ("rollup", {}, 3, "3", "3"),
    ("formula", {"result": "money"}, Decimal("2.00"), "¥2.00", "¥2.00"),
    ("formula", {"result": "boolean"}, True, "是", "Yes"),
    ("serial", {}, "SO-0001", "SO-0001", "SO-0001"),
])
def test_format(name: str, props: dict[str, Any], value: Any, zh: str, en: str) -> None:
    f = fd(name, **props)
    assert field_type(name).format(f, value, "zh", SHANGHAI) == zh
    assert field_type(name).format(f, value, "en", SHANGHAI) == en


def test_datetime_is_shown_in_utc_without_a_zone() -> None:
    value = datetime(2024, 3, 5, 16, 30, tzinfo=UTC)
    assert field_type("datetime").format(fd("datetime"), value, "en") == "Mar 5, 2024, 16:30"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_empty_values_show_as_empty_text(name: str) -> None:
    f = fd(name, **SAMPLES[name][0])
    for lang in ("zh", "en"):
        assert field_type(name).format(f, None, lang) == ""


@pytest.mark.parametrize("name,props,value,expected", [
    ("money", {}, Decimal("1234.50"), "1234.50"),
    ("money", {}, Decimal("-0.10"), "-0.10"),
    ("number", {"decimals": 0}, Decimal("1E+2").quantize(Decimal(1)), "100"),
    ("percent", {}, Decimal("12.50"), "12.50"),
    ("integer", {}, 42, 42),
    ("date", {}, date(2024, 3, 5), "2024-03-05"),
    ("datetime", {}, datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI), "2024-03-05T06:30:00Z"),
    ("time", {}, time(14, 30), "14:30"),
    ("time", {}, time(9, 5, 30), "09:05:30"),
    ("boolean", {}, False, False),
    ("tags", {}, ["vip"], ["vip"]),
    ("address", {}, ADDRESS, ADDRESS),
    ("file", {}, [FILE], [FILE]),
    ("subform", {"fields": [{"id": "qty", "type": "integer"}, {"id": "price", "type": "money"},
                            {"id": "due", "type": "date"}]},
     [{"id": 1, "qty": 2, "price": Decimal("9.90"), "due": date(2024, 3, 5)}, {"qty": None}],
     [{"id": 1, "qty": 2, "price": "9.90", "due": "2024-03-05"}, {"qty": None, "price": None, "due": None}]),
    ("subform", {"fields": [{"id": "qty", "type": "integer"}]}, [], None),
    ("lookup", {}, [Decimal("1.50"), date(2024, 3, 5)], ["1.50", "2024-03-05"]),
    ("rollup", {}, Decimal("10.00"), "10.00"),
    ("formula", {"result": "date"}, date(2024, 3, 5), "2024-03-05"),
    ("formula", {"result": "money"}, Decimal("2.00"), "2.00"),
    ("divider", {}, None, None),
])
def test_to_json(name: str, props: dict[str, Any], value: Any, expected: Any) -> None:
    assert field_type(name).to_json(fd(name, **props), value) == expected
