"""The spreadsheet error kinds the library functions raise, in one place.

Each helper names the spreadsheet error a function answers with (#VALUE!, #NUM!, #N/A, #DIV/0!, #REF!) and raises
it as an error value (engine.formulas.errors): the evaluator turns it into the call's result, which propagates and
which IFERROR, ISERROR and IFNA catch.
"""

from __future__ import annotations

from typing import NoReturn

from engine.formulas.errors import DIV0, NA, NUM, REF, VALUE, fail
from engine.i18n import zh_en


def value_error(zh: str, en: str, position: int) -> NoReturn:
    """#VALUE!: an argument of the wrong kind (text where a number is needed, an empty text…)."""
    raise fail(VALUE, zh_en(zh, en), position)


def num_error(zh: str, en: str, position: int) -> NoReturn:
    """#NUM!: a number outside what the function accepts (negative square root, k beyond the list…)."""
    raise fail(NUM, zh_en(zh, en), position)


def na_error(zh: str, en: str, position: int) -> NoReturn:
    """#N/A: a lookup found nothing."""
    raise fail(NA, zh_en(zh, en), position)


def div_error(zh: str, en: str, position: int) -> NoReturn:
    """#DIV/0!: a division by zero (a mean of nothing, a zero divisor)."""
    raise fail(DIV0, zh_en(zh, en), position)


def ref_error(zh: str, en: str, position: int) -> NoReturn:
    """#REF!: a row or column outside a table."""
    raise fail(REF, zh_en(zh, en), position)
