"""Text-like field types: text, textarea, rich_text, email, phone, url, serial."""

from __future__ import annotations

import html
import re
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, FieldValueError, QueryInvalid
from engine.fields.base import EQUALITY_OPS, JSON, TEXT_OPS, FieldType, FilterContext
from engine.fields.registry import register
from engine.fields.types.common import bad_format, invalid
from engine.i18n import I18n

TAGS = re.compile(r"<[^>]*>")


class TextBase(FieldType):
    """Shared behaviour of text types: trimming, length bounds, case-insensitive search and text filters."""

    value_type = "text"
    searchable = True
    operators = (*EQUALITY_OPS, *TEXT_OPS)
    default_length: ClassVar[int | None] = 255
    strip: ClassVar[bool] = True

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        length = int(f.get("max_length") or self.default_length or 0)
        return sa.String(length) if self.default_length and length <= 255 else sa.Text()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["string", "null"], "title": _title(f)}
        limit = f.get("max_length") or (self.default_length if self.default_length else None)
        if limit:
            schema["maxLength"] = int(limit)
        return schema

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise invalid(f, {"zh": "文本", "en": "text"})
        value = str(raw)
        value = value.strip() if self.strip else value
        return value or None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        limit = f.get("max_length") or self.default_length
        if limit and len(value) > int(limit):
            errors.append(FieldError("too_long", {"label": f.label, "max": int(limit)}))
        if f.get("min_length") and len(value) < int(f.get("min_length")):
            errors.append(FieldError("too_short", {"label": f.label, "min": int(f.get("min_length"))}))
        if f.get("regex") and not re.fullmatch(str(f.get("regex")), value):
            expected = f.get("regex_message") or {"zh": "要求的格式", "en": "the required format"}
            errors.append(FieldError("bad_format", {"label": f.label, "expected": expected}))
        return errors

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        col = table.c[f.id]
        if op in TEXT_OPS:
            if not isinstance(operand, (str, int)) or isinstance(operand, bool):
                raise QueryInvalid("bad_filter", message=f"{f.id}: '{op}' needs text")
            term = str(operand)
            if op == "starts":
                return col.istartswith(term, autoescape=True)
            clause = col.icontains(term, autoescape=True)
            return sa.or_(sa.not_(clause), col.is_(None)) if op == "not_contains" else clause
        return super().filter(f, table, op, operand, ctx)

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        return table.c[f.id].icontains(term, autoescape=True)


def _title(f: FieldDef) -> str:
    label = f.label
    return str(label.get("en") or label.get("zh")) if isinstance(label, dict) else str(label)


@register
class Text(TextBase):
    """A single line of text."""

    name = "text"
    label = {"zh": "单行文本", "en": "Text"}


@register
class Textarea(TextBase):
    """Several lines of text."""

    name = "textarea"
    label = {"zh": "多行文本", "en": "Long text"}
    default_length = None
    strip = False

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        value = super().parse(f, raw, fmt)
        return value if value and value.strip() else None


@register
class RichText(Textarea):
    """Formatted text (HTML, sanitised by the web layer before display)."""

    name = "rich_text"
    label = {"zh": "富文本", "en": "Rich text"}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if not value else html.unescape(TAGS.sub(" ", value)).strip()


class PatternText(TextBase):
    """Text that must match a format (email, phone, URL)."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(".*")
    expected: ClassVar[I18n] = ""
    json_format: ClassVar[str | None] = None

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        value = super().parse(f, raw, fmt)
        if value is not None and not self.matches(f, value):
            raise bad_format(f, self.expected)
        return value

    def matches(self, f: FieldDef, value: str) -> bool:
        return bool(self.pattern.fullmatch(value))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema = super().json_schema(f)
        if self.json_format:
            schema["format"] = self.json_format
        return schema


@register
class Email(PatternText):
    """An email address."""

    name = "email"
    label = {"zh": "邮箱", "en": "Email"}
    pattern = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
    expected = {"zh": "邮箱地址", "en": "email address"}
    json_format = "email"


@register
class Phone(PatternText):
    """A phone number (mainland China mobile or landline by default)."""

    name = "phone"
    label = {"zh": "电话", "en": "Phone"}
    expected = {"zh": "电话号码(手机 11 位或带区号的座机)", "en": "phone number"}
    CN = re.compile(r"(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})")
    ANY = re.compile(r"\+?[\d ()\-]{5,20}")

    def matches(self, f: FieldDef, value: str) -> bool:
        region = str(f.get("region") or "CN")
        return bool((self.CN if region == "CN" else self.ANY).fullmatch(value.replace(" ", "") if region == "CN"
                                                                        else value))


@register
class Url(PatternText):
    """A web address (http or https)."""

    name = "url"
    label = {"zh": "网址", "en": "URL"}
    pattern = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
    expected = {"zh": "以 http:// 或 https:// 开头的网址", "en": "http:// or https:// address"}
    json_format = "uri"


@register
class Serial(TextBase):
    """A serial number (流水号) assigned by the engine from the form's numbering pattern."""

    name = "serial"
    label = {"zh": "流水号", "en": "Serial number"}
    computed = True
    default_length = 64

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.String(64)

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is not None and not isinstance(raw, str):
            raise FieldValueError("invalid_type", label=f.label, expected={"zh": "文本", "en": "text"})
        return raw or None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["string", "null"], "title": _title(f), "maxLength": 64, "readOnly": True}
