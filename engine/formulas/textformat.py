"""TEXT(value, format): spreadsheet number and date format codes.

Numbers: `0` (a digit always shown), `#` (a digit shown when significant), `.`, `,` (thousands), `%`, quoted
text and `\\x`, and up to three sections `positive;negative;zero`. Dates and times: yyyy yy, mmmm mmm mm m, dddd ddd
dd d, hh h, mm m after an hour or before seconds (minutes), ss s, AM/PM, `[h]` `[m]` `[s]` for elapsed time, and
aaaa aaa for the weekday in Chinese (星期五 / 五, as Chinese Excel). Names are English as in English Excel.
A number given to a date format counts days from 1899-12-30 (Excel's serial numbers), so 0.75 is 18:00.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from engine.formulas.errors import VALUE, fail
from engine.formulas.numberformat import format_number
from engine.formulas.values import is_empty, to_date, to_number, to_text
from engine.i18n import zh_en

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYS_ZH = "一二三四五六日"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
EPOCH = datetime(1899, 12, 30)  # Excel's day 0, so serial numbers read as its dates
MAX_FORMAT = 255  # Excel's limit on a format code
TOKEN = re.compile(r'"[^"]*"|\\.|\[h+\]|\[m+\]|\[s+\]|am/pm|a/p|yyyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|'
                   r'aaaa|aaa|hh|h|ss|s|\.0+|.', re.IGNORECASE | re.DOTALL)
DATE_CODE = re.compile(r"^(\[[hms]+\]|am/pm|a/p|y+|m+|d+|a{3,4}|h+|s+)$", re.IGNORECASE)


def format_value(value: Any, fmt: str, tz: tzinfo | None, position: int) -> str:
    """Format a number or a date by a spreadsheet format string."""
    if is_empty(value):
        return ""
    if len(fmt) > MAX_FORMAT:
        raise fail(VALUE, zh_en(f"TEXT:格式超过 {MAX_FORMAT} 个字符", f"TEXT: the format is longer than {MAX_FORMAT} "
                                                                 "characters"), position)
    if fmt.strip().lower() in ("", "general", "g/通用格式"):
        return to_text(value, position, tz)
    if fmt == "@":
        return to_text(value, position, tz)
    tokens = TOKEN.findall(fmt)
    if isinstance(value, (date, datetime)) or _is_date_format(tokens):
        return _format_date(_moment(value, tz, position), tokens)
    if isinstance(value, str) and not _numeric_text(value):
        return value
    return format_number(to_number(value, position), fmt)


def _numeric_text(value: str) -> bool:
    try:
        to_number(value)
    except Exception:  # noqa: BLE001 (any text that is no number is shown as it is, as Excel's TEXT does)
        return False
    return True


def _is_date_format(tokens: list[str]) -> bool:
    codes = [t for t in tokens if DATE_CODE.match(t)]
    if not codes:
        return False
    return any(t[0].lower() != "m" for t in codes) or not any(t in ("0", "#") for t in tokens)


def _moment(value: Any, tz: tzinfo | None, position: int) -> datetime:
    """A date, a datetime (in the workspace zone) or a serial number as a wall-clock moment."""
    if isinstance(value, datetime):
        moment = value.astimezone(tz) if tz and value.tzinfo else value
        return moment.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and not _numeric_text(value):
        d = to_date(value, tz, position)
        assert d is not None  # empty values were handled by format_value()
        return datetime(d.year, d.month, d.day)
    days = to_number(value, position)
    try:
        return EPOCH + timedelta(microseconds=int((days * 86_400_000_000).to_integral_value()))
    except (OverflowError, ArithmeticError):
        raise fail(VALUE, zh_en("TEXT:日期超出范围", "TEXT: the date is out of range"), position) from None


def _format_date(moment: datetime, tokens: list[str]) -> str:
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        out.append(_date_part(moment, token, tokens, i, twelve))
    return "".join(out)


def _date_part(moment: datetime, token: str, tokens: list[str], i: int, twelve: bool) -> str:
    low = token.lower()
    if low.startswith('"'):
        return token[1:-1]
    if low.startswith("\\"):
        return token[1:]
    if low.startswith("["):
        return _elapsed(moment, low)
    if low.startswith(".0"):
        return f"{moment.microsecond / 1_000_000:.{len(low) - 1}f}"[1:]
    if low in ("am/pm", "a/p"):
        pm = moment.hour >= 12
        return ("PM" if pm else "AM") if low == "am/pm" else ("P" if pm else "A")
    if low[0] == "y":
        return f"{moment.year:04d}" if len(low) >= 3 else f"{moment.year % 100:02d}"
    if low[0] == "m":
        if len(low) <= 2 and _is_minute(tokens, i):
            return f"{moment.minute:02d}" if low == "mm" else str(moment.minute)
        return _month(moment, len(low))
    if low[0] == "d":
        return {1: str(moment.day), 2: f"{moment.day:02d}", 3: DAYS[moment.weekday()][:3]}.get(
            len(low), DAYS[moment.weekday()])
    if low[0] == "a" and len(low) >= 3:
        return ("星期" if len(low) == 4 else "") + DAYS_ZH[moment.weekday()]
    if low[0] == "h":
        hour = (moment.hour % 12 or 12) if twelve else moment.hour
        return f"{hour:02d}" if len(low) == 2 else str(hour)
    if low[0] == "s":
        return f"{moment.second:02d}" if len(low) == 2 else str(moment.second)
    return token


def _month(moment: datetime, width: int) -> str:
    name = MONTHS[moment.month - 1]
    return {1: str(moment.month), 2: f"{moment.month:02d}", 3: name[:3], 5: name[0]}.get(width, name)


def _is_minute(tokens: list[str], i: int) -> bool:
    """`m`/`mm` right after an hour or right before seconds is minutes, as in Excel."""
    codes = [(j, t.lower()) for j, t in enumerate(tokens) if DATE_CODE.match(t) and not t.lower().startswith("a")]
    place = next(k for k, (j, _t) in enumerate(codes) if j == i)
    before = codes[place - 1][1] if place > 0 else ""
    after = codes[place + 1][1] if place + 1 < len(codes) else ""
    return before.startswith(("h", "[h")) or after.startswith(("s", "[s"))


def _elapsed(moment: datetime, token: str) -> str:
    """`[h]`, `[m]`, `[s]`: whole hours, minutes or seconds elapsed since day 0 (a duration of 1.5 days is 36 h)."""
    seconds = int((moment - EPOCH).total_seconds())
    return str(seconds // {"h": 3600, "m": 60, "s": 1}[token[1]]).zfill(len(token) - 2)
