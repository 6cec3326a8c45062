"""Choice field types: boolean, select, radio, multi_select, checkbox, tags."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, QueryInvalid
from engine.fields.base import EQUALITY_OPS, JSON, LIST_OPS, SHEET, FieldType, FilterContext
from engine.fields.registry import register
from engine.fields.types.common import (
    invalid, json_list_has, option_label, option_value, option_values, options, split_list,
)
from engine.fields.types.sqltypes import JSONList
from engine.fields.types.text import _title

TRUE_WORDS = {"true", "1", "yes", "y", "on", "是", "√", "✓", "对"}
FALSE_WORDS = {"false", "0", "no", "n", "off", "否", "×", "✗", "错", ""}


@register
class Boolean(FieldType):
    """Yes or no."""

    name = "boolean"
    label = {"zh": "是/否", "en": "Yes/No"}
    value_type = "boolean"
    operators = ("eq", "ne", "empty", "not_empty")

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Boolean()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None:
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and fmt != JSON or isinstance(raw, str) and raw.lower() in ("true", "false"):
            word = raw.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return None if word == "" and fmt == SHEET else False
        raise invalid(f, {"zh": "是或否", "en": "true or false"})

    def is_empty(self, value: Any) -> bool:
        return value is None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["boolean", "null"], "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if value is None:
            return ""
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")


class SingleChoice(FieldType):
    """One value out of the field's options (or free text with allow_other)."""

    value_type = "text"
    operators = EQUALITY_OPS

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.String(255)

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise invalid(f, {"zh": "一个选项", "en": "one of the options"})
        text = str(raw).strip()
        return option_value(f, text, by_label=fmt != JSON) or text

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        if f.get("allow_other") or value in option_values(f):
            return []
        return [FieldError("bad_option", {"label": f.label, "value": value})]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        if f.get("allow_other"):
            return {"type": ["string", "null"], "title": _title(f), "examples": [v for v, _ in options(f)][:5]}
        return {"enum": [*(v for v, _ in options(f)), None], "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else option_label(f, value, lang)


@register
class Select(SingleChoice):
    """A drop-down list."""

    name = "select"
    label = {"zh": "下拉框", "en": "Select"}


@register
class Radio(SingleChoice):
    """Radio buttons."""

    name = "radio"
    label = {"zh": "单选按钮组", "en": "Radio buttons"}


class JSONListField(FieldType):
    """A list of values in one JSON column; filters ask whether the list holds a value."""

    value_type = "list"
    operators = LIST_OPS

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return JSONList

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        return raw

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "":
            return None
        if fmt == JSON and not isinstance(raw, list):
            raise invalid(f, {"zh": "列表", "en": "a list"})
        items = [self.parse_item(f, item, fmt) for item in split_list(raw)]
        unique = list(dict.fromkeys(i for i in items if i is not None))
        return unique or None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        if f.get("max_items") and len(value) > int(f.get("max_items")):
            errors.append(FieldError("too_many", {"label": f.label, "max": f.get("max_items")}))
        if f.get("min_items") and len(value) < int(f.get("min_items")):
            errors.append(FieldError("too_few", {"label": f.label, "min": f.get("min_items")}))
        return errors

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string"}

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["array", "null"], "items": self.item_schema(f), "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if not value else "、".join(self.format_item(f, v, lang) for v in value) if lang == "zh" else \
            ", ".join(self.format_item(f, v, lang) for v in value)

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return str(value)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op not in self.operators:
            raise QueryInvalid("bad_filter", message=f"field '{f.id}' has no operator '{op}'")
        col = table.c[f.id]
        if op == "empty":
            return col.is_(None)
        if op == "not_empty":
            return col.is_not(None)
        values = [self._item_operand(f, v) for v in split_list(operand)]
        if not values:
            raise QueryInvalid("bad_filter", message=f"{f.id}: '{op}' needs a value")
        any_of = sa.or_(*(json_list_has(col, v, ctx.dialect) for v in values))
        if op == "not_in":
            return sa.or_(sa.not_(any_of), col.is_(None))
        return any_of

    def _item_operand(self, f: FieldDef, raw: Any) -> Any:
        from engine.errors import FieldValueError

        try:
            return self.parse_item(f, raw, JSON)
        except FieldValueError as exc:
            raise QueryInvalid("bad_filter", message=f"{f.id}: {exc}") from None


class MultiChoice(JSONListField):
    """Several values out of the field's options."""

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise invalid(f, {"zh": "选项列表", "en": "a list of options"})
        text = str(raw).strip()
        return option_value(f, text, by_label=fmt != JSON) or text

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        allowed = {v for v, _ in options(f)}
        errors = super().validate(f, value)
        if not f.get("allow_other"):
            errors += [FieldError("bad_option", {"label": f.label, "value": v}) for v in value if v not in allowed]
        return errors

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string"} if f.get("allow_other") else {"enum": [v for v, _ in options(f)]}

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return option_label(f, value, lang)


@register
class MultiSelect(MultiChoice):
    """A drop-down list allowing several values."""

    name = "multi_select"
    label = {"zh": "下拉复选框", "en": "Multi-select"}


@register
class Checkbox(MultiChoice):
    """A group of checkboxes."""

    name = "checkbox"
    label = {"zh": "复选框组", "en": "Checkboxes"}


@register
class Tags(JSONListField):
    """Free tags (the options are suggestions unless `strict`)."""

    name = "tags"
    label = {"zh": "标签", "en": "Tags"}

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise invalid(f, {"zh": "标签列表", "en": "a list of tags"})
        text = str(raw).strip()
        return (option_value(f, text, by_label=True) or text)[:60] or None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = super().validate(f, value)
        if f.get("strict"):
            allowed = {v for v, _ in options(f)}
            errors += [FieldError("bad_option", {"label": f.label, "value": v}) for v in value if v not in allowed]
        return errors

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return option_label(f, value, lang)
