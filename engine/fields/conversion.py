"""Changing a field's type: how the stored values of one type become values of another, in SQL.

A field type lists the types it takes values from (`FieldType.takes_from`, type name → Conversion). A Conversion
gives two SQL expressions over the old column: `ok` (this value converts) and `value` (what it becomes). The new
type adds what it accepts (`FieldType.accepts_sql`: options, lengths, ranges). Publish measures with them (how
many values convert) and converts with them: the USING clause of PostgreSQL's ALTER COLUMN, the copy of
SQLite's table rebuild, or an UPDATE when the column's type stays the same. Values that do not convert become
empty (only when the publisher accepts the losses).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef

if TYPE_CHECKING:
    from engine.fields.base import FieldType

Col = ColumnElement[Any]

NUMBER_PATTERN = r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)$"  # what PostgreSQL's numeric input and SQLite's REAL both read
# What number fields ignore in typed text ('¥1,234.50', '12.5%'): engine.fields.types.numeric's NOISE, as SQL.
NOISE = (" ", "\t", "\r", "\n", ",", "，", "_", "¥", "￥", "$", "€", "£", "CNY", "RMB", "USD", "EUR", "GBP", "JPY",
         "HKD", "HK", "JP")
PRECISION = 20  # digits of a decimal column on PostgreSQL (engine.fields.types.numeric)
BIGGEST_INTEGER: ColumnElement[Any] = sa.literal_column(str(2 ** 63 - 1))  # a bound 2**63 overflows SQLite's integers
SQLITE_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a datetime on SQLite


@dataclass(frozen=True)
class ConversionContext:
    """The database the SQL is for and the workspace's time zone (a date becomes its local midnight)."""

    dialect: str
    tz: str = "UTC"

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"


def prepare_sqlite(dbapi_connection: Any) -> None:
    """Give an SQLite connection the functions date conversions use (SQLite has no time zones)."""
    dbapi_connection.create_function("formwork_local_midnight", 2, _local_midnight, deterministic=True)
    dbapi_connection.create_function("formwork_local_date", 2, _local_date, deterministic=True)


def _local_midnight(value: str | None, tz: str) -> str | None:
    if value is None:
        return None
    moment = datetime.combine(date.fromisoformat(str(value)[:10]), time(), ZoneInfo(tz))
    return moment.astimezone(timezone.utc).replace(tzinfo=None).strftime(SQLITE_STAMP)


def _local_date(value: str | None, tz: str) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).date().isoformat()


class Conversion:
    """How values of an old type become values of a new one. `keeps_values`: the stored values stay as they are
    (only the new type's acceptance can refuse some)."""

    keeps_values: ClassVar[bool] = False

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        """Which stored (non-empty) values convert; None: all of them."""
        return None

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        """The new stored value of a value that converts."""
        return col


def _type(name: str) -> FieldType:
    from engine.fields.registry import field_type

    return field_type(name)


def _guarded(test: ColumnElement[bool], then: ColumnElement[bool]) -> ColumnElement[bool]:
    """`test AND then`, with `then` evaluated only when `test` holds (a cast in it would fail otherwise)."""
    return sa.case((test, then), else_=sa.false())


class Keep(Conversion):
    """The stored values are already values of the new type (text → long text, select → radio)."""

    keeps_values = True


