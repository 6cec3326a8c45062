"""Counting and statistics over lists: COUNTA, the criteria family (COUNTIF, COUNTIFS, SUMIF, SUMIFS, AVERAGEIF),
LARGE, SMALL, MEDIAN and SUMPRODUCT."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from engine.formulas.functions import CallContext, flatten, function
from engine.formulas.library.args import is_moment, is_number, numbers_in, typed, vector
from engine.formulas.library.criteria import matcher
from engine.formulas.library.fail import div_error, num_error, value_error
from engine.formulas.types import DATE, DATETIME, NUMBER, FType, scalar
from engine.formulas.values import bounded, instant, is_empty, to_number


@function("COUNTA", 1, None, NUMBER, "COUNTA(value or list, …) — counts values that are not empty")
def _counta(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(sum(1 for v in flatten(args) if not is_empty(v)))


# COUNTIF replaces the simple one in functions.py: criteria with wildcards and typed comparisons.
@function("COUNTIF", 2, 2, typed("COUNTIF", NUMBER, "any", "scalar"),
          "COUNTIF(list, criterion) — criterion like \">10\", \"<>x\", \"a*\" or a value")
def _countif(args: list[Any], ctx: CallContext) -> Decimal:
    test = matcher("COUNTIF", args[1], ctx.tz, ctx.position)
    return Decimal(sum(1 for v in vector(args[0]) if test(v)))


def _pairs(name: str, ranges: list[Any], ctx: CallContext) -> list[bool]:
    """Which positions meet every (list, criterion) pair; the lists must be equally long."""
    if len(ranges) % 2:
        value_error(f"{name} 的参数须成对:列表和条件", f"{name} needs pairs of list and criterion", ctx.position)
    columns = [vector(ranges[i]) for i in range(0, len(ranges), 2)]
    tests = [matcher(name, ranges[i + 1], ctx.tz, ctx.position) for i in range(0, len(ranges), 2)]
    size = len(columns[0])
    if any(len(c) != size for c in columns):
        value_error(f"{name}:各列表的长度须相同", f"{name}: the lists must have the same length", ctx.position)
    return [all(test(column[i]) for column, test in zip(columns, tests)) for i in range(size)]


@function("COUNTIFS", 2, None, typed("COUNTIFS", NUMBER, rest="any"),
          "COUNTIFS(list1, criterion1, [list2, criterion2], …) — counts positions meeting every criterion")
def _countifs(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(sum(_pairs("COUNTIFS", args, ctx)))


def _summed(values: list[Any], chosen: Sequence[bool]) -> list[Decimal]:
    return [to_number(v) for v, keep in zip(values, chosen) if keep and is_number(v)]


@function("SUMIF", 2, 3, typed("SUMIF", NUMBER, "any", "scalar", "any"),
          "SUMIF(list, criterion, [sum_list]) — sums where the list meets the criterion")
def _sumif(args: list[Any], ctx: CallContext) -> Decimal:
    test = matcher("SUMIF", args[1], ctx.tz, ctx.position)
    checked = vector(args[0])
    return sum(_summed(vector(args[2]) if len(args) > 2 else checked, [test(v) for v in checked]), Decimal(0))


@function("SUMIFS", 3, None, typed("SUMIFS", NUMBER, rest="any"),
          "SUMIFS(sum_list, list1, criterion1, [list2, criterion2], …) — sums where every criterion is met")
def _sumifs(args: list[Any], ctx: CallContext) -> Decimal:
    values = vector(args[0])
    chosen = _pairs("SUMIFS", args[1:], ctx)
    if len(values) != len(chosen):
        value_error("SUMIFS:求和列表与条件列表的长度须相同", "SUMIFS: the sum list and the criteria lists must have "
                    "the same length", ctx.position)
    return sum(_summed(values, chosen), Decimal(0))


@function("AVERAGEIF", 2, 3, typed("AVERAGEIF", NUMBER, "any", "scalar", "any"),
          "AVERAGEIF(list, criterion, [average_list]) — the mean where the list meets the criterion")
def _averageif(args: list[Any], ctx: CallContext) -> Decimal:
    test = matcher("AVERAGEIF", args[1], ctx.tz, ctx.position)
    checked = vector(args[0])
    found = _summed(vector(args[2]) if len(args) > 2 else checked, [test(v) for v in checked])
    if not found:
        div_error("AVERAGEIF:没有满足条件的数值", "AVERAGEIF: no number meets the criterion", ctx.position)
    return sum(found, Decimal(0)) / len(found)


def _ranked_type(args: Sequence[FType], position: int) -> FType:
    item = scalar(args[0])
    return item if item in (DATE, DATETIME) else NUMBER


def _kth(args: list[Any], ctx: CallContext, name: str, largest: bool) -> Any:
    k = int(to_number(args[1], ctx.position).to_integral_value(rounding=ROUND_CEILING))
    present = [v for v in vector(args[0]) if not is_empty(v)]
    if present and all(is_moment(v) for v in present):
        ordered: list[Any] = sorted(present, key=lambda v: instant(v, ctx.tz), reverse=largest)
    else:
        ordered = sorted(numbers_in([args[0]], ctx) if isinstance(args[0], list) else numbers_in(present, ctx),
                         reverse=largest)
    if not 1 <= k <= len(ordered):
        num_error(f"{name}:k 须在 1 到 {len(ordered)} 之间", f"{name}: k must be between 1 and {len(ordered)}",
                  ctx.position)
    return ordered[k - 1]


@function("LARGE", 2, 2, typed("LARGE", _ranked_type, "any", "number"), "LARGE(list, k) — the k-th largest")
def _large(args: list[Any], ctx: CallContext) -> Any:
    return _kth(args, ctx, "LARGE", largest=True)


@function("SMALL", 2, 2, typed("SMALL", _ranked_type, "any", "number"), "SMALL(list, k) — the k-th smallest")
def _small(args: list[Any], ctx: CallContext) -> Any:
    return _kth(args, ctx, "SMALL", largest=False)


@function("MEDIAN", 1, None, typed("MEDIAN", NUMBER, rest="any"), "MEDIAN(number or list, …) — the middle value")
def _median(args: list[Any], ctx: CallContext) -> Decimal:
    values = sorted(numbers_in(args, ctx))
    if not values:
        num_error("MEDIAN:没有数值", "MEDIAN: there are no numbers", ctx.position)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


@function("SUMPRODUCT", 1, None, typed("SUMPRODUCT", NUMBER, rest="any"),
          "SUMPRODUCT(list1, [list2], …) — the sum of the products of corresponding items")
def _sumproduct(args: list[Any], ctx: CallContext) -> Decimal:
    lists = [vector(a) for a in args]
    size = len(lists[0])
    if any(len(values) != size for values in lists):
        value_error("SUMPRODUCT:各列表的长度须相同", "SUMPRODUCT: the lists must have the same length", ctx.position)
    total = Decimal(0)
    for i in range(size):
        product = Decimal(1)
        for values in lists:
            product = bounded(product * (to_number(values[i], ctx.position) if is_number(values[i]) else 0),
                              ctx.position)
        total = bounded(total + product, ctx.position)
    return total
