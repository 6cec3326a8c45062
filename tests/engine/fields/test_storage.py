"""Values through a real SQLite file (to_db, from_db, NULL for empty) and filters and search run against it."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.errors import QueryInvalid
from engine.fields.base import FilterContext
from engine.fields.registry import field_type
from tests.engine.fields.fieldkit import (
    ADDRESS,
    CTX,
    OPTIONS,
    SAMPLES,
    SHANGHAI,
    fd,
    insert_values,
    make_table,
    matching_ids,
)

UTC = timezone.utc
EXTRA_VALUES: list[tuple[str, dict[str, Any], Any]] = [
    ("text", {}, "中文 ünïcode"),
    ("text", {"max_length": 1000}, "x" * 1000),
    ("number", {"decimals": 0}, Decimal("12345")),
    ("number", {"decimals": 4}, Decimal("0.0001")),
    ("money", {}, Decimal("-0.30")),
    ("money", {}, Decimal("12345678901234.56")),
    ("percent", {}, Decimal("0.10")),
    ("datetime", {}, datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("time", {}, time(23, 59, 59)),
    ("boolean", {}, False),
    ("address", {"level": "city"}, {"province": "广东省", "city": "深圳市"}),
    ("address", {}, {"province": "浙江省", "city": None, "district": None, "detail": None}),
    ("location", {}, {"lng": -0.1, "lat": 51.5, "address": "London"}),
    ("formula", {"result": "date"}, date(2024, 3, 5)),
    ("formula", {"result": "datetime"}, datetime(2024, 3, 5, 1, 2, 3, tzinfo=UTC)),
    ("formula", {"result": "boolean"}, False),
    ("formula", {"result": "integer"}, -7),
    ("formula", {"result": "text"}, "x"),
]
ROUND_TRIPS = [(n, p, v) for n, (p, v) in sorted(SAMPLES.items()) if field_type(n).stored] + EXTRA_VALUES
DATES = [date(2024, 3, 15), date(2024, 3, 14), date(2024, 3, 16), date(2024, 3, 11), date(2024, 3, 10),
         date(2024, 3, 18), date(2024, 2, 29), date(2024, 4, 1), date(2023, 12, 31), None]
MOMENTS = [datetime(2024, 3, 14, 16, 5, tzinfo=UTC),  # 03-15 00:05 in Shanghai: today
           datetime(2024, 3, 14, 15, 55, tzinfo=UTC),  # 03-14 23:55: yesterday
           datetime(2024, 3, 15, 15, 59, tzinfo=UTC),  # 03-15 23:59: today
           datetime(2024, 3, 15, 16, 0, tzinfo=UTC),  # 03-16 00:00: tomorrow
           None,
           datetime(2024, 2, 29, 15, 30, tzinfo=UTC),  # 02-29 23:30: last month
           datetime(2024, 2, 29, 16, 30, tzinfo=UTC)]  # 03-01 00:30: this month
TEXTS = ["Apple", "PINEAPPLE", "50% off_sale", "back\\slash", None]
TAGS = [["vip", "a"], ["a"], None, ["b"]]
PLACES = [ADDRESS, {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 100% 号"}, None]


@pytest.fixture
def db(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'fields.db'}")


@pytest.mark.parametrize("name,props,value", ROUND_TRIPS)
def test_round_trip_through_sqlite(db: sa.Engine, name: str, props: dict[str, Any], value: Any) -> None:
    ftype = field_type(name)
    f, table = insert_values(db, name, props, [value, None])
    with db.connect() as conn:
        rows = {r.id: r._mapping for r in conn.execute(sa.select(table))}
    assert ftype.from_db(f, rows[1]) == value
    assert ftype.is_empty(ftype.from_db(f, rows[2]))


@pytest.mark.parametrize("name,empty", [
    ("text", ""), ("tags", []), ("users", []), ("file", []), ("location", None), ("signature", None),
    ("address", {"province": None}), ("money", None), ("multi_select", []), ("formula", None),
])
def test_empty_values_are_stored_as_sql_null(db: sa.Engine, name: str, empty: Any) -> None:
    ftype = field_type(name)
    _, table = insert_values(db, name, SAMPLES[name][0], [empty])
    with db.connect() as conn:
        raw = conn.exec_driver_sql("SELECT * FROM t").one()
    assert raw[1:] == (None,) * (len(table.c) - 1), raw
    assert ftype.filter(fd(name, **SAMPLES[name][0]), table, "empty", None, CTX) is not None


@pytest.mark.parametrize("name,props,values,op,operand,expected", [
    ("text", {}, TEXTS, "contains", "APPLE", [1, 2]),
    ("text", {}, TEXTS, "contains", "%", [3]),
    ("text", {}, TEXTS, "contains", "_", [3]),
    ("text", {}, TEXTS, "contains", "\\", [4]),
    ("text", {}, TEXTS, "not_contains", "apple", [3, 4, 5]),
    ("text", {}, TEXTS, "starts", "pine", [2]),
    ("text", {}, TEXTS, "starts", "50%", [3]),
    ("text", {}, TEXTS, "eq", "Apple", [1]),
    ("text", {}, TEXTS, "ne", "Apple", [2, 3, 4, 5]),
    ("text", {}, TEXTS, "in", ["Apple", "PINEAPPLE"], [1, 2]),
    ("text", {}, TEXTS, "not_in", "Apple,PINEAPPLE", [3, 4, 5]),
    ("text", {}, TEXTS, "empty", None, [5]),
    ("text", {}, TEXTS, "not_empty", None, [1, 2, 3, 4]),
    ("serial", {}, ["SO-1", "PO-2"], "starts", "so-", [1]),
    ("integer", {}, [1, 2, 3], "in", [1, 3], [1, 3]),
    ("integer", {}, [1, 2, None], "ne", 1, [2, 3]),
    ("integer", {}, [1, 2, 3], "gt", "1", [2, 3]),
    ("integer", {}, [1, 2, 3], "between", [2, 3], [2, 3]),
    ("rating", {}, [1, 5, None], "ge", 3, [2]),
    ("money", {}, [Decimal("10"), Decimal("20.5"), None], "ge", "20.5", [2]),
    ("money", {}, [Decimal("10"), Decimal("20.5"), None], "between", ["5", "15"], [1]),
    ("money", {}, [Decimal("0.10"), Decimal("0.30")], "eq", "0.3", [2]),
    ("money", {}, [Decimal("0.10"), Decimal("0.30")], "lt", 0.2, [1]),
    ("percent", {}, [Decimal("12.5"), Decimal("50")], "gt", "12.5%", [2]),
    ("number", {}, [Decimal("1"), Decimal("2"), None], "not_in", ["1"], [2, 3]),
    ("date", {}, DATES, "today", None, [1]),
    ("date", {}, DATES, "yesterday", None, [2]),
    ("date", {}, DATES, "tomorrow", None, [3]),
    ("date", {}, DATES, "this_week", None, [1, 2, 3, 4]),
    ("date", {}, DATES, "last_week", None, [5]),
    ("date", {}, DATES, "next_week", None, [6]),
    ("date", {}, DATES, "this_month", None, [1, 2, 3, 4, 5, 6]),
    ("date", {}, DATES, "last_month", None, [7]),
    ("date", {}, DATES, "next_month", None, [8]),
    ("date", {}, DATES, "this_year", None, [1, 2, 3, 4, 5, 6, 7, 8]),
    ("date", {}, DATES, "last_year", None, [9]),
    ("date", {}, DATES, "last_n_days", 7, [1, 2, 4, 5]),
    ("date", {}, DATES, "next_n_days", "3", [1, 3]),
    ("date", {}, DATES, "eq", "2024-03-15", [1]),
    ("date", {}, DATES, "ne", "2024-03-15", [2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("date", {}, DATES, "between", ["2024-03-10", "2024-03-14"], [2, 4, 5]),
    ("date", {}, DATES, "lt", "2024-01-01", [9]),
    ("date", {}, DATES, "empty", None, [10]),
    ("datetime", {}, MOMENTS, "today", None, [1, 3]),
    ("datetime", {}, MOMENTS, "yesterday", None, [2]),
    ("datetime", {}, MOMENTS, "tomorrow", None, [4]),
    ("datetime", {}, MOMENTS, "this_month", None, [1, 2, 3, 4, 7]),
    ("datetime", {}, MOMENTS, "last_month", None, [6]),
    ("datetime", {}, MOMENTS, "last_n_days", 1, [1, 3]),
    ("datetime", {}, MOMENTS, "gt", "2024-03-15T00:00:00+08:00", [1, 3, 4]),
    ("datetime", {}, MOMENTS, "between", ["2024-03-14T16:05:00Z", "2024-03-15T15:59:00Z"], [1, 3]),
    ("datetime", {}, MOMENTS, "eq", "2024-03-14T16:05:00Z", [1]),
    ("time", {}, [time(9, 0), time(14, 30), None], "ge", "12:00", [2]),
    ("boolean", {}, [True, False, None], "eq", True, [1]),
    ("boolean", {}, [True, False, None], "eq", "false", [2]),
    ("boolean", {}, [True, False, None], "ne", True, [2, 3]),
    ("select", {"options": OPTIONS}, ["a", "b", None], "in", "a,b", [1, 2]),
    ("select", {"options": OPTIONS}, ["a", "b", None], "ne", "a", [2, 3]),
    ("select", {"options": OPTIONS}, ["a", "b", None], "not_in", ["a"], [2, 3]),
    ("tags", {}, TAGS, "contains", "vip", [1]),
    ("tags", {}, TAGS, "contains", ["vip", "a"], [1]),
    ("tags", {}, TAGS, "in", ["vip", "b"], [1, 4]),
    ("tags", {}, TAGS, "in", "a,zzz", [1, 2]),
    ("tags", {}, TAGS, "not_in", ["vip"], [2, 3, 4]),
    ("tags", {}, TAGS, "empty", None, [3]),
    ("tags", {}, TAGS, "not_empty", None, [1, 2, 4]),
    ("multi_select", {"options": OPTIONS}, [["a", "b"], ["b"]], "contains", "a", [1]),
    ("checkbox", {"options": OPTIONS}, [["a", "b"], ["b"], None], "not_in", "a", [2, 3]),
    ("users", {}, [[7, 8], [8], None], "contains", "$me", [1]),
    ("users", {}, [[7, 8], [8], None], "in", ["8", 9], [1, 2]),
    ("departments", {}, [[4], [5], None], "not_in", [4], [2, 3]),
    ("relation_many", {"to": "client"}, [[9, 10], [11]], "contains", "10", [1]),
    ("user", {}, [7, 8, None], "eq", "$me", [1]),
    ("user", {}, [7, 8, None], "ne", "$me", [2, 3]),
    ("user", {}, [7, 8, None], "in", ["$me", 8], [1, 2]),
    ("user", {}, [7, 8, None], "in", "$me,8", [1, 2]),
    ("department", {}, [4, 5], "eq", {"id": 4}, [1]),
    ("relation", {"to": "client"}, [9, 10, None], "in", ["9", 10], [1, 2]),
    ("address", {}, PLACES, "eq", {"province": "广东省"}, [1]),
    ("address", {}, PLACES, "eq", {"province": "浙江省", "city": "深圳市"}, []),
    ("address", {}, PLACES, "eq", "杭州市", [2]),
    ("address", {}, PLACES, "contains", "深圳", [1]),
    ("address", {}, PLACES, "contains", {"detail": "100%"}, [2]),
    ("address", {}, PLACES, "empty", None, [3]),
    ("address", {}, PLACES, "not_empty", None, [1, 2]),
    ("file", {}, [[{"id": "1", "name": "a"}], None], "not_empty", None, [1]),
    ("signature", {}, [{"id": "1", "name": "a"}, None], "empty", None, [2]),
    ("location", {}, [{"lng": 1.0, "lat": 2.0}, None], "not_empty", None, [1]),
    ("formula", {"result": "money"}, [Decimal("1.00"), Decimal("5.00")], "ge", "2", [2]),
    ("formula", {"result": "date"}, DATES, "this_week", None, [1, 2, 3, 4]),
    ("formula", {"result": "text"}, TEXTS, "contains", "apple", [1, 2]),
])
def test_filters_run_on_sqlite(db: sa.Engine, name: str, props: dict[str, Any], values: list[Any], op: str,
                               operand: Any, expected: list[int]) -> None:
    f, table = insert_values(db, name, props, values)
    assert matching_ids(db, table, field_type(name).filter(f, table, op, operand, CTX)) == expected


def test_relative_dates_follow_the_time_zone(db: sa.Engine) -> None:
    f, table = insert_values(db, "datetime", {}, MOMENTS)
    in_utc = FilterContext(CTX.now, timezone.utc, CTX.user_id)
    assert matching_ids(db, table, field_type("datetime").filter(f, table, "today", None, in_utc)) == [3, 4]


def test_weeks_start_on_monday_even_on_sunday(db: sa.Engine) -> None:
    f, table = insert_values(db, "date", {}, DATES)
    sunday = FilterContext(datetime(2024, 3, 17, 12, 0, tzinfo=UTC), SHANGHAI)
    assert matching_ids(db, table, field_type("date").filter(f, table, "this_week", None, sunday)) == [1, 2, 3, 4]


@pytest.mark.parametrize("name,values,term,expected", [
    ("text", TEXTS, "apple", [1, 2]),
    ("text", TEXTS, "ApPlE", [1, 2]),
    ("text", TEXTS, "%", [3]),
    ("text", TEXTS, "o_f", []),  # unescaped, _ would match the second 'f' of "off"
    ("text", TEXTS, "%_", []),
    ("text", TEXTS, "off_", [3]),
    ("text", TEXTS, "\\s", [4]),
    ("email", ["Ann@Example.com", "bob@x.cn"], "example", [1]),
    ("rich_text", ["<p>Hello <b>World</b></p>", "<p>bye</p>"], "world", [1]),
    ("address", PLACES, "南山", [1]),
    ("address", PLACES, "100%", [2]),
])
def test_search_is_case_insensitive_and_literal(db: sa.Engine, name: str, values: list[Any], term: str,
                                                expected: list[int]) -> None:
    f, table = insert_values(db, name, {}, values)
    clause = field_type(name).search_clause(f, table, term)
    assert clause is not None
    assert matching_ids(db, table, clause) == expected


def test_sort_keys_order_rows(db: sa.Engine) -> None:
    f, table = insert_values(db, "money", {}, [Decimal("10"), Decimal("2.5"), Decimal("-1")])
    with db.connect() as conn:
        ids = list(conn.execute(sa.select(table.c.id).order_by(field_type("money").sort_key(f, table))).scalars())
    assert ids == [3, 2, 1]


@pytest.mark.parametrize("name,op,operand", [
    ("text", "gt", "a"), ("text", "contains", ""), ("text", "contains", ["a"]), ("integer", "contains", "1"),
    ("integer", "gt", None), ("date", "last_n_days", "x"), ("date", "last_n_days", 0),
    ("date", "between", ["2024-01-01"]), ("date", "between", "2024-01-01"), ("money", "eq", "lots"),
    ("boolean", "in", "maybe"), ("boolean", "eq", "maybe"), ("tags", "gt", "a"), ("tags", "contains", None),
    ("users", "contains", "bob"), ("address", "eq", {"planet": "x"}), ("address", "eq", 5),
    ("address", "gt", "x"), ("file", "contains", "x"), ("lookup", "eq", "x"), ("subform", "empty", None),
])
def test_bad_filters_are_query_errors(name: str, op: str, operand: Any) -> None:
    ftype = field_type(name)
    f = fd(name)
    table = make_table(ftype, f)
    with pytest.raises(QueryInvalid) as info:
        ftype.filter(f, table, op, operand, CTX)
    assert info.value.error.code == "bad_filter"


def test_me_needs_a_user() -> None:
    f = fd("user")
    table = make_table(field_type("user"), f)
    with pytest.raises(QueryInvalid):
        field_type("user").filter(f, table, "eq", "$me", FilterContext(CTX.now, CTX.tz))