class AsText(Conversion):
    """Numbers as text, with the old field's decimal places ('12.50')."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        places = _type(old.type).decimals(old)
        if ctx.postgres or not places:
            return sa.cast(col, sa.Text())
        return sa.func.printf(f"%.{places}f", col)


class OptionLabel(Conversion):
    """A choice as text: its label (in the workspace's first language), since text shows what it holds."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        from engine.i18n import text

        labels = {v: text(label) for v, label in getattr(_type(old.type), "options")(old)}
        changed = {v: label for v, label in labels.items() if label != v}
        return sa.case(changed, value=col, else_=col) if changed else col


class ToOption(Conversion):
    """Text into a choice: a value equal to an option's value or label becomes that option."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        from engine.i18n import text

        whens: dict[str, str] = {}
        for value, label in getattr(_type(new.type), "options")(new):
            for shown in (text(label, "zh"), text(label, "en")):
                if shown not in whens and shown != value:
                    whens[shown] = value
        return sa.case(whens, value=col, else_=col) if whens else col


def _cleaned(col: ColumnElement[Any]) -> ColumnElement[Any]:
    """The text without spaces, thousands separators, currency signs and a closing %."""
    for noise in NOISE:
        col = sa.func.replace(col, noise, "")
    return sa.func.rtrim(col, "%")


def is_number_text(col: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool]:
    """The text is a decimal number (sign, digits, one point) once cleaned, as both databases read it."""
    t = _cleaned(col)
    if ctx.postgres:
        return t.op("~")(NUMBER_PATTERN)
    return sa.and_(t.op("NOT GLOB")("*[^0-9.+-]*"), t.op("GLOB")("*[0-9]*"), t.op("NOT GLOB")("*.*.*"),
                   sa.func.substr(t, 2).op("NOT GLOB")("*[+-]*"))


def _number(col: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[Any]:
    return sa.cast(col, sa.Numeric() if ctx.postgres else sa.REAL())


def _fits_decimal(number: ColumnElement[Any], new: FieldDef) -> ColumnElement[bool]:
    places = _type(new.type).decimals(new) or 0
    fits: ColumnElement[bool] = sa.func.abs(sa.func.round(number, places)) < 10 ** (PRECISION - places)
    return fits


def _scale(number: ColumnElement[Any], new: FieldDef) -> ColumnElement[Any]:
    return sa.func.round(number, _type(new.type).decimals(new) or 0)


class TextToNumber(Conversion):
    """Text that is a decimal number ('12.5', ' -3 ', '¥1,200'), rounded to the new field's decimal places."""

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        return _guarded(is_number_text(col, ctx), _fits_decimal(_number(_cleaned(col), ctx), new))

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        return _scale(_number(_cleaned(col), ctx), new)


class TextToInteger(Conversion):
    """Text that is a whole number ('12', '12.0')."""

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        number = _number(_cleaned(col), ctx)
        whole = number == (sa.func.trunc(number) if ctx.postgres else sa.cast(_cleaned(col), sa.Integer()))
        return _guarded(is_number_text(col, ctx), sa.and_(whole, sa.func.abs(number) <= BIGGEST_INTEGER))

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        if ctx.postgres:
            return sa.cast(_number(_cleaned(col), ctx), sa.BigInteger())
        return sa.cast(_cleaned(col), sa.Integer())


class NumberToNumber(Conversion):
    """A number (or whole number) into a decimal field: rounded to its places, if it fits."""

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        return _fits_decimal(col, new)

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        return _scale(col, new)


class WholeNumber(Conversion):
    """A decimal number into a whole-number field: whole values convert (12.00 → 12), others do not."""

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        return col == (sa.func.trunc(col) if ctx.postgres else sa.cast(col, sa.Integer()))

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        return sa.cast(col, sa.BigInteger() if ctx.postgres else sa.Integer())


class IntoList(Conversion):
    """One value into a list of one ('A' → ['A'])."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        return sa.func.jsonb_build_array(col) if ctx.postgres else sa.func.json_array(col)


class FirstItem(Conversion):
    """A list into one value: lists of exactly one item convert (['A'] → 'A')."""

    def ok(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> ColumnElement[bool] | None:
        length = sa.func.jsonb_array_length(col) if ctx.postgres else sa.func.json_array_length(col)
        return length == 1

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        if ctx.postgres:
            return col.op("->>")(sa.literal_column("0"))
        return sa.func.json_extract(col, "$[0]")


class LocalMidnight(Conversion):
    """A date into a date and time: the start of that day in the workspace's time zone."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        if ctx.postgres:
            return sa.func.timezone(ctx.tz, sa.cast(col, sa.DateTime()))
        return sa.func.formwork_local_midnight(col, ctx.tz)


class LocalDate(Conversion):
    """A date and time into a date: the day it falls on in the workspace's time zone."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        if ctx.postgres:
            return sa.cast(sa.func.timezone(ctx.tz, col), sa.Date())
        return sa.func.formwork_local_date(col, ctx.tz)


class EscapedHtml(Conversion):
    """Plain text into rich text: one paragraph, the text escaped, line breaks kept."""

    def value(self, col: Col, old: FieldDef, new: FieldDef, ctx: ConversionContext) -> Col:
        escaped: ColumnElement[Any] = col
        for plain, html in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\n", "<br>")):
            escaped = sa.func.replace(escaped, plain, html)
        return sa.literal("<p>") + escaped + sa.literal("</p>")


KEEP, AS_TEXT, OPTION_LABEL, TO_OPTION = Keep(), AsText(), OptionLabel(), ToOption()
TEXT_TO_NUMBER, TEXT_TO_INTEGER, NUMBER_TO_NUMBER, WHOLE_NUMBER = TextToNumber(), TextToInteger(), NumberToNumber(), \
    WholeNumber()
INTO_LIST, FIRST_ITEM, LOCAL_MIDNIGHT, LOCAL_DATE, ESCAPED_HTML = IntoList(), FirstItem(), LocalMidnight(), \
    LocalDate(), EscapedHtml()


def all_options_in(value: ColumnElement[Any], allowed: list[str], ctx: ConversionContext) -> ColumnElement[bool]:
    """Every item of the JSON list is one of `allowed` (no subquery on PostgreSQL: ALTER … USING forbids them)."""
    if ctx.postgres:
        contained: ColumnElement[bool] = value.op("<@", return_type=sa.Boolean())(
            sa.cast(sa.literal(json.dumps(allowed)), postgresql.JSONB()))
        return contained
    items = sa.func.json_each(value).table_valued("value")
    return ~sa.exists(sa.select(sa.literal(1)).select_from(items).where(items.c.value.not_in(allowed)))


@dataclass(frozen=True)
class Converter:
    """One field's conversion, resolved: SQL for 'converts' and for the converted value of an old column."""

    old: FieldDef
    new: FieldDef
    conversion: Conversion
    ctx: ConversionContext

    def converts(self, col: ColumnElement[Any]) -> ColumnElement[bool]:
        """True for a stored non-empty value that converts (NULL for an empty one)."""
        ok = self.conversion.ok(col, self.old, self.new, self.ctx)
        accepted = _type(self.new.type).accepts_sql(self.new, self.conversion.value(col, self.old, self.new, self.ctx),
                                                    self.ctx)
        if ok is None:
            test = accepted
        elif accepted is None:
            test = ok
        else:
            test = _guarded(ok, accepted)
        return sa.and_(col.is_not(None), test) if test is not None else col.is_not(None)

    def converted(self, col: ColumnElement[Any]) -> ColumnElement[Any]:
        """The new stored value: the converted value, or NULL for a value that does not convert."""
        return sa.case((self.converts(col), self.conversion.value(col, self.old, self.new, self.ctx)), else_=sa.null())

    @property
    def rewrites(self) -> bool:
        """Whether stored values change even when they all convert."""
        return not self.conversion.keeps_values
