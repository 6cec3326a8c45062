"""Formulas cannot be made to hang or crash: numbers stay below 10^300, text below 100 000 characters, dates in
range — each excess is a FormulaError naming it, in well under a second."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from engine.errors import FormulaError
from engine.formulas import MappingEnv, evaluate, parse

ENV = MappingEnv({"t": "x", "n": Decimal("1e299")}, datetime(2024, 1, 1, tzinfo=timezone.utc), timezone.utc)


@pytest.mark.parametrize("source,message", [
    ("9^9^9^9", "too large"),
    ("POWER(9, POWER(9, 9))", "exponent"),
    ("n * n", "too large"),
    ("n * 10", "too large"),
    ("VALUE('1e999999999')", "too large"),
    ("INT(VALUE('1e999999'))", "too large"),
    ("DATE(n, 1, 1)", "out of range"),
    ("LEFT(t, VALUE('1e999999'))", "too large"),
    ("TODAY() + n", "out of range"),
    ("WEEKNUM(TODAY() + 1e9)", "out of range"),
    ("ROUND(1.5, 1e200)", "cannot be computed"),
])
def test_excess_is_refused_quickly(source: str, message: str) -> None:
    started = time.thread_time()  # CPU time: the bound is on the work done, not on how busy the machine is
    with pytest.raises(FormulaError) as refused:
        evaluate(parse(source), ENV)
    assert message in str(refused.value)
    assert time.thread_time() - started < 1


@pytest.mark.parametrize("source", ["1e999999999", "-1e999999999 ^ 0.5", "1e300"])
def test_number_literals_beyond_the_range_do_not_parse(source: str) -> None:
    with pytest.raises(FormulaError, match="too large"):
        parse(source)


@pytest.mark.parametrize("source,expected", [
    ("1e30 & t", "1000000000000000000000000000000x"),
    ("LEFT(t, 1e299)", "x"),
    ("t & 1e-400", "x0"),
    ("2.50 & ''", "2.5"),
    ("1e3 & ''", "1000"),
])
def test_large_and_tiny_numbers_in_range_still_compute(source: str, expected: str) -> None:
    assert evaluate(parse(source), ENV) == expected
