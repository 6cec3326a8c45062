"""Number functions: QUOTIENT, SQRT, TRUNC, FACT and LOG."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from engine.formulas.functions import CallContext, function
from engine.formulas.library.args import integer, typed
from engine.formulas.library.fail import div_error, num_error
from engine.formulas.types import NUMBER
from engine.formulas.values import bounded, round_down, to_number

MAX_FACTORIAL = 170  # 171! passes every spreadsheet's range; ours (10^300) already ends at 166!


@function("QUOTIENT", 2, 2, typed("QUOTIENT", NUMBER, "number", "number"),
          "QUOTIENT(number, divisor) — the integer part of the division")
def _quotient(args: list[Any], ctx: CallContext) -> Decimal:
    n, d = to_number(args[0], ctx.position), to_number(args[1], ctx.position)
    if d == 0:
        div_error("QUOTIENT:除数不能为 0", "QUOTIENT: division by zero", ctx.position)
    return round_down(bounded(n / d, ctx.position), 0)


@function("SQRT", 1, 1, typed("SQRT", NUMBER, "number"), "SQRT(number) — the positive square root")
def _sqrt(args: list[Any], ctx: CallContext) -> Decimal:
    n = to_number(args[0], ctx.position)
    if n < 0:
        num_error("SQRT:负数没有平方根", "SQRT: a negative number has no square root", ctx.position)
    return n.sqrt()


@function("TRUNC", 1, 2, typed("TRUNC", NUMBER, "number", "number"),
          "TRUNC(number, [digits]) — cuts the digits off, toward zero")
def _trunc(args: list[Any], ctx: CallContext) -> Decimal:
    number = to_number(args[0], ctx.position)
    digits = integer(args[1], ctx) if len(args) > 1 else 0
    if digits >= -int(number.as_tuple().exponent):  # nothing to cut (and no huge quantum to compute)
        return number
    if number.adjusted() < -digits:  # every digit is cut
        return Decimal(0)
    return round_down(number, digits)


@function("FACT", 1, 1, typed("FACT", NUMBER, "number"), "FACT(number) — 1 × 2 × … × number")
def _fact(args: list[Any], ctx: CallContext) -> Decimal:
    n = int(to_number(args[0], ctx.position))  # truncated toward zero
    if n < 0:
        num_error("FACT:不能是负数", "FACT: the number cannot be negative", ctx.position)
    if n > MAX_FACTORIAL:
        num_error(f"FACT:数值太大(最大 {MAX_FACTORIAL})", f"FACT: the number is too large (at most "
                  f"{MAX_FACTORIAL})", ctx.position)
    return bounded(Decimal(math.factorial(n)), ctx.position)


@function("LOG", 1, 2, typed("LOG", NUMBER, "number", "number"), "LOG(number, [base=10])")
def _log(args: list[Any], ctx: CallContext) -> Decimal:
    n = to_number(args[0], ctx.position)
    base = to_number(args[1], ctx.position) if len(args) > 1 else Decimal(10)
    if n <= 0 or base <= 0:
        num_error("LOG:数值和底数须大于 0", "LOG: the number and the base must be greater than 0", ctx.position)
    if base == 1:
        div_error("LOG:底数不能为 1", "LOG: the base cannot be 1", ctx.position)
    if base == 10:
        return n.log10()
    return n.ln() / base.ln()
