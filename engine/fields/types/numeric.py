"""Number field types: integer, number, money, percent, rating."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine import locale_format as shown
from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, Parser, Validator
from engine.fields.conversion import (KEEP, NUMBER_TO_NUMBER, TEXT_TO_INTEGER, TEXT_TO_NUMBER, WHOLE_NUMBER,
                                      ConversionContext)
from engine.fields.registry import register
from engine.fields.types.common import MIN_MAX, blank, error, int_prop, invalid, schema
from engine.fields.types.ordered import OrderedFilters
from engine.fields.types.sqltypes import DecimalType
from engine.i18n import I18n

NOISE = re.compile(r"[\s,，_¥￥$€£]|CNY|RMB|USD|EUR|GBP|JPY|HKD|HK|JP|%$")
NUMBER_TEXT = {"zh": "数字", "en": "a number"}
INTEGER_TEXT = {"zh": "整数", "en": "a whole number"}
LIMIT = 2 ** 63  # an integer's magnitude stays below this (BIGINT)
PRECISION = 20  # total digits of the NUMERIC column on PostgreSQL
DECIMALS: dict[str, Any] = {"decimals": {"type": "integer", "minimum": 0, "maximum": 10, "default": 2,
                         "description": "Digits kept after the decimal point."}}


def to_decimal(f: FieldDef, raw: Any, expected: I18n) -> Decimal | None:
    """A Decimal from a number or text like '¥1,234.50' or '12.5%'; None for blank input."""
    if type(raw) is str:
        # Plain numeric text (the usual input) is read as is: what Decimal reads holds no noise to take out.
        try:
            number = Decimal(raw)
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    if blank(raw):
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, str)):
        raise invalid(f, expected)
    try:
        number = Decimal(NOISE.sub("", raw) if isinstance(raw, str) else str(raw))
    except InvalidOperation:
        raise invalid(f, expected) from None
    if not number.is_finite():
        raise invalid(f, expected)
    return number


class NumberBase(OrderedFilters):
    """Shared number behaviour: min/max bounds and ordering filters."""

    value_type = "number"
    props_schema = MIN_MAX

    def validator(self, f: FieldDef) -> Validator | None:
        if type(self).validate is not NumberBase.validate:
            return super().validator(f)
        low, high = (None if f.get(k) is None else Decimal(str(f.get(k))) for k in ("min", "max"))
        if low is None and high is None:
            return None
        validate = self.validate  # within the bounds there is nothing to report; outside, the full check says why
        return lambda value: validate(f, value) if (low is not None and value < low) or \
            (high is not None and value > high) else []

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        low, high = f.get("min"), f.get("max")
        if low is not None and value < Decimal(str(low)):
            errors.append(error(f, "too_small", min=low))
        if high is not None and value > Decimal(str(high)):
            errors.append(error(f, "too_large", max=high))
        return errors


class DecimalField(NumberBase):
    """Exact decimal numbers quantized to `decimals` places; the API sends them as strings to keep precision."""

    props_schema = {**MIN_MAX, **DECIMALS}
    widget = "number"
    takes_from = {"text": TEXT_TO_NUMBER, "textarea": TEXT_TO_NUMBER,
                  **dict.fromkeys(("number", "money", "percent", "integer", "rating"), NUMBER_TO_NUMBER)}

    def scale(self, f: FieldDef) -> int:
        return int_prop(f, "decimals", 2) or 0

    def decimals(self, f: FieldDef) -> int | None:
        raw = f.get("decimals", 2)
        return raw if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 10 else 2

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return DecimalType(self.scale(f))

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not DecimalField.parse:
            return super().parser(f)
        scale = self.scale(f)
        quantum, limit = Decimal(1).scaleb(-scale), Decimal(10) ** (PRECISION - scale)

        def parse(raw: Any, fmt: str = JSON) -> Any:
            number = to_decimal(f, raw, NUMBER_TEXT)
            if number is None:
                return None
            if abs(number) >= limit:
                raise invalid(f, NUMBER_TEXT)
            return number.quantize(quantum, rounding=ROUND_HALF_UP)
        return parse

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        number = to_decimal(f, raw, NUMBER_TEXT)
        if number is None:
            return None
        quantum = Decimal(1).scaleb(-self.scale(f))
        if abs(number) >= Decimal(10) ** (PRECISION - self.scale(f)):
            raise invalid(f, NUMBER_TEXT)
        return number.quantize(quantum, rounding=ROUND_HALF_UP)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "string", pattern=r"^-?\d+(\.\d+)?$", description=self.describe(f))

    def describe(self, f: FieldDef) -> str:
        bounds = "".join(f", {k} {f.get(k)}" for k in ("min", "max") if f.get(k) is not None)
        return f"Decimal number as a string with {self.scale(f)} decimal places{bounds}."

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else format(value, "f")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else shown.number(value, lang, self.scale(f))


@register
class Number(DecimalField):
    """A decimal number with a fixed number of decimal places."""

    name = "number"
    label = {"zh": "数字", "en": "Number"}


@register
class Money(DecimalField):
    """An amount of money in a currency (default CNY), exact to its decimal places."""

    name = "money"
    label = {"zh": "金额", "en": "Money"}
    props_schema = {**DecimalField.props_schema,
                    "currency": {"type": "string", "default": "CNY", "pattern": "^[A-Z]{3}$",
                                 "description": "ISO 4217 currency code used when showing amounts."}}

    def report_kind(self, f: FieldDef) -> str | None:
        return "money"

    def currency(self, f: FieldDef) -> str | None:
        return str(f.get("currency") or "CNY")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else shown.money(value, str(f.get("currency") or "CNY"), lang, self.scale(f))

    def describe(self, f: FieldDef) -> str:
        return f"{super().describe(f)[:-1]}, in {f.get('currency') or 'CNY'}."


@register
class Percent(DecimalField):
    """A percentage, kept as the number before the % sign (12.5 means 12.5%)."""

    name = "percent"
    label = {"zh": "百分比", "en": "Percent"}

    def cell_kind(self, f: FieldDef) -> str:
        return "percent"

    def report_kind(self, f: FieldDef) -> str | None:
        return "percent"

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else shown.percent(value, lang)


@register
class Integer(NumberBase):
    """A whole number (64-bit)."""

    name = "integer"
    label = {"zh": "整数", "en": "Integer"}
    takes_from = {"text": TEXT_TO_INTEGER, "textarea": TEXT_TO_INTEGER, "rating": KEEP,
                  **dict.fromkeys(("number", "money", "percent"), WHOLE_NUMBER)}

    def decimals(self, f: FieldDef) -> int | None:
        return 0

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not Integer.parse:
            return super().parser(f)
        slow = self.parse

        def parse(raw: Any, fmt: str = JSON) -> Any:
            if type(raw) is int and -LIMIT < raw < LIMIT:  # already a whole number in range: the usual JSON input
                return raw
            return slow(f, raw, fmt)
        return parse

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        number = to_decimal(f, raw, INTEGER_TEXT)
        if number is None:
            return None
        if number != number.to_integral_value() or abs(number) >= LIMIT:
            raise invalid(f, INTEGER_TEXT)
        return int(number)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        bounds = {k: v for k, v in (("minimum", f.get("min")), ("maximum", f.get("max"))) if v is not None}
        return schema(f, "integer", **bounds)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else shown.number(value, lang, 0)


@register
class Rating(Integer):
    """A star rating from 0 to `max` (default 5)."""

    name = "rating"
    label = {"zh": "评分", "en": "Rating"}
    display = "rating"
    takes_from = {"text": TEXT_TO_INTEGER, "integer": KEEP,
                  **dict.fromkeys(("number", "money", "percent"), WHOLE_NUMBER)}
    props_schema = {"max": {"type": "integer", "minimum": 1, "maximum": 10, "default": 5,
                            "description": "Number of stars."}}

    def top(self, f: FieldDef) -> int:
        return int_prop(f, "max", 5) or 5

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Integer()

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        if value < 0:
            return [error(f, "too_small", min=0)]
        if value > self.top(f):
            return [error(f, "too_large", max=self.top(f))]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "integer", minimum=0, maximum=self.top(f))

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        return value.between(0, self.top(f))

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else "★" * value + "☆" * max(self.top(f) - value, 0)
