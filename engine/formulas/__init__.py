"""The formula language: Excel/简道云-like expressions, parsed by a grammar, typed, evaluated without eval.

>>> from datetime import datetime, timezone
>>> env = MappingEnv({"amount": 100, "rate": 15}, datetime(2024, 1, 1, tzinfo=timezone.utc), timezone.utc)
>>> evaluate(parse("ROUND(amount * rate / 100, 1)"), env)
Decimal('15.0')
"""

from __future__ import annotations

from functools import lru_cache

from engine.formulas import date_functions, error_functions  # noqa: F401 (they register DATE…, IFERROR…)
from engine.formulas.ast import Expr, references
from engine.formulas.checker import check
from engine.formulas.errors import ErrorValue
from engine.formulas.evaluator import Env, MappingEnv, evaluate, evaluate_value
from engine.formulas.functions import FUNCTIONS
from engine.formulas import library  # noqa: F401 (registers the library's functions)
from engine.formulas.parser import parse
from engine.formulas.types import ANY, BOOLEAN, DATE, DATETIME, NULL, NUMBER, TEXT, FType, ListOf


@lru_cache(maxsize=4096)
def compile_formula(source: str) -> Expr:
    """Parse a formula once and keep the tree (trees are immutable)."""
    return parse(source)


__all__ = [
    "ANY", "BOOLEAN", "DATE", "DATETIME", "FUNCTIONS", "NULL", "NUMBER", "TEXT", "Env", "ErrorValue", "Expr", "FType",
    "ListOf", "MappingEnv", "check", "compile_formula", "evaluate", "evaluate_value", "parse", "references",
]
