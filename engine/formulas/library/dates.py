"""Date and time functions: WEEKDAY, ISOWEEKNUM, EDATE, EOMONTH, DATEVALUE, DAYS360, NETWORKDAYS, WORKDAY; and
times as spreadsheets keep them, a fraction of a day: TIME, HOUR, MINUTE, SECOND."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.formulas.functions import CallContext, function
from engine.formulas.library.args import a_date, truncated, typed, vector
from engine.formulas.library.fail import num_error, value_error
from engine.formulas.types import DATE, NUMBER
from engine.formulas.values import floor_int, is_empty, to_bool, to_date, to_number

DAY_SECONDS = 86400
MAX_DATE_TEXT = 64  # longer text is never a date or a time (and is not searched for one)
# WEEKDAY's return types: the weekday (Monday 0 … Sunday 6) that counts 1 (or 0 for type 3).
WEEK_STARTS = {1: 6, 2: 0, 3: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}
OUT_OF_RANGE = ("日期超出范围", "the date is out of range")


@function("WEEKDAY", 1, 2, typed("WEEKDAY", NUMBER, "date", "number"),
          "WEEKDAY(date, [type=1]) — 1 Sunday … 7 Saturday; type 2: 1 Monday … 7 Sunday; type 3: 0 Monday …")
def _weekday(args: list[Any], ctx: CallContext) -> Decimal:
    d = a_date(args[0], ctx, "WEEKDAY")
    kind = truncated(args[1], ctx) if len(args) > 1 else 1
    if kind not in WEEK_STARTS:
        num_error("WEEKDAY:类型须是 1、2、3 或 11–17", "WEEKDAY: the type must be 1, 2, 3 or 11–17", ctx.position)
    since_start = (d.weekday() - WEEK_STARTS[kind]) % 7
    return Decimal(since_start if kind == 3 else since_start + 1)


@function("ISOWEEKNUM", 1, 1, typed("ISOWEEKNUM", NUMBER, "date"), "ISOWEEKNUM(date) — the ISO 8601 week number")
def _isoweeknum(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(a_date(args[0], ctx, "ISOWEEKNUM").isocalendar()[1])


def _month_shift(name: str, args: list[Any], ctx: CallContext) -> tuple[int, int, date]:
    start = a_date(args[0], ctx, name)
    index = start.year * 12 + start.month - 1 + truncated(args[1], ctx)
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        num_error(f"{name}:{OUT_OF_RANGE[0]}", f"{name}: {OUT_OF_RANGE[1]}", ctx.position)
    return year, month + 1, start


@function("EDATE", 2, 2, typed("EDATE", DATE, "date", "number"),
          "EDATE(date, months) — the same day months later (or earlier), at most the month's last day")
def _edate(args: list[Any], ctx: CallContext) -> date:
    year, month, start = _month_shift("EDATE", args, ctx)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@function("EOMONTH", 2, 2, typed("EOMONTH", DATE, "date", "number"),
          "EOMONTH(date, months) — the last day of the month months later (or earlier)")
def _eomonth(args: list[Any], ctx: CallContext) -> date:
    year, month, _ = _month_shift("EOMONTH", args, ctx)
    return date(year, month, calendar.monthrange(year, month)[1])


MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
NUMERIC_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4})")
MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")


def read_date(text: str) -> date | None:
    """A date written the common ways: 2024-03-15, 2024/3/15, 2024年3月15日, 3/15/2024, 15-Mar-2024,
    March 15, 2024 (a time after it is ignored)."""
    text = text.strip()
    if len(text) > MAX_DATE_TEXT:
        return None
    for pattern, order in ((NUMERIC_DATE, "ymd"), (US_DATE, "mdy"), (DAY_MONTH_YEAR, "dmy"),
                           (MONTH_DAY_YEAR, "mdy")):
        found = pattern.match(text)
        if found is None:
            continue
        parts = dict(zip(order, found.groups()))
        month = MONTHS.get(parts["m"][:3].lower()) if parts["m"].isalpha() else int(parts["m"])
        try:
            return date(int(parts["y"]), month or 0, int(parts["d"]))
        except ValueError:
            return None
    return None


@function("DATEVALUE", 1, 1, typed("DATEVALUE", DATE, "text"),
          "DATEVALUE(text) — the date a text names: '2024-03-15', '2024/3/15', '2024年3月15日', '15-Mar-2024'")
def _datevalue(args: list[Any], ctx: CallContext) -> date:
    value = args[0]
    if isinstance(value, (date, datetime)):
        return a_date(value, ctx, "DATEVALUE")
    found = read_date(str(value)) if isinstance(value, str) else None
    if found is None:
        value_error(f"DATEVALUE:“{str(value)[:40]}”不是日期", f"DATEVALUE: '{str(value)[:40]}' is not a date",
                    ctx.position)
    return found


@function("DAYS360", 2, 3, typed("DAYS360", NUMBER, "date", "date", "scalar"),
          "DAYS360(start, end, [european=FALSE]) — days between on a 360-day year (US or European method)")
def _days360(args: list[Any], ctx: CallContext) -> Decimal:
    start, end = a_date(args[0], ctx, "DAYS360"), a_date(args[1], ctx, "DAYS360")
    european = len(args) > 2 and to_bool(args[2], ctx.position)
    d1, d2 = start.day, end.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        if d1 == 31 or (start.month == 2 and d1 == calendar.monthrange(start.year, 2)[1]):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return Decimal((end.year - start.year) * 360 + (end.month - start.month) * 30 + d2 - d1)


def _holidays(args: list[Any], index: int, ctx: CallContext) -> set[date]:
    if len(args) <= index:
        return set()
    days = {to_date(v, ctx.tz, ctx.position) for v in vector(args[index]) if not is_empty(v)}
    return {d for d in days if d is not None and d.weekday() < 5}


def _weekdays(first: date, last: date) -> int:
    """Monday–Friday days from first to last, both included (first ≤ last), without walking the range."""
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    return weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)


@function("NETWORKDAYS", 2, 3, typed("NETWORKDAYS", NUMBER, "date", "date", "any"),
          "NETWORKDAYS(start, end, [holidays]) — working days (Monday–Friday) from start to end, both included")
def _networkdays(args: list[Any], ctx: CallContext) -> Decimal:
    start, end = a_date(args[0], ctx, "NETWORKDAYS"), a_date(args[1], ctx, "NETWORKDAYS")
    first, last = min(start, end), max(start, end)
    count = _weekdays(first, last) - sum(1 for h in _holidays(args, 2, ctx) if first <= h <= last)
    return Decimal(count if start <= end else -count)


def _step_workdays(start: date, n: int, step: int) -> date:
    """start moved by n (> 0) working days in direction step, holidays aside: whole weeks at once."""
    weeks = (n - 1) // 5
    d = start + timedelta(days=7 * weeks * step)
    rest = n - 5 * weeks
    while rest:
        d += timedelta(days=step)
        if d.weekday() < 5:
            rest -= 1
    return d


@function("WORKDAY", 2, 3, typed("WORKDAY", DATE, "date", "number", "any"),
          "WORKDAY(start, days, [holidays]) — the date that many working days after (or before) start")
def _workday(args: list[Any], ctx: CallContext) -> date:
    current = a_date(args[0], ctx, "WORKDAY")
    days = truncated(args[1], ctx)
    holidays = sorted(_holidays(args, 2, ctx))
    if days == 0:
        return current
    step = 1 if days > 0 else -1
    remaining = abs(days)
    try:
        while remaining:  # each round skips the holidays the last one passed over (weekday ones, each once)
            target = _step_workdays(current, remaining, step)
            if step > 0:
                remaining = bisect_right(holidays, target) - bisect_right(holidays, current)
            else:
                remaining = bisect_left(holidays, current) - bisect_left(holidays, target)
            current = target
    except OverflowError:
        num_error(f"WORKDAY:{OUT_OF_RANGE[0]}", f"WORKDAY: {OUT_OF_RANGE[1]}", ctx.position)
    return current


@function("TIME", 3, 3, typed("TIME", NUMBER, "number", "number", "number"),
          "TIME(hour, minute, second) — a time of day as a fraction of a day (12:00 is 0.5)")
def _time(args: list[Any], ctx: CallContext) -> Decimal:
    hour, minute, second = (truncated(a, ctx) for a in args)
    if not all(-32768 < part <= 32767 for part in (hour, minute, second)):
        num_error("TIME:时、分、秒须在 0 到 32767 之间", "TIME: hour, minute and second must be 0–32767",
                  ctx.position)
    total = hour * 3600 + minute * 60 + second
    if total < 0:
        num_error("TIME:时间不能为负数", "TIME: the time cannot be negative", ctx.position)
    return Decimal(total % DAY_SECONDS) / DAY_SECONDS


CLOCK = re.compile(r"(?:.*?[ T])?(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*([AaPp][Mm])?(?:[+-]\d{2}:?\d{2}|Z)?")


def seconds_of_day(value: Any, ctx: CallContext, name: str) -> int:
    """The second of the day a value names: a datetime in the workspace zone, a fraction of a day (the part
    after the whole days), or a time in text ('14:30', '2:30 PM', '2024-03-15 14:30:05'); a date is midnight."""
    if isinstance(value, datetime):
        moment = value.astimezone(ctx.tz) if value.tzinfo else value
        return moment.hour * 3600 + moment.minute * 60 + moment.second
    if isinstance(value, date) or is_empty(value):
        return 0
    if isinstance(value, str) and len(value) <= MAX_DATE_TEXT:
        clock = CLOCK.fullmatch(value.strip())
        if clock is not None:
            return _clock_seconds(clock, ctx, name)
        if read_date(value) is not None:
            return 0
    number = to_number(value, ctx.position)
    if number < 0:
        num_error(f"{name}:时间不能为负数", f"{name}: the time cannot be negative", ctx.position)
    fraction = number - floor_int(number)
    return int((fraction * DAY_SECONDS).to_integral_value(rounding=ROUND_HALF_UP)) % DAY_SECONDS


def _clock_seconds(clock: re.Match[str], ctx: CallContext, name: str) -> int:
    hour, minute = int(clock.group(1)), int(clock.group(2))
    second = int(Decimal(clock.group(3) or 0).to_integral_value(rounding=ROUND_HALF_UP))
    noon = (clock.group(4) or "").upper()
    if noon:
        if not 1 <= hour <= 12:
            value_error(f"{name}:时间无效", f"{name}: not a valid time", ctx.position)
        hour = hour % 12 + (12 if noon == "PM" else 0)
    if minute > 59 or second > 59:
        value_error(f"{name}:时间无效", f"{name}: not a valid time", ctx.position)
    return (hour * 3600 + minute * 60 + second) % DAY_SECONDS


@function("HOUR", 1, 1, typed("HOUR", NUMBER, "scalar"), "HOUR(time) — the hour, 0–23")
def _hour(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(seconds_of_day(args[0], ctx, "HOUR") // 3600)


@function("MINUTE", 1, 1, typed("MINUTE", NUMBER, "scalar"), "MINUTE(time) — the minute, 0–59")
def _minute(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(seconds_of_day(args[0], ctx, "MINUTE") // 60 % 60)


@function("SECOND", 1, 1, typed("SECOND", NUMBER, "scalar"), "SECOND(time) — the second, 0–59")
def _second(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(seconds_of_day(args[0], ctx, "SECOND") % 60)
