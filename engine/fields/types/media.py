"""Uploaded content: file, image, signature (references to stored files)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, FieldType
from engine.fields.registry import register
from engine.fields.types.common import invalid
from engine.fields.types.sqltypes import JSONList
from engine.fields.types.text import _title

FILE_REF = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"},
                   "type": {"type": "string"}},
    "required": ["id", "name"],
    "additionalProperties": False,
}
FILE_TEXT = {"zh": "文件引用(含 id 和 name)", "en": "a file reference with id and name"}


def parse_ref(f: FieldDef, raw: Any) -> dict[str, Any]:
    """One file reference {id, name, size, type}."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("name"), str):
        raise invalid(f, FILE_TEXT)
    ref: dict[str, Any] = {"id": raw["id"][:40], "name": raw["name"][:255]}
    if isinstance(raw.get("size"), int) and not isinstance(raw.get("size"), bool):
        ref["size"] = raw["size"]
    if isinstance(raw.get("type"), str):
        ref["type"] = raw["type"][:120]
    return ref


@register
class File(FieldType):
    """Attachments (size and type limits are checked at upload)."""

    name = "file"
    label = {"zh": "附件", "en": "Files"}
    value_type = "list"
    operators = ("empty", "not_empty")

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return JSONList

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list):
            raise invalid(f, FILE_TEXT)
        return [parse_ref(f, item) for item in raw] or None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        limit = f.get("max_files")
        if limit and len(value) > int(limit):
            return [FieldError("too_many", {"label": f.label, "max": limit})]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["array", "null"], "items": FILE_REF, "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return ", ".join(ref["name"] for ref in value or [])


@register
class Image(File):
    """Pictures."""

    name = "image"
    label = {"zh": "图片", "en": "Images"}


@register
class Signature(FieldType):
    """A handwritten signature, stored as a PNG file."""

    name = "signature"
    label = {"zh": "手写签名", "en": "Signature"}
    operators = ("empty", "not_empty")

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return JSONList

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return None if raw is None or raw == {} else parse_ref(f, raw)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"anyOf": [FILE_REF, {"type": "null"}], "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if not value else ("已签名" if lang == "zh" else "Signed")
