"""The library's functions are checked when a definition is loaded: argument counts, arguments that can never
work (a date where a number is needed, a list where one value is), and the result type formulas build on."""

from __future__ import annotations

import pytest

from engine.errors import FormulaError
from engine.formulas import ANY, BOOLEAN, DATE, NUMBER, TEXT, FType, ListOf, check, parse

TYPES: dict[tuple[str, ...], FType] = {
    ("amount",): NUMBER, ("name",): TEXT, ("due",): DATE, ("won",): BOOLEAN, ("items", "qty"): ListOf(NUMBER),
    ("items", "label"): ListOf(TEXT), ("items", "day"): ListOf(DATE), ("misc",): ANY,
}


def type_of(source: str) -> FType:
    return check(parse(source), TYPES.get)


@pytest.mark.parametrize("source,expected", [
    ("WEEKDAY(due)", NUMBER),
    ("EDATE(due, 1)", DATE),
    ("EOMONTH(due, amount)", DATE),
    ("WORKDAY(due, 5, items.day)", DATE),
    ("DATEVALUE(name)", DATE),
    ("TEXTJOIN(',', TRUE, items.label)", TEXT),
    ("SPLIT(name, ',')", ListOf(TEXT)),
    ("UNION(items.label, name)", ListOf(TEXT)),
    ("CHOOSE(amount, 'a', 'b')", TEXT),
    ("CHOOSE(amount, 'a', 1)", ANY),
    ("VLOOKUP(name, items.label, 1, FALSE)", TEXT),
    ("INDEX(items.qty, 2)", NUMBER),
    ("LARGE(items.day, 1)", DATE),
    ("LARGE(items.qty, 1)", NUMBER),
    ("SUMIFS(items.qty, items.label, 'a*')", NUMBER),
    ("RMBCAP(amount)", TEXT),
    ("ISNUMBER(misc)", BOOLEAN),
    ("SQRT('16')", NUMBER),  # numeric text is a number, as in spreadsheets
    ("UUID()", TEXT),
])
def test_result_types(source: str, expected: FType) -> None:
    assert type_of(source) == expected


@pytest.mark.parametrize("source,fragment", [
    ("SQRT(due)", "SQRT: argument 1 should be a number, got date"),
    ("EDATE(amount, 1)", "EDATE: argument 1 should be a date, got number"),
    ("REPT('x', items.qty)", "REPT: argument 2 should be a number, got list[number]"),
    ("COUNTIF(items.qty, items.qty)", "COUNTIF: argument 2 should be a single value"),
    ("WEEKDAY()", "WEEKDAY expects 1 to 2 argument(s), got 0"),
    ("RMBCAP(1, 2)", "RMBCAP expects 1 argument(s), got 2"),
    ("TEXTJOIN(',', TRUE)", "TEXTJOIN expects at least 3 argument(s), got 2"),
    ("UUID(1)", "UUID expects 0 argument(s), got 1"),
    ("VLOOKUP(1, items.qty)", "VLOOKUP expects 3 to 4 argument(s)"),
    ("NETWORKDAY(due, due)", "did you mean 'NETWORKDAYS'"),
])
def test_wrong_arguments_are_refused_at_definition_time(source: str, fragment: str) -> None:
    with pytest.raises(FormulaError) as info:
        type_of(source)
    assert fragment in info.value.message["en"]


def test_messages_exist_in_chinese() -> None:
    with pytest.raises(FormulaError) as info:
        type_of("EDATE(amount, 1)")
    assert info.value.message["zh"] == "EDATE 的第 1 个参数应为日期,实际是数字"
