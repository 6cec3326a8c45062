"""Description text (说明文字): rich text an admin writes into a form between its fields; it holds no value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from engine.definitions.model import FieldDef
from engine.fields.base import FieldType
from engine.fields.html import sanitize_html
from engine.fields.registry import register
from engine.i18n import text


@register
class Description(FieldType):
    """Formatted text shown on the form and the record page (its `content`, sanitised as rich_text is); no column."""

    name = "description"
    label = {"zh": "说明文字", "en": "Description"}
    stored = False
    layout_only = True
    operators = ()
    in_lists = False
    shows_itself = True
    display = "content"
    props_schema = {
        "content": {"type": ["string", "object"],
                    "description": "The text shown (HTML: paragraphs, bold, lists, links); an i18n map is allowed."},
    }

    def content_html(self, f: FieldDef, lang: str) -> str:
        """The content in the language, as sanitised HTML (scripts, styles and unsafe links removed)."""
        raw = f.get("content") or ""
        return sanitize_html(text(raw, lang) if isinstance(raw, (str, Mapping)) else str(raw))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return ""
