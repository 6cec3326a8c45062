"""Choice field types: boolean, select, radio, multi_select, checkbox, tags."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import EQUALITY_OPS, FORM, JSON, FieldType, Parser, Validator
from engine.fields.conversion import FIRST_ITEM, INTO_LIST, KEEP, TO_OPTION, ConversionContext, all_options_in
from engine.fields.registry import register
from engine.fields.screen import PostedForm
from engine.fields.types.common import ITEM_COUNT, blank, error, invalid, schema, title
from engine.fields.types.lists import JSONListField
from engine.fields.types.options import ALLOW_OTHER, OPTIONS_SCHEMA, OptionsMixin

TRUE_WORDS = {"true", "1", "yes", "y", "on", "是", "√", "✓", "✔", "对"}
FALSE_WORDS = {"false", "0", "no", "n", "off", "否", "×", "✗", "✘", "错"}
BOOLEAN_TEXT = {"zh": "是或否", "en": "true or false"}
OPTION_TEXT = {"zh": "一个选项", "en": "one of the options"}
LISTS = ("multi_select", "checkbox", "tags")


@register
class Boolean(FieldType):
    """Yes or no; forms send "on"/"true"/"1" or nothing, sheets 是/否, yes/no, 1/0, √/×."""

    name = "boolean"
    label = {"zh": "是/否", "en": "Yes/No"}
    value_type = "boolean"
    operators = ("eq", "ne", "empty", "not_empty")

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """A ticked checkbox posts its name; an unticked one posts nothing."""
        return name in posted.data

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Boolean()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if isinstance(raw, bool) or raw is None:
            return raw
        if blank(raw):
            return False if fmt == FORM else None  # an unticked form checkbox sends nothing
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # spreadsheets give 1 and 0 as floats
        word = str(raw).strip().lower() if isinstance(raw, (str, int)) else None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise invalid(f, BOOLEAN_TEXT)

    def is_empty(self, value: Any) -> bool:
        return value is None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "boolean")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if value is None:
            return ""
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")


class SingleChoice(OptionsMixin):
    """One value out of the field's options (any text with `allow_other`); sheets may give a label."""

    value_type = "text"
    operators = EQUALITY_OPS
    takes_from = {"select": KEEP, "radio": KEEP, "text": TO_OPTION, "textarea": TO_OPTION,
                  **dict.fromkeys(LISTS, FIRST_ITEM)}

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        return None if f.get("allow_other") else value.in_(self.option_values(f))

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.String(255)

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if blank(raw):
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise invalid(f, OPTION_TEXT)
        return self.option_value(f, str(raw).strip(), by_label=fmt != JSON)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return [error(f, "bad_option", value=v) for v in self.outside(f, [value])]

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not SingleChoice.parse:
            return super().parser(f)
        # An option value given exactly (the usual input) is itself; anything else takes the long way.
        exact, slow = {v for v in self._value_set(f) if v and v == v.strip()}, self.parse

        def parse(raw: Any, fmt: str = JSON) -> Any:
            return raw if type(raw) is str and raw in exact else slow(f, raw, fmt)
        return parse

    def validator(self, f: FieldDef) -> Validator | None:
        if type(self).validate is not SingleChoice.validate or f.get("allow_other"):
            return super().validator(f)
        allowed, validate = self._value_set(f), self.validate
        return lambda value: [] if value in allowed else validate(f, value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        if f.get("allow_other"):
            return schema(f, "string", maxLength=255, examples=self.option_values(f))
        return {"enum": [*self.option_values(f), None], "title": title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if value is None else self.option_label(f, value, lang)


@register
class Select(SingleChoice):
    """A drop-down list of options."""

    name = "select"
    label = {"zh": "下拉框", "en": "Select"}
    props_schema = {**OPTIONS_SCHEMA, **ALLOW_OTHER}
    props_required = ("options",)


@register
class Radio(SingleChoice):
    """A group of radio buttons."""

    name = "radio"
    label = {"zh": "单选按钮组", "en": "Radio buttons"}
    props_schema = {**OPTIONS_SCHEMA, **ALLOW_OTHER}
    props_required = ("options",)


class MultiChoice(OptionsMixin, JSONListField):
    """Several values out of the field's options; sheets may give labels."""

    props_schema = {**OPTIONS_SCHEMA, **ITEM_COUNT}
    widget = "choices"
    takes_from = {"select": INTO_LIST, "radio": INTO_LIST, **dict.fromkeys(LISTS, KEEP)}

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        return None if f.get("allow_other") else all_options_in(value, self.option_values(f), ctx)

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        return posted.values(name) or None

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise invalid(f, {"zh": "选项列表", "en": "a list of options"})
        return self.option_value(f, str(raw).strip(), by_label=fmt != JSON)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return super().validate(f, value) + [error(f, "bad_option", value=v) for v in self.outside(f, value)]

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string"} if f.get("allow_other") else {"enum": self.option_values(f)}

    def format_item(self, f: FieldDef, value: Any, lang: str) -> str:
        return self.option_label(f, value, lang)


@register
class MultiSelect(MultiChoice):
    """A drop-down list allowing several options."""

    name = "multi_select"
    label = {"zh": "下拉复选框", "en": "Multi-select"}
    props_schema = {**MultiChoice.props_schema, **ALLOW_OTHER}
    props_required = ("options",)


@register
class Checkbox(MultiChoice):
    """A group of checkboxes."""

    name = "checkbox"
    label = {"zh": "复选框组", "en": "Checkboxes"}
    props_schema = {**MultiChoice.props_schema, **ALLOW_OTHER}
    props_required = ("options",)


@register
class Tags(MultiChoice):
    """Free-text tags; the options are suggestions unless `strict`."""

    name = "tags"
    label = {"zh": "标签", "en": "Tags"}
    props_schema = {**MultiChoice.props_schema,
                    "strict": {"type": "boolean", "default": False, "description": "Only the options are allowed."}}
    widget = "tags"

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """One text input, the tags separated by commas."""
        return posted.text(name)

    def input_value(self, f: FieldDef, value: Any, tz: Any) -> Any:
        if isinstance(value, str) and value:  # re-posted as typed ("a, b") after a failed save
            return [part.strip() for part in value.split(",") if part.strip()]
        return super().input_value(f, value, tz)

    def filter_input(self, f: FieldDef) -> str:
        return "text"

    def outside(self, f: FieldDef, values: list[Any]) -> list[Any]:
        allowed = set(self.option_values(f))
        return [v for v in values if v not in allowed] if f.get("strict") else []

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        return all_options_in(value, self.option_values(f), ctx) if f.get("strict") else None

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"enum": self.option_values(f)} if f.get("strict") else {"type": "string", "minLength": 1}
