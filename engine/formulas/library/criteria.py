"""Spreadsheet criteria ("">5"", ""<>x"", ""a*"", 7, TRUE) and wildcards (? one character, * any run, ~ escapes),
as COUNTIF, SUMIF, AVERAGEIF, COUNTIFS, SUMIFS, MATCH and VLOOKUP read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from engine.formulas.library.args import is_number
from engine.formulas.library.fail import value_error
from engine.formulas.wildcards import matches
from engine.formulas.values import compare, is_empty, parse_number_text, to_number

MAX_PATTERN = 255  # Excel refuses longer criteria and lookup texts (#VALUE!)
OPERATORS = ("<>", ">=", "<=", "=", ">", "<")
OUTCOMES = {"=": (0,), "<>": (-1, 1), ">": (1,), ">=": (0, 1), "<": (-1,), "<=": (-1, 0)}


def text_matches(value: str, pattern: str) -> bool:
    """Case-insensitive equality with wildcards (engine.formulas.wildcards: no backtracking blow-up)."""
    return matches(pattern, value)


@dataclass(frozen=True)
class Criterion:
    """A parsed criterion: an operator and what it compares with (a number, a boolean, a date, text or None)."""

    op: str
    operand: Any

    def test(self, value: Any, tz: tzinfo | None) -> bool:
        """True when a cell's value meets the criterion."""
        if self.op == "<>":
            return not Criterion("=", self.operand).test(value, tz)
        operand = self.operand
        if operand is None:
            return self.op == "=" and is_empty(value)
        if is_empty(value):
            return False
        if isinstance(operand, bool):
            return isinstance(value, bool) and _holds(self.op, (value > operand) - (value < operand))
        if isinstance(operand, Decimal):
            number = _number_of(value, equality=self.op == "=")
            return number is not None and _holds(self.op, (number > operand) - (number < operand))
        if isinstance(operand, (date, datetime)):
            return isinstance(value, (date, datetime)) and _holds(self.op, compare(value, operand, tz, 0))
        if not isinstance(value, str):
            return False
        if self.op == "=":
            return text_matches(value, operand)
        return _holds(self.op, compare(value, operand, tz, 0))


def _holds(op: str, outcome: int) -> bool:
    return outcome in OUTCOMES[op]


def _number_of(value: Any, equality: bool) -> Decimal | None:
    """A cell's number: numbers always; numeric text only for equality (as COUNTIF(…, "5") counts "5")."""
    if is_number(value):
        return to_number(value)
    if equality and isinstance(value, str):
        return parse_number_text(value)
    return None


def check_pattern(name: str, text: str, position: int) -> None:
    """#VALUE! for a criterion or a lookup text longer than spreadsheets accept."""
    if len(text) > MAX_PATTERN:
        value_error(f"{name}:条件或查找文本超过 {MAX_PATTERN} 个字符",
                    f"{name}: a criterion or lookup text is longer than {MAX_PATTERN} characters", position)


def criterion(raw: Any) -> Criterion:
    """Parse a criterion argument: text may start with an operator; the rest reads as a number, TRUE/FALSE, an
    ISO date or text; a non-text argument means equality with it."""
    if is_empty(raw):
        return Criterion("=", None)
    if not isinstance(raw, str):
        if isinstance(raw, (bool, date, datetime)):
            return Criterion("=", raw)
        return Criterion("=", to_number(raw))
    op = next((o for o in OPERATORS if raw.startswith(o)), "")
    rest = raw[len(op):]
    return Criterion(op or "=", _operand(rest))


def _operand(rest: str) -> Any:
    if rest == "":
        return None
    if rest.strip().upper() in ("TRUE", "FALSE"):
        return rest.strip().upper() == "TRUE"
    number = parse_number_text(rest)
    if number is not None:
        return number
    try:
        return date.fromisoformat(rest.strip())
    except ValueError:
        return rest


def matcher(name: str, raw: Any, tz: tzinfo | None, position: int) -> Callable[[Any], bool]:
    """A predicate for one criterion argument of the function `name`."""
    if isinstance(raw, str):
        check_pattern(name, raw, position)
    parsed = criterion(raw)
    return lambda value: parsed.test(value, tz)
