"""Number field types: integer, number, money, percent, rating."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import EQUALITY_OPS, JSON, ORDER_OPS
from engine.fields.registry import register
from engine.fields.types.common import invalid
from engine.fields.types.ordered import OrderedFilters
from engine.fields.types.sqltypes import DecimalType
from engine.fields.types.text import _title

_PLAIN = re.compile(r"-?\d+(\.\d+)?")
LIMIT = Decimal(10) ** 17
QUANTUM = [Decimal(1).scaleb(-places) for places in range(9)]
CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "JPY": "JP¥", "HKD": "HK$", "GBP": "£"}
NUMBER_TEXT = {"zh": "数字", "en": "a number"}


def _clean(raw: str) -> str:
    text = raw.strip().replace(",", "").replace("，", "").replace(" ", "")
    for symbol in ("¥", "￥", "$", "€", "£", "HK", "JP", "CNY", "USD", "RMB"):
        text = text.replace(symbol, "")
    return text


class NumberBase(OrderedFilters):
    """Shared number behaviour: bounds, ordering filters, thousands separators."""

    value_type = "number"
    operators = (*EQUALITY_OPS, *ORDER_OPS)

    def bounds(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        if f.get("min") is not None and value < Decimal(str(f.get("min"))):
            errors.append(FieldError("too_small", {"label": f.label, "min": f.get("min")}))
        if f.get("max") is not None and value > Decimal(str(f.get("max"))):
            errors.append(FieldError("too_large", {"label": f.label, "max": f.get("max")}))
        return errors

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return self.bounds(f, value)


class DecimalField(NumberBase):
    """Decimal numbers quantized to `decimals` places."""

    default_decimals: ClassVar[int] = 2

    def scale(self, f: FieldDef) -> int:
        return int(f.get("decimals", self.default_decimals))

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return DecimalType(self.scale(f))

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            raise invalid(f, NUMBER_TEXT)
        try:
            if isinstance(raw, str):
                number = Decimal(raw) if _PLAIN.fullmatch(raw) else Decimal(_clean(raw).rstrip("%"))
            elif isinstance(raw, (int, float, Decimal)):
                number = Decimal(str(raw))
            else:
                raise invalid(f, NUMBER_TEXT)
        except InvalidOperation:
            raise invalid(f, NUMBER_TEXT) from None
        if not number.is_finite() or abs(number) >= LIMIT:
            raise invalid(f, NUMBER_TEXT)
        return number.quantize(QUANTUM[self.scale(f)], rounding=ROUND_HALF_UP)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$", "title": _title(f),
                "description": f"decimal number as text, {self.scale(f)} places"}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else str(value)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else f"{value:,.{self.scale(f)}f}"


@register
class Number(DecimalField):
    """A decimal number."""

    name = "number"
    label = {"zh": "数字", "en": "Number"}


@register
class Money(DecimalField):
    """An amount of money in a currency (default CNY), exact to the cent."""

    name = "money"
    label = {"zh": "金额", "en": "Money"}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if value is None:
            return ""
        code = str(f.get("currency") or "CNY")
        symbol = CURRENCY_SYMBOLS.get(code)
        amount = f"{abs(value):,.{self.scale(f)}f}"
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{amount}" if symbol else f"{sign}{code} {amount}"


@register
class Percent(DecimalField):
    """A percentage, stored as the number shown before the % sign (12.5 means 12.5%)."""

    name = "percent"
    label = {"zh": "百分比", "en": "Percent"}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if value is None:
            return ""
        return f"{value.normalize():f}%"


@register
class Integer(NumberBase):
    """A whole number."""

    name = "integer"
    label = {"zh": "整数", "en": "Integer"}

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        expected = {"zh": "整数", "en": "a whole number"}
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            raise invalid(f, expected)
        if isinstance(raw, int):
            number = Decimal(raw)
        else:
            try:
                number = Decimal(_clean(raw)) if isinstance(raw, str) else Decimal(str(raw))
            except (InvalidOperation, TypeError, ValueError):
                raise invalid(f, expected) from None
        if not number.is_finite() or number != number.to_integral_value() or abs(number) >= 2 ** 63:
            raise invalid(f, expected)
        return int(number)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return self.bounds(f, Decimal(value))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["integer", "null"], "title": _title(f)}
        if f.get("min") is not None:
            schema["minimum"] = f.get("min")
        if f.get("max") is not None:
            schema["maximum"] = f.get("max")
        return schema

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else f"{value:,}"


@register
class Rating(Integer):
    """A star rating from 1 to `max` (default 5)."""

    name = "rating"
    label = {"zh": "评分", "en": "Rating"}

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        top = int(f.get("max") or 5)
        if value < 0:
            return [FieldError("too_small", {"label": f.label, "min": 0})]
        if value > top:
            return [FieldError("too_large", {"label": f.label, "max": top})]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["integer", "null"], "minimum": 0, "maximum": int(f.get("max") or 5), "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else "★" * value + "☆" * (int(f.get("max") or 5) - value)
