"""Text-like field types: text, textarea, rich_text, email, phone, url, serial."""

from __future__ import annotations

import html
import re
import sys
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import EQUALITY_OPS, JSON, TEXT_OPS, FieldType, FilterContext, Parser, Validator
from engine.fields.conversion import AS_TEXT, ESCAPED_HTML, KEEP, OPTION_LABEL, Conversion, ConversionContext
from engine.fields.html import sanitize_html
from engine.fields.registry import register
from engine.fields.types.common import bad_filter, bad_format, blank, error, int_prop, invalid, schema
from engine.fields.types.text_order_sql import pinyin_order
from engine.i18n import I18n

TAGS = re.compile(r"<[^>]*>")
SPACES = re.compile(r"\s+")
TEXT = {"zh": "文本", "en": "text"}
LENGTHS: dict[str, Any] = {
    "max_length": {"type": "integer", "minimum": 1, "description": "Most characters allowed."},
    "min_length": {"type": "integer", "minimum": 0, "description": "Fewest characters allowed."},
}
# The types whose values a plain or long text field takes.
TEXT_SOURCES: dict[str, Conversion] = {
    **dict.fromkeys(("text", "textarea", "email", "phone", "url", "serial"), KEEP),
    **dict.fromkeys(("number", "money", "percent", "integer", "rating"), AS_TEXT),
    **dict.fromkeys(("select", "radio"), OPTION_LABEL),
}


class TextBase(FieldType):
    """Shared behaviour of text types: trimming, length bounds, case-insensitive search and text filters."""

    value_type = "text"
    searchable = True
    operators = (*EQUALITY_OPS, *TEXT_OPS)
    default_length: ClassVar[int | None] = 255  # None: unlimited TEXT column
    strip: ClassVar[bool] = True  # multi-line text keeps its leading and trailing whitespace

    def max_length(self, f: FieldDef) -> int | None:
        return int_prop(f, "max_length", self.default_length)

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        length = self.max_length(f)
        return sa.String(length) if self.default_length and length and length <= 255 else sa.Text()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        result = schema(f, "string")
        if self.max_length(f):
            result["maxLength"] = self.max_length(f)
        return result

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if blank(raw):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # spreadsheets give numbers such as phone numbers as floats
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
            raise invalid(f, TEXT)
        value = str(raw)
        return value.strip() if self.strip else value

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not TextBase.parse:
            return super().parser(f)
        return self.text_parser(f)

    def text_parser(self, f: FieldDef) -> Parser:
        """`TextBase.parse` with a short way for text (the usual input); anything else takes the long one."""
        slow, strip = self.parse, self.strip

        def parse(raw: Any, fmt: str = JSON) -> Any:
            if type(raw) is not str:
                return slow(f, raw, fmt)
            trimmed = raw.strip()
            if not trimmed:
                return None
            return trimmed if strip else raw
        return parse

    def validator(self, f: FieldDef) -> Validator | None:
        if type(self).validate is not TextBase.validate:
            return super().validator(f)
        return self.length_check(f)

    def length_check(self, f: FieldDef) -> Validator | None:
        """`validate` as a closure over the field's length bounds (None without bounds): a length within them
        has nothing to report, so only a value outside them pays for the full check."""
        longest, shortest = self.max_length(f), int_prop(f, "min_length")
        if not longest and not shortest:
            return None
        low, high, validate = shortest or 0, longest or sys.maxsize, self.validate
        return lambda value: [] if low <= len(value) <= high else validate(f, value)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        longest, shortest = self.max_length(f), int_prop(f, "min_length")
        if longest and len(value) > longest:
            errors.append(error(f, "too_long", max=longest))
        if shortest and len(value) < shortest:
            errors.append(error(f, "too_short", min=shortest))
        return errors

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op not in TEXT_OPS or op not in self.operators:
            return super().filter(f, table, op, operand, ctx)
        if isinstance(operand, bool) or not isinstance(operand, (str, int)) or operand == "":
            raise bad_filter(f, f"'{op}' needs text")
        col = table.c[f.id]
        if op == "starts":
            return col.istartswith(str(operand), autoescape=True)
        clause = col.icontains(str(operand), autoescape=True)
        return sa.or_(sa.not_(clause), col.is_(None)) if op == "not_contains" else clause

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        longest = self.max_length(f)
        return sa.func.length(value) <= longest if longest else None

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        # lower() on both sides with LIKE … ESCAPE '/': case-insensitive, and % _ / in the term match literally.
        return table.c[f.id].icontains(term, autoescape=True)

    def search_columns(self, f: FieldDef) -> list[str]:
        return [f.id]


