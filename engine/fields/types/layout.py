"""Layout-only fields: the divider, which titles a part of a form and holds no value."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import FieldDef
from engine.fields.base import FieldType
from engine.fields.registry import register


@register
class Divider(FieldType):
    """A line with a heading (its `label`) that separates parts of a form; it has no column and no value."""

    name = "divider"
    label = {"zh": "分割线", "en": "Divider"}
    stored = False
    layout_only = True
    operators = ()
    in_lists = False
    props_schema = {"label": {"type": ["string", "object"], "description": "Heading shown on the line (i18n)."}}

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return ""
