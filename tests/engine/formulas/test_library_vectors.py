"""The function library's vectors (library_vectors.yaml): spreadsheet semantics, from the spreadsheets' own
documentation, of every function engine/formulas/library adds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from engine.errors import FormulaError
from engine.formulas import MappingEnv, evaluate, parse
from engine.formulas.values import format_decimal



def cases(name: str) -> list[list[Any]]:
    """The rows of a vectors file next to this test."""
    return list(yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8")))


# array_vectors.yaml (the same functions over inline arrays {1,2;3,4}) joins this list once the grammar reads them.
VECTORS = cases("library_vectors.yaml") + cases("array_vectors.yaml")
NOW = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)


def _rows(keys: str, *rows: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(zip(keys.split(), row)) for row in rows]


FIELDS: dict[str, Any] = {
    "a": Decimal(10), "s": "Hello World", "empty": None, "blank": "", "d": date(2024, 2, 29),
    "d2": date(2024, 3, 31), "flag": True, "tags": ["a", "b"], "when": NOW,
    "items": [{"q": 2, "p": Decimal("1.5")}, {"q": 3, "p": 2}, {"q": None, "p": 4}],
    "sizes": [25, 38, 40, 41], "desc": [9, 7, 5, 3], "names": ["apple", "banana", "cherry"], "mixed": ["x", 5, 2],
    "col1": [3, 4, 5, 2, 3, 4, 6, 4, 7], "col2": [1, 4, 8, 3, 7, 12, 54, 8, 23],
    "fruits": _rows("name price", ("apple", 3), ("banana", 2), ("cherry", 8)),
    "grades": _rows("low grade", (0, "F"), (60, "D"), (70, "C"), (80, "B"), (90, "A")),
    "fr": ["apples", "oranges", "peaches", "apples"], "n4": [32, 54, 75, 86],
    "pv": [100000, 200000, 300000, 400000], "comm": [7000, 14000, 21000, 28000],
    "sales": _rows("category food amount", ("Vegetables", "Tomatoes", 2300), ("Vegetables", "Celery", 5500),
                   ("Fruits", "Oranges", 800), (None, "Butter", 400), ("Vegetables", "Carrots", 4200),
                   ("Fruits", "Apples", 1200)),
    "orders": _rows("qty product person", (5, "Apples", "Tom"), (4, "Apples", "Sarah"), (15, "Artichokes", "Tom"),
                    (3, "Artichokes", "Sarah"), (22, "Bananas", "Tom"), (12, "Bananas", "Sarah"),
                    (10, "Carrots", "Tom"), (33, "Carrots", "Sarah")),
    "h12": [date(2012, 11, 22), date(2012, 12, 4), date(2013, 1, 21)],
    "h08": [date(2008, 11, 26), date(2008, 12, 4), date(2009, 1, 21)],
}


def env() -> MappingEnv:
    return MappingEnv(FIELDS, NOW, ZoneInfo("Asia/Shanghai"), {"me": 1})


def shown(value: Any, in_list: bool = False) -> Any:
    if isinstance(value, list):
        return [shown(v, in_list=True) for v in value]
    if in_list and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format_decimal(Decimal(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


@pytest.mark.parametrize("source,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_library_vector(source: str, expected: Any) -> None:
    if isinstance(expected, str) and expected.startswith("error: "):
        with pytest.raises(FormulaError) as info:
            evaluate(parse(source), env())
        assert expected[7:] in str(info.value)
        return
    result = evaluate(parse(source), env())
    if isinstance(expected, str) and isinstance(result, (Decimal, int)) and not isinstance(result, bool):
        assert result == Decimal(expected), f"{source} = {result}, expected {expected}"
    else:
        assert shown(result) == expected, f"{source} = {result!r}, expected {expected!r}"
