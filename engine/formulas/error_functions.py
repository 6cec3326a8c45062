"""The functions that look at error values instead of passing them on: IFERROR, IFNA, ISERROR, ISERR, ISNA,
ERROR.TYPE, and NA() that makes one."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from engine.formulas.errors import CODES, NA, ErrorValue, fail
from engine.formulas.functions import CallContext, function
from engine.formulas.types import ANY, BOOLEAN, NUMBER, FType
from engine.i18n import zh_en


def _either(args: Sequence[FType], position: int) -> FType:
    known = {str(a) for a in args if a.kind not in ("any", "null")}
    return args[0] if len(known) == 1 and args[0].kind not in ("any", "null") else ANY


@function("IFERROR", 2, 2, _either, "IFERROR(value, value_if_error)", handles_errors=True)
def _iferror(args: list[Any], ctx: CallContext) -> Any:
    return args[1] if isinstance(args[0], ErrorValue) else args[0]


@function("IFNA", 2, 2, _either, "IFNA(value, value_if_na)", handles_errors=True)
def _ifna(args: list[Any], ctx: CallContext) -> Any:
    return args[1] if isinstance(args[0], ErrorValue) and args[0].code == NA else args[0]


@function("ISERROR", 1, 1, BOOLEAN, "ISERROR(value) — TRUE for any error value", handles_errors=True)
def _iserror(args: list[Any], ctx: CallContext) -> bool:
    return isinstance(args[0], ErrorValue)


@function("ISERR", 1, 1, BOOLEAN, "ISERR(value) — TRUE for any error value but #N/A", handles_errors=True)
def _iserr(args: list[Any], ctx: CallContext) -> bool:
    return isinstance(args[0], ErrorValue) and args[0].code != NA


@function("ISNA", 1, 1, BOOLEAN, "ISNA(value) — TRUE for #N/A", handles_errors=True)
def _isna(args: list[Any], ctx: CallContext) -> bool:
    return isinstance(args[0], ErrorValue) and args[0].code == NA


@function("NA", 0, 0, ANY, "NA() — the #N/A error value (no value available)")
def _na(args: list[Any], ctx: CallContext) -> ErrorValue:
    return ErrorValue(NA, zh_en("NA():没有可用的值", "NA(): no value is available"), ctx.position)


@function("ERROR.TYPE", 1, 1, NUMBER, "ERROR.TYPE(error) — 1 #NULL!, 2 #DIV/0!, 3 #VALUE!, 4 #REF!, 5 #NAME?, "
          "6 #NUM!, 7 #N/A", handles_errors=True)
def _error_type(args: list[Any], ctx: CallContext) -> Decimal:
    if not isinstance(args[0], ErrorValue):
        raise fail(NA, zh_en("ERROR.TYPE:这个值不是错误", "ERROR.TYPE: the value is not an error"), ctx.position)
    return Decimal(CODES.index(args[0].code) + 1)