@register
class Text(TextBase):
    """A single line of text, optionally bounded in length and matched against a regular expression."""

    name = "text"
    label = {"zh": "单行文本", "en": "Text"}
    takes_from = TEXT_SOURCES
    props_schema = {
        **LENGTHS,
        "regex": {"type": "string", "description": "Regular expression the whole value must match."},
        "regex_message": {"type": ["string", "object"], "description": "Message (i18n text) when regex fails."},
    }

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        """Pinyin order (北京 < 上海 < 中山); a field with an index keeps the index's order, which serves the sort."""
        column = table.c[f.id]
        return column if f.index or f.unique else pinyin_order(column)

    def validator(self, f: FieldDef) -> Validator | None:
        if type(self).validate is Text.validate and not f.get("regex"):
            return self.length_check(f)
        return super().validator(f)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = super().validate(f, value)
        if f.get("regex") and not _matches(str(f.get("regex")), value):
            expected = f.get("regex_message") or {"zh": "要求的格式", "en": "value in the required format"}
            errors.append(error(f, "bad_format", expected=expected))
        return errors


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True  # a broken pattern is a definition problem, reported by the checker


@register
class Textarea(TextBase):
    """Several lines of plain text."""

    name = "textarea"
    label = {"zh": "多行文本", "en": "Long text"}
    in_lists = False
    default_length = None
    strip = False
    takes_from = TEXT_SOURCES
    props_schema = {"max_length": LENGTHS["max_length"]}


@register
class RichText(Textarea):
    """Formatted text kept as sanitised HTML (every write path parses through here); displayed without tags."""

    name = "rich_text"
    label = {"zh": "富文本", "en": "Rich text"}
    widget = "rich_text"
    display = "rich"
    takes_from = {"text": ESCAPED_HTML, "textarea": ESCAPED_HTML}

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        value = super().parse(f, raw, fmt)
        if value is None:
            return None
        clean = sanitize_html(value)
        return clean if TAGS.sub("", clean).strip() or "<hr" in clean else None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**super().json_schema(f), "contentMediaType": "text/html"}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if not value else SPACES.sub(" ", html.unescape(TAGS.sub(" ", value))).strip()


class PatternText(TextBase):
    """Text that must match a format (email, phone, URL); a mismatch is a `bad_format` error."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(".*")
    expected: ClassVar[I18n] = ""

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        value = super().parse(f, raw, fmt)
        if value is not None and not self.matches(f, value):
            raise bad_format(f, self.expected)
        return value

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not PatternText.parse:
            return super().parser(f)
        text, matches, expected = self.text_parser(f), self.matches, self.expected

        def parse(raw: Any, fmt: str = JSON) -> Any:
            value = text(raw, fmt)
            if value is not None and not matches(f, value):
                raise bad_format(f, expected)
            return value
        return parse

    def matches(self, f: FieldDef, value: str) -> bool:
        return self.pattern.fullmatch(value) is not None


@register
class Email(PatternText):
    """An email address."""

    name = "email"
    label = {"zh": "邮箱", "en": "Email"}
    pattern = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
    expected = {"zh": "邮箱地址", "en": "email address"}

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**super().json_schema(f), "format": "email"}


@register
class Phone(PatternText):
    """A phone number: a mainland China mobile or landline by default, digits and + - ( ) elsewhere."""

    name = "phone"
    label = {"zh": "电话", "en": "Phone"}
    expected = {"zh": "电话号码(11 位手机号或带区号的座机)", "en": "phone number"}
    props_schema = {"region": {"type": "string", "default": "CN",
                               "description": "CN checks mainland mobile/landline numbers; any other region "
                                              "allows digits, spaces, + - ( )."}}
    CN = re.compile(r"(?:\+?86-?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|400-?\d{3}-?\d{4})")
    ANY = re.compile(r"\+?[\d ()\-]{5,30}")

    def matches(self, f: FieldDef, value: str) -> bool:
        if str(f.get("region") or "CN").upper() == "CN":
            return self.CN.fullmatch(value.replace(" ", "")) is not None
        return self.ANY.fullmatch(value) is not None and any(c.isdigit() for c in value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**super().json_schema(f), "description": "Phone number as entered."}


@register
class Url(PatternText):
    """A web address starting with http:// or https://."""

    name = "url"
    label = {"zh": "网址", "en": "URL"}
    expected = {"zh": "以 http:// 或 https:// 开头的网址", "en": "http:// or https:// address"}
    pattern = re.compile(r"https?://\S+", re.IGNORECASE)

    def matches(self, f: FieldDef, value: str) -> bool:
        return super().matches(f, value) and bool(urlsplit(value).hostname)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**super().json_schema(f), "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://\\S+$"}


@register
class Serial(TextBase):
    """A serial number (流水号) the engine assigns from the form's numbering pattern."""

    name = "serial"
    label = {"zh": "流水号", "en": "Serial number"}
    computed = True
    default_length = 64

    def form_starter(self, field_id: str) -> dict[str, Any]:
        return {"numbering": {"field": field_id, "pattern": "{YYYY}{MM}{DD}-{seq:04}"}}

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is not None and not isinstance(raw, str):
            raise invalid(f, TEXT)
        return raw or None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**super().json_schema(f), "readOnly": True, "description": "Assigned by the form's numbering."}
