"""Dates, date-times, numbers, percentages and money as a reader of a language writes them (Babel's CLDR data):
zh 2026年12月6日 14:30 · ¥1,234.50; en Dec 6, 2026, 14:30 · ¥1,234.50.

Every display text of a value goes through here (the field types' `format`, the reports' numbers), so lists, record
pages, kanban, exports' display text, print and reports agree. Inputs and stored values keep ISO text.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_time as babel_time
from babel.dates import get_datetime_format
from babel.numbers import format_decimal, get_currency_symbol

LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}
# The symbol an amount shows, whatever the reader's language (Babel's en would write CN¥ and US$)
CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"}
TIME = "HH:mm"  # a 24-hour clock in both languages, as the time inputs show it


@lru_cache(maxsize=8)
def locale_of(lang: str) -> Locale:
    """The Babel locale of a language code (zh → zh_Hans_CN, en → en_US; others as Babel parses them, else zh)."""
    try:
        return Locale.parse(LOCALES.get(lang, lang))
    except (ValueError, TypeError):
        return Locale.parse(LOCALES["zh"])


def day(value: date, lang: str) -> str:
    """2026年12月6日 · Dec 6, 2026."""
    return babel_date(value, "medium", locale=locale_of(lang))


def moment(value: datetime, lang: str, seconds: bool = False) -> str:
    """A date and a time of day (already in the reader's zone): 2026年12月6日 14:30 · Dec 6, 2026, 14:30."""
    loc = locale_of(lang)
    pattern = str(get_datetime_format("medium", locale=loc))
    hour = babel_time(value.time(), TIME + (":ss" if seconds else ""), locale=loc)
    return pattern.replace("{1}", day(value.date(), lang)).replace("{0}", hour)


def zoned_moment(value: datetime, lang: str) -> str:
    """A date and time with the zone it is in, for texts read away from the page (a PDF's "made at", a sheet's
    header): 2026年12月6日 14:30 GMT+08:00 · Dec 6, 2026, 14:30 GMT+08:00 (no zone on a naive value)."""
    shown = moment(value, lang)
    if value.tzinfo is None or value.utcoffset() is None:
        return shown
    return f"{shown} {babel_datetime(value, 'ZZZZ', locale=locale_of(lang))}"


def iso_stamp(value: datetime) -> str:
    """A moment for files read by people and programs alike (the audit CSV), the same in every language: ISO 8601
    to the second with its UTC offset, 2026-12-06 14:30:05+08:00."""
    return value.isoformat(sep=" ", timespec="seconds")


def clock(value: time, lang: str) -> str:
    """A time of day: 14:30."""
    return babel_time(value, TIME, locale=locale_of(lang))


def number(value: Any, lang: str, places: int | None = None) -> str:
    """1,234,567.50 with exactly `places` decimals, or as many as the value has when None."""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if places is None:
        return str(format_decimal(amount, format="#,##0.##########", locale=locale_of(lang)))
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # as the stored values round
    return str(format_decimal(rounded, format=pattern, locale=locale_of(lang)))


def currency_symbol(code: str, lang: str) -> str:
    """¥ for CNY; a currency without a short symbol as its code and a space (CHF 1,234.00)."""
    if code in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[code]
    symbol = str(get_currency_symbol(code, locale=locale_of(lang)))
    return symbol if symbol != code else f"{code} "


def money(value: Any, code: str, lang: str, places: int = 2) -> str:
    """-¥1,234.50: the sign, the currency's symbol, the amount with the field's decimals."""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency_symbol(code, lang)}{number(abs(amount), lang, places)}"


def percent(value: Any, lang: str, places: int | None = None) -> str:
    """12.5% of a value kept as the number before the sign (12.5 means 12.5%)."""
    return f"{number(value, lang, places)}%"
