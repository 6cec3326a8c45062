"""The date functions: TODAY, NOW, DATE, YEAR, MONTH, DAY, WEEKNUM, DAYS, DATEDIF (Excel's units, its "MD" and
"YD" on month ends and 29 February included) and DATEDELTA."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.errors import FormulaError
from engine.formulas.errors import NUM, VALUE, fail
from engine.formulas.functions import CallContext, function
from engine.formulas.types import DATE, DATETIME, NUMBER
from engine.formulas.values import floor_int, to_date, to_number, to_text
from engine.i18n import zh_en


def _int(value: Any, ctx: CallContext) -> int:
    return int(floor_int(to_number(value, ctx.position)))


@function("TODAY", 0, 0, DATE, "TODAY()")
def _today(args: list[Any], ctx: CallContext) -> date:
    return ctx.now.astimezone(ctx.tz).date()


@function("NOW", 0, 0, DATETIME, "NOW()")
def _now(args: list[Any], ctx: CallContext) -> datetime:
    return ctx.now


@function("DATE", 3, 3, DATE, "DATE(year, month, day) — months and days overflow as in Excel")
def _date(args: list[Any], ctx: CallContext) -> date:
    year, month, day = (_int(a, ctx) for a in args)
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if not 1 <= year <= 9999:
        raise fail(NUM, zh_en("DATE:年份超出范围(1–9999)", "DATE: year out of range"), ctx.position)
    try:
        return date(year, month, 1) + timedelta(days=day - 1)
    except OverflowError:
        raise fail(NUM, zh_en("DATE:日期超出范围", "DATE: date out of range"), ctx.position) from None


def _a_date(value: Any, ctx: CallContext) -> date:
    d = to_date(value, ctx.tz, ctx.position)
    if d is None:
        raise FormulaError(zh_en("日期为空", "a date is empty"), ctx.position)
    return d


@function("YEAR", 1, 1, NUMBER, "YEAR(date)")
def _year(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).year)


@function("MONTH", 1, 1, NUMBER, "MONTH(date)")
def _month(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).month)


@function("DAY", 1, 1, NUMBER, "DAY(date)")
def _day(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(_a_date(args[0], ctx).day)


@function("WEEKNUM", 1, 2, NUMBER, "WEEKNUM(date, [1: weeks start Sunday | 2: Monday])")
def _weeknum(args: list[Any], ctx: CallContext) -> Decimal:
    d = _a_date(args[0], ctx)
    kind = _int(args[1], ctx) if len(args) > 1 else 1
    if kind not in (1, 2):
        raise FormulaError(zh_en("WEEKNUM:返回类型只能是 1 或 2", "WEEKNUM: return type must be 1 or 2"), ctx.position)
    jan1 = date(d.year, 1, 1)
    first_weekday = (jan1.isoweekday() % 7) if kind == 1 else jan1.weekday()  # days since week start
    return Decimal((d.timetuple().tm_yday - 1 + first_weekday) // 7 + 1)


@function("DAYS", 2, 2, NUMBER, "DAYS(end, start) — days between two dates")
def _days(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal((_a_date(args[0], ctx) - _a_date(args[1], ctx)).days)


@function("DATEDIF", 3, 3, NUMBER, "DATEDIF(start, end, unit) — unit Y, M, D, MD, YM or YD")
def _datedif(args: list[Any], ctx: CallContext) -> Decimal:
    start, end, unit = _a_date(args[0], ctx), _a_date(args[1], ctx), to_text(args[2]).upper()
    if start > end:
        raise fail(NUM, zh_en("DATEDIF:开始日期晚于结束日期", "DATEDIF: the start date is after the end date"),
                   ctx.position)
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    if unit == "Y":
        return Decimal(months // 12)
    if unit == "M":
        return Decimal(months)
    if unit == "D":
        return Decimal((end - start).days)
    if unit == "YM":
        return Decimal(months % 12)
    if unit == "MD":
        return Decimal(_datedif_md(start, end))
    if unit == "YD":
        return Decimal(_datedif_yd(start, end))
    raise fail(VALUE, zh_en(f"DATEDIF:未知单位“{unit}”(可用 Y、M、D、MD、YM 或 YD)",
                          f"DATEDIF: unknown unit '{unit}' (use Y, M, D, MD, YM or YD)"), ctx.position)


def _datedif_md(start: date, end: date) -> int:
    """Excel's "MD": the days past the last whole month, counted with the length of the month before `end` — so
    31 January → 1 March 2007 gives -2, as Excel does (Microsoft documents that "MD" may be negative)."""
    if end.day >= start.day:
        return end.day - start.day
    month_before = end.replace(day=1) - timedelta(days=1)
    return end.day + month_before.day - start.day


def _datedif_yd(start: date, end: date) -> int:
    """Excel's "YD": days from `start` to `end` moved into the first year where it is not before `start`; 29
    February moves to 1 March, and a leap day the two dates' own years lack is not counted."""
    if end.year == start.year:
        return (end - start).days
    moved = _in_year(end, start.year)
    if moved < start:
        moved = _in_year(end, start.year + 1)
    days = (moved - start).days
    if not (calendar.isleap(start.year) or calendar.isleap(end.year)) and calendar.isleap(moved.year) and \
            moved >= date(moved.year, 2, 29):
        days -= 1
    return days


def _in_year(d: date, year: int) -> date:
    """The same day in another year; 29 February becomes 1 March once it has crossed a common year."""
    if d.month == 2 and d.day == 29:
        return date(year, 3, 1)
    return date(year, d.month, d.day)


@function("DATEDELTA", 2, 2, DATE, "DATEDELTA(date, days) — the date plus (or minus) days")
def _datedelta(args: list[Any], ctx: CallContext) -> date:
    try:
        return _a_date(args[0], ctx) + timedelta(days=_int(args[1], ctx))
    except OverflowError:
        raise fail(NUM, zh_en("DATEDELTA:日期超出范围", "DATEDELTA: date out of range"), ctx.position) from None
