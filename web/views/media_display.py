"""How a record page or list shows files, images, signatures, ratings and rich text (as safe HTML)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from engine.definitions.model import FieldDef
from engine.fields.html import sanitize_html
from engine.fields.registry import field_type

SIGNED = {"zh": "签名", "en": "Signature"}
RATING = {"zh": "{n} / {top} 星", "en": "{n} of {top} stars"}


def value_html(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    """The value as HTML: thumbnails and download links, a signature image, stars, sanitised rich text."""
    if value is None or value == "" or value == []:
        return Markup("")
    if f.type in ("file", "image") and isinstance(value, list):
        items = "".join(_file_item(ref) for ref in value if isinstance(ref, Mapping))
        return Markup(f'<ul class="file-list">{items}</ul>')
    if f.type == "signature" and isinstance(value, Mapping):
        return Markup('<img class="signature-image" src="/files/{}" alt="{}">').format(value.get("id"), SIGNED[lang])
    if f.type == "rating" and isinstance(value, int):
        top = int(f.get("max") or 5)
        return Markup('<span class="stars" role="img" aria-label="{}">{}</span>').format(
            RATING[lang].format(n=value, top=top), field_type("rating").format(f, value, lang))
    if f.type == "rich_text" and isinstance(value, str):
        return Markup(f'<div class="rich-value">{sanitize_html(value)}</div>')
    return escape(plain)


def _file_item(ref: Mapping[str, Any]) -> str:
    url = f"/files/{escape(ref.get('id'))}"
    name = escape(ref.get("name") or ref.get("id"))
    thumb = (f'<a href="{url}"><img class="thumb" src="{url}" alt="{name}"></a>'
             if str(ref.get("type") or "").startswith("image/") else "")
    return f'<li>{thumb}<a href="{url}?download">{name}</a></li>'
