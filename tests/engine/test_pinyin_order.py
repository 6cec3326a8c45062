"""Chinese text sorts by pinyin, as Chinese readers expect, on SQLite and PostgreSQL, page after page."""

from __future__ import annotations

import pytest

from engine.records.model import Actor, Query
from engine.text_order import pinyin_key, syllable

ADMIN = Actor(user_id=1, is_admin=True)
APP = "app: geo\nlabel: {zh: 地区, en: Places}\nforms: [city]\n"
CITY = """form: city
label: {zh: 城市, en: City}
title: name
fields:
  - {id: name, type: text, label: {zh: 名称, en: Name}}
  - {id: code, type: text, label: {zh: 代码, en: Code}, unique: true}
"""
# In code-point order: 上海 中山 佛山 北京 … — in pinyin order as below (长沙 is cháng shā, 重庆 chóng qìng).
PINYIN = ["Apple Town", "北京", "长沙", "重庆", "佛山", "广州", "杭州", "上海", "深圳", "西安", "先锋镇", "中山"]


def test_the_key_orders_by_reading_then_tone() -> None:
    assert sorted(["中山", "上海", "佛山", "北京"], key=pinyin_key) == ["北京", "佛山", "上海", "中山"]
    assert sorted(PINYIN[::-1], key=pinyin_key) == PINYIN
    assert syllable("běi") == "bei3" and syllable("de") == "de5" and syllable("lǜ") == "lv4"
    assert pinyin_key("Apple") == pinyin_key("APPLE") == "apple"  # Latin letters ignore case, as a reader does
    assert pinyin_key(None) is None
    # 妈 麻 马 骂: one syllable, tones 1–4
    assert sorted(["骂", "马", "麻", "妈"], key=pinyin_key) == ["妈", "麻", "马", "骂"]


@pytest.fixture
def cities(fresh_workspace):  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    from tests.conftest import add_user

    add_user(ws, "alice")
    ws.publish({"geo/app.yaml": APP, "geo/forms/city.yaml": CITY})
    for i, name in enumerate(sorted(PINYIN)):  # stored in code-point order, so the id order is no help
        ws.records.create(ADMIN, "city", {"name": name, "code": f"C{i:02}"})
    ws.records.create(ADMIN, "city", {"code": "C99"})  # no name: empty values come first ascending
    return ws


@pytest.mark.parametrize("desc", [False, True])
def test_a_list_sorted_by_a_text_field_is_in_pinyin_order_across_pages(cities, desc: bool) -> None:  # type: ignore[no-untyped-def]
    names: list[str | None] = []
    after = None
    while True:
        page = cities.records.list(ADMIN, "city", Query(sort=(("name", desc),), limit=5, after=after))
        names += [r.values.get("name") for r in page.records]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    expected: list[str | None] = [None, *PINYIN]
    if cities.engine.dialect.name == "postgresql":
        # ICU's collation puts Han before Latin letters and reads each character alone: 长 as zhǎng (长沙 among the
        # zh…), 重 as chóng. Still pinyin order, and the same on every page.
        expected = [None, "北京", "重庆", "佛山", "广州", "杭州", "上海", "深圳", "西安", "先锋镇", "长沙", "中山",
                    "Apple Town"]
    assert names == (expected[::-1] if desc else expected)


def test_a_text_field_with_an_index_keeps_the_order_its_index_serves(cities) -> None:  # type: ignore[no-untyped-def]
    page = cities.records.list(ADMIN, "city", Query(sort=(("code", False),), limit=50))
    codes = [r.values["code"] for r in page.records]
    assert codes == sorted(codes)
