"""Spreadsheet error values (#DIV/0!, #VALUE!, #NUM!, #N/A, #NAME?, #REF!): values a formula computes with.

A step that cannot be computed raises FormulaError with a `code`; the evaluator turns it into an ErrorValue at the
operator or function call, and the value travels on: an operator or a function given an error returns it (IFERROR,
ISERROR… look at it instead). Only the formula's final result, if still an error, is reported to its caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import FormulaError
from engine.i18n import I18n, text, zh_en

NULL_ERROR, DIV0, VALUE, REF, NAME, NUM, NA = "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"
CODES = (NULL_ERROR, DIV0, VALUE, REF, NAME, NUM, NA)  # in ERROR.TYPE's order: 1 … 7

DESCRIPTIONS: dict[str, dict[str, str]] = {
    NULL_ERROR: zh_en("区域没有交集", "the ranges do not intersect"),
    DIV0: zh_en("除数为零", "division by zero"),
    VALUE: zh_en("值的类型不对", "a value of the wrong kind"),
    REF: zh_en("引用无效", "an invalid reference"),
    NAME: zh_en("未知的名称", "an unknown name"),
    NUM: zh_en("数值无效或超出范围", "an invalid or out-of-range number"),
    NA: zh_en("没有可用的值", "no value is available"),
}


@dataclass(frozen=True)
class ErrorValue:
    """A spreadsheet error as a value: its code (`#DIV/0!`) and, when known, what went wrong and where."""

    code: str
    message: I18n | None = field(default=None, compare=False)
    position: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.code

    def describe(self, lang: str = "en") -> str:
        """What a person reads: `division by zero (#DIV/0!)` / `除数为零 (#DIV/0!)`."""
        return f"{text(DESCRIPTIONS.get(self.code, DESCRIPTIONS[VALUE]), lang)} ({self.code})"

    def error(self) -> FormulaError:
        """The FormulaError that reports this value to a caller that cannot hold an error value."""
        return FormulaError(self.message or DESCRIPTIONS.get(self.code, DESCRIPTIONS[VALUE]), self.position,
                            code=self.code)


def fail(code: str, message: I18n, position: int | None = None) -> FormulaError:
    """The FormulaError a step raises to produce the error value `code` (`raise fail(DIV0, …)`)."""
    return FormulaError(message, position, code=code)


def as_value(exc: FormulaError) -> ErrorValue:
    """The error value a failed step becomes (#VALUE! when the step named no code)."""
    return ErrorValue(exc.code or VALUE, exc.message, exc.position)


def first_error(values: Iterable[Any]) -> ErrorValue | None:
    """The first error among values (looking inside lists), or None."""
    for v in values:
        if isinstance(v, ErrorValue):
            return v
        if isinstance(v, list):
            inner = first_error(v)
            if inner is not None:
                return inner
    return None


def reject_error(value: Any) -> None:
    """Raise the error a value carries, so a coercion (to a number, text…) of an error yields the same error."""
    if isinstance(value, ErrorValue):
        raise value.error()


def error_description(code: str, lang: str = "en") -> str:
    """`division by zero (#DIV/0!)` for a code, in `lang`."""
    return ErrorValue(code).describe(lang)
