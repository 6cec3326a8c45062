"""TEXT(value, format): the common spreadsheet number and date formats."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from engine.errors import FormulaError
from engine.formulas.values import is_empty, round_half_away, to_date, to_number, to_text
from engine.i18n import zh_en

DATE_TOKENS = re.compile(r"yyyy|yy|mm|m|dd|d|hh|h|ss", re.IGNORECASE)


def format_value(value: Any, fmt: str, tz: tzinfo | None, position: int) -> str:
    """Format a number or a date by a spreadsheet format string."""
    if is_empty(value):
        return ""
    if isinstance(value, (date, datetime)) or _is_date_format(fmt):
        return _format_date(value, fmt, tz, position)
    return _format_number(to_number(value, position), fmt)


def _is_date_format(fmt: str) -> bool:
    return bool(re.search(r"[yd]|h{1,2}:", fmt, re.IGNORECASE))


def _format_number(number: Decimal, fmt: str) -> str:
    percent = fmt.endswith("%")
    core = fmt[:-1] if percent else fmt
    if percent:
        number *= 100
    match = re.fullmatch(r"(.*?)([#,0]*0)(?:\.(0+))?(.*)", core)
    if not match:
        return to_text(number)
    prefix, integer_part, decimals, suffix = match.groups()
    places = len(decimals or "")
    rounded = round_half_away(number, places)
    text = f"{abs(rounded):,.{places}f}" if "," in integer_part else f"{abs(rounded):.{places}f}"
    width = integer_part.replace(",", "").replace("#", "").count("0")
    whole, _, frac = text.partition(".")
    if width > 1 and "," not in integer_part:
        whole = whole.zfill(width)
    text = whole + ("." + frac if frac else "")
    sign = "-" if rounded < 0 else ""
    return f"{prefix}{sign}{text}{suffix}{'%' if percent else ''}"


def _format_date(value: Any, fmt: str, tz: tzinfo | None, position: int) -> str:
    moment = value.astimezone(tz) if isinstance(value, datetime) and tz and value.tzinfo else value
    if not isinstance(moment, datetime):
        d = to_date(moment, tz, position)
        if d is None:
            return ""
        moment = datetime(d.year, d.month, d.day)
    has_hours = bool(re.search(r"h", fmt, re.IGNORECASE))

    def token(match: re.Match[str]) -> str:
        t = match.group(0).lower()
        if t == "yyyy":
            return f"{moment.year:04d}"
        if t == "yy":
            return f"{moment.year % 100:02d}"
        if t in ("mm", "m"):
            after_hour = has_hours and _after_hour(fmt, match.start())
            number = moment.minute if after_hour else moment.month
            return f"{number:02d}" if t == "mm" else str(number)
        if t in ("dd", "d"):
            return f"{moment.day:02d}" if t == "dd" else str(moment.day)
        if t in ("hh", "h"):
            return f"{moment.hour:02d}" if t == "hh" else str(moment.hour)
        if t == "ss":
            return f"{moment.second:02d}"
        raise FormulaError(zh_en(f"TEXT:未知的格式部分“{t}”", f"TEXT: unknown format part '{t}'"), position)


    return DATE_TOKENS.sub(token, fmt)


def _after_hour(fmt: str, index: int) -> bool:
    before = fmt[:index].rstrip()
    return before.endswith(":") and bool(re.search(r"h", before, re.IGNORECASE))
