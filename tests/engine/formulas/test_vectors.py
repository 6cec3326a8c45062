"""The formula test vectors: spreadsheet semantics for every function, rounding, dates and empty values."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from engine.errors import FormulaError
from engine.formulas import ErrorValue, MappingEnv, evaluate, evaluate_value, parse

HERE = Path(__file__).parent
VECTORS = [row for name in ("vectors.yaml", "vectors_spreadsheet.yaml")
           for row in yaml.safe_load((HERE / name).read_text(encoding="utf-8"))]
NOW = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)
FIELDS: dict[str, Any] = {
    "a": Decimal(10), "b": Decimal(3), "neg": Decimal("-2.5"), "s": "Hello World", "cn": "简道云表单",
    "empty": None, "blank": "", "d": date(2024, 2, 29), "d2": date(2024, 3, 31), "flag": True, "tags": ["a", "b"],
    "items": [{"q": 2, "p": Decimal("1.5")}, {"q": 3, "p": 2}, {"q": None, "p": 4}], "when": NOW,
}


def env() -> MappingEnv:
    return MappingEnv(FIELDS, NOW, ZoneInfo("Asia/Shanghai"), {"me": 1})


def shown(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ErrorValue):
        return value.code
    return value


def test_there_are_enough_vectors() -> None:
    assert len(VECTORS) >= 150


@pytest.mark.parametrize("source,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_vector(source: str, expected: Any) -> None:
    if isinstance(expected, str) and expected.startswith("error: "):
        with pytest.raises(FormulaError) as info:
            evaluate(parse(source), env())
        assert expected[7:] in str(info.value)
        return
    result = evaluate_value(parse(source), env())  # an error value (#DIV/0!…) is a result like any other
    if isinstance(expected, str) and isinstance(result, Decimal):
        assert result == Decimal(expected), f"{source} = {result}, expected {expected}"
    else:
        assert shown(result) == expected, f"{source} = {result!r}, expected {expected!r}"
