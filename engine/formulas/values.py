"""Spreadsheet value semantics: coercions, empty handling, comparisons and rounding.

Numbers are Decimal; empty (None, '' or []) counts as 0 in arithmetic and '' in text; TRUE/FALSE
count as 1/0; text that reads as a number is a number in arithmetic (as in Excel), other text is #VALUE!.
Comparisons follow Excel: numbers sort before text and text before TRUE/FALSE, text compares as text
("10" < "9") ignoring case. Coercing an error value raises it again, so errors propagate.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation
from typing import Any

from engine.formulas.errors import NUM, VALUE, fail, reject_error
from engine.formulas.types import kind_zh
from engine.i18n import zh_en

MAX_TEXT = 100_000
MAX_MAGNITUDE = 300  # numbers stay below 10^300 (larger ones are refused; below 10^-300 they count as 0)
WIDE = Context(prec=MAX_MAGNITUDE + 30)  # enough digits to write any number in range without an exponent
# a number becomes text with 15 significant digits, halves away from zero, as in a spreadsheet
SHOWN_DIGITS = Context(prec=15, rounding=ROUND_HALF_UP)


def is_empty(value: Any) -> bool:
    """None, empty text and empty lists are empty."""
    return value is None or value == "" or (isinstance(value, list) and not value)


def to_number(value: Any, position: int = 0) -> Decimal:
    """A value as a number, the spreadsheet way (empty → 0, TRUE → 1, numeric text → its number)."""
    reject_error(value)
    if is_empty(value):
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return bounded(value, position)
    if isinstance(value, int):
        return bounded(Decimal(value), position)
    if isinstance(value, float):
        return bounded(Decimal(str(value)), position)
    if isinstance(value, str):
        parsed = parse_number_text(value)
        if parsed is not None:
            return bounded(parsed, position)
        raise fail(VALUE, zh_en(f"“{value[:40]}”是文本,不是数字", f"'{value[:40]}' is text, not a number"), position)
    if isinstance(value, list) and len(value) == 1:
        return to_number(value[0], position)
    raise fail(VALUE, zh_en(f"应为数字,实际是{kind_zh(type_name(value))}",
                            f"expected a number, got {type_name(value)}"), position)


def bounded(number: Decimal, position: int = 0) -> Decimal:
    """The number if formulas can compute with it: FormulaError from 10^300 on (so no step can take long or
    overflow), 0 for anything nearer to zero than 10^-300."""
    if not number.is_finite():
        raise fail(NUM, zh_en("这个数值无法计算", "the number cannot be computed"), position)
    if number.is_zero() or number.adjusted() < -MAX_MAGNITUDE:
        return Decimal(0)
    if number.adjusted() >= MAX_MAGNITUDE:
        raise fail(NUM, zh_en(f"数值太大(达到 10^{MAX_MAGNITUDE} 或以上)",
                              f"the number is too large (10^{MAX_MAGNITUDE} or more)"), position)
    return number


TIME_TEXT = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*([AaPp][Mm])?")


def parse_number_text(text: str) -> Decimal | None:
    """'1,234.5', ' 3 ', '12%', '¥99' → a number; a time '12:00' or '6:30 PM' → its fraction of a day (0.5),
    as a spreadsheet reads it; anything else → None."""
    time = TIME_TEXT.fullmatch(text.strip())
    if time:
        return _day_fraction(*time.groups())
    t = text.strip().replace(",", "").replace("，", "").lstrip("¥$€")
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    try:
        number = Decimal(t)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number / 100 if percent else number


def _day_fraction(hours: str, minutes: str, seconds: str | None, half: str | None) -> Decimal | None:
    h, m, sec = int(hours), int(minutes), Decimal(seconds or 0)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.upper() == "PM" else 0)
    if m > 59 or sec >= 60:
        return None
    return (h * 3600 + m * 60 + sec) / Decimal(86400)


def to_text(value: Any, position: int = 0, tz: tzinfo | None = None) -> str:
    """A value as text (empty → '', numbers as a spreadsheet's General format shows them, dates ISO, datetimes in
    the zone `tz`)."""
    reject_error(value)
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return general_number(bounded(value, position))
    if isinstance(value, (int, float)):
        return general_number(bounded(Decimal(str(value)), position))
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz and value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(to_text(v, position, tz) for v in value)
    return str(value)


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 2.50 → '2.5', 1E+3 → '1000'."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1), context=WIDE))
    return format(value.normalize(WIDE), "f")


def general_number(value: Decimal) -> str:
    """A number as text the way a spreadsheet's General format writes it: 15 significant digits (1/3 →
    0.333333333333333), in E notation from 10^15 on and below 10^-9 (1E+20, 1.5E-10)."""
    shown = SHOWN_DIGITS.plus(value)
    if shown.is_zero():
        return "0"
    exponent = shown.adjusted()
    if -10 < exponent < 15:
        return format_decimal(shown)
    mantissa = format_decimal(shown.scaleb(-exponent))
    return f"{mantissa}E{'+' if exponent > 0 else '-'}{abs(exponent):02d}"


def to_bool(value: Any, position: int = 0) -> bool:
    """A value as a condition: empty is FALSE, numbers are TRUE unless 0, 'TRUE'/'FALSE' text counts."""
    reject_error(value)
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, str):
        upper = value.strip().upper()
        if upper in ("TRUE", "FALSE"):
            return upper == "TRUE"
        return True
    return True


def to_date(value: Any, tz: tzinfo | None, position: int = 0) -> date | None:
    """A value as a date (datetimes in the workspace zone; ISO text accepted); empty → None."""
    reject_error(value)
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if tz and value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10].replace("/", "-"))
        except ValueError:
            pass
    raise fail(VALUE, zh_en(f"应为日期,实际是{kind_zh(type_name(value))}",
                            f"expected a date, got {type_name(value)}"), position)


def instant(value: date | datetime, tz: tzinfo) -> datetime:
    """A date or datetime as an aware moment in the workspace zone `tz`: a date is its midnight there and a naive
    datetime a wall time there (never the host's zone)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return datetime(value.year, value.month, value.day, tzinfo=tz)


def type_name(value: Any) -> str:
    """A user-facing name of a value's type."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list):
        return "list"
    return "text"


def compare(left: Any, right: Any, tz: tzinfo | None, position: int) -> int:
    """-1, 0 or 1, as Excel orders values: numbers < text < TRUE/FALSE, so "10" < "9" (text compares as text,
    ignoring case) — except that a number and a text reading as a number compare as numbers (1 = "1", a deliberate
    difference: docs/formulas.md); empty is smallest and equals ''; dates compare with datetimes (and with
    ISO date text)."""
    reject_error(left)
    reject_error(right)
    if is_empty(left) or is_empty(right):
        return 0 if is_empty(left) and is_empty(right) else (-1 if is_empty(left) else 1)
    a: Any
    b: Any
    if isinstance(left, (date, datetime)) or isinstance(right, (date, datetime)):
        a, b = _moment(left, tz, position), _moment(right, tz, position)
    elif {_rank(left), _rank(right)} == {0, 1} and _numeric_text(left) and _numeric_text(right):
        # deliberate (docs/formulas.md): a text that reads as a number compares with a number as a number, so a
        # rule `total > 1000` on a formula field whose result is text holds as its reader expects
        a, b = to_number(left, position), to_number(right, position)
    elif _rank(left) != _rank(right):
        a, b = _rank(left), _rank(right)
    elif _rank(left) == 0:
        a, b = to_number(left, position), to_number(right, position)
    elif _rank(left) == 2:
        a, b = bool(left), bool(right)
    else:
        a, b = to_text(left).casefold(), to_text(right).casefold()
    return int(a > b) - int(a < b)


def _numeric_text(value: Any) -> bool:
    return not isinstance(value, str) or parse_number_text(value) is not None


def _rank(value: Any) -> int:
    """Where a value sorts among kinds, as in Excel: numbers, then text, then TRUE/FALSE."""
    if isinstance(value, bool):
        return 2
    return 0 if isinstance(value, (int, float, Decimal)) else 1


def _moment(value: Any, tz: tzinfo | None, position: int) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None) if tz and value.tzinfo else value.replace(tzinfo=None)
    d = to_date(value, tz, position)
    assert d is not None  # empty values were handled by compare()
    return datetime(d.year, d.month, d.day)


def round_half_away(number: Decimal, digits: int) -> Decimal:
    """Excel's ROUND: halves away from zero; negative digits round to tens, hundreds…"""
    return _round(number, digits, ROUND_HALF_UP)


def round_up(number: Decimal, digits: int) -> Decimal:
    """Excel's ROUNDUP: away from zero."""
    return _round(number, digits, ROUND_UP)


def round_down(number: Decimal, digits: int) -> Decimal:
    """Excel's ROUNDDOWN: toward zero."""
    return _round(number, digits, ROUND_DOWN)


def _round(number: Decimal, digits: int, mode: str) -> Decimal:
    exponent = Decimal(1).scaleb(-digits)
    rounded = number.quantize(exponent, rounding=mode) if digits >= 0 else \
        (number.scaleb(digits).quantize(Decimal(1), rounding=mode)).scaleb(-digits)
    return rounded + Decimal(0)  # normalises -0 to 0


def floor_int(number: Decimal) -> Decimal:
    """Excel's INT: round down toward minus infinity."""
    return number.to_integral_value(rounding=ROUND_FLOOR)


def ceiling_int(number: Decimal) -> Decimal:
    return number.to_integral_value(rounding=ROUND_CEILING)


def check_text(text: str, position: int) -> str:
    """Refuse text beyond the size a formula may produce."""
    if len(text) > MAX_TEXT:
        raise fail(VALUE, zh_en(f"结果超过 {MAX_TEXT} 个字符", f"the result is longer than {MAX_TEXT} characters"),
                   position)

    return text
