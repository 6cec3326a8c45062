"""Uploaded content: file, image, signature — references `{id, name, size, type}` to stored files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.fields.base import JSON, FieldType
from engine.fields.registry import register
from engine.fields.screen import PostedForm
from engine.fields.types.common import blank, invalid, title
from engine.fields.types.lists import JSONListField
from engine.fields.types.sqltypes import NullableJSON

FILE_REF = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Id of the stored file."},
        "name": {"type": "string", "description": "Original file name."},
        "size": {"type": "integer", "minimum": 0, "description": "Size in bytes."},
        "type": {"type": "string", "description": "MIME type."},
    },
    "required": ["id", "name"],
    "additionalProperties": False,
}
FILE_TEXT = {"zh": "文件引用(含 id 和 name)", "en": "a file reference with id and name"}
MAX_SIZE: dict[str, Any] = {
    "max_size": {"type": "number", "exclusiveMinimum": 0, "description": "Largest upload in MB."},
}
MAX_FILES: dict[str, Any] = {
    "max_files": {"type": "integer", "minimum": 1, "description": "Most files the field holds."},
}


def parse_ref(f: FieldDef, raw: Any) -> dict[str, Any]:
    """One file reference {id, name, size?, type?}; other keys are dropped."""
    if not isinstance(raw, Mapping) or not _text(raw.get("id")) or not isinstance(raw.get("name"), str):
        raise invalid(f, FILE_TEXT)
    size, kind = raw.get("size"), raw.get("type")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise invalid(f, FILE_TEXT)
    if kind is not None and not isinstance(kind, str):
        raise invalid(f, FILE_TEXT)
    ref = {"id": raw["id"], "name": raw["name"], "size": size, "type": kind}
    return {k: v for k, v in ref.items() if v is not None}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


@register
class File(JSONListField):
    """Attachments; type and size limits are checked when uploading, the number of files here."""

    name = "file"
    label = {"zh": "附件", "en": "Files"}
    operators = ("empty", "not_empty")
    widget = "uploader"
    display = "files"
    in_lists = False
    upload_max_mb = 20
    list_text = FILE_TEXT
    count_props = ("min_files", "max_files")
    props_schema = {
        "accept": {"type": "array", "items": {"type": "string"},
                   "description": "Allowed extensions (.pdf) or MIME types (image/*)."},
        **MAX_SIZE, **MAX_FILES,
    }

    def parse_item(self, f: FieldDef, raw: Any, fmt: str) -> Any:
        return parse_ref(f, raw)

    def item_key(self, item: Any) -> Any:
        return item["id"]

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """A hidden input per uploaded file id, turned into references by the poster's file store."""
        return posted.files.files(posted.values(name))

    def item_schema(self, f: FieldDef) -> dict[str, Any]:
        return FILE_REF

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return ", ".join(ref["name"] for ref in value or [])


@register
class Image(File):
    """Pictures."""

    name = "image"
    label = {"zh": "图片", "en": "Images"}
    upload_max_mb = 10
    upload_kinds = "image"
    props_schema = {**MAX_SIZE, **MAX_FILES}


@register
class Signature(FieldType):
    """A handwritten signature: one reference to a stored PNG."""

    name = "signature"
    public_input = False
    label = {"zh": "手写签名", "en": "Signature"}
    operators = ("empty", "not_empty")
    display = "signature"
    in_lists = False
    upload_max_mb = 1
    upload_kinds = "png"

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """The kept signature's file id, or a newly drawn one as a PNG data URL in `<name>.png`."""
        return posted.files.signature(f, posted.text(name), posted.text(f"{name}.png"))

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return NullableJSON

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        return None if blank(raw) else parse_ref(f, raw)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"anyOf": [FILE_REF, {"type": "null"}], "title": title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        return "" if not value else ("已签名" if lang == "zh" else "Signed")
