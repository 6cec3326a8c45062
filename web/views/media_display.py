"""How a record page or list shows a value as safe HTML, by the display kind its field type declares: files,
images, signatures, ratings, rich text, locations, description text and coloured options; anything else as escaped
text. A list's cells show only the kinds that fit in a table row (options); the rest as their text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from engine.bidi import isolated, without_overrides
from engine.definitions.model import FieldDef
from engine.definitions.palette import COLORS
from engine.fields.html import sanitize_html
from engine.fields.registry import field_type
from engine.fields.types.options import OptionsMixin

SIGNED = {"zh": "签名", "en": "Signature"}
RATING = {"zh": "{n} / {top} 星", "en": "{n} of {top} stars"}
MAP_LINK = {"zh": "在地图上查看", "en": "Show on a map"}
Display = Callable[[FieldDef, Any, str, str], Markup]


def value_html(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    """The value as HTML: thumbnails and download links, a signature image, stars, sanitised rich text…"""
    show = DISPLAYS.get(field_type(f.type).display, _text)
    if _empty(value) and show is not _content:
        return Markup("")
    return show(f, value, plain, lang)


def cell_html(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    """The value as a list's cell shows it: options with a colour as badges, anything else as its text."""
    show = CELL_DISPLAYS.get(field_type(f.type).display, _text)
    return Markup("") if _empty(value) else show(f, value, plain, lang)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _text(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    return escape(isolated(plain))


def _files(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    if not isinstance(value, list):
        return escape(plain)
    items = "".join(_file_item(ref) for ref in value if isinstance(ref, Mapping))
    return Markup(f'<ul class="file-list">{items}</ul>')


def _file_item(ref: Mapping[str, Any]) -> str:
    url = f"/files/{escape(ref.get('id'))}"
    name = escape(isolated(str(ref.get("name") or ref.get("id"))))
    thumb = (f'<a href="{url}"><img class="thumb" src="{url}" alt="{name}"></a>'
             if str(ref.get("type") or "").startswith("image/") else "")
    return f'<li>{thumb}<a href="{url}?download">{name}</a></li>'


def _signature(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    if not isinstance(value, Mapping):
        return escape(plain)
    return Markup('<img class="signature-image" src="/files/{}" alt="{}">').format(value.get("id"), SIGNED[lang])


def _rating(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    if not isinstance(value, int):
        return escape(plain)
    top = int(f.get("max") or 5)
    return Markup('<span class="stars" role="img" aria-label="{}">{}</span>').format(
        RATING[lang].format(n=value, top=top), field_type(f.type).format(f, value, lang))


def _rich(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    if not isinstance(value, str):
        return escape(plain)
    return Markup(f'<div class="rich-value">{without_overrides(sanitize_html(value))}</div>')


def _location(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    """The address (when there is one) above the coordinates, which link to the point on OpenStreetMap."""
    if not isinstance(value, Mapping) or not isinstance(value.get("lat"), (int, float)) \
            or not isinstance(value.get("lng"), (int, float)):
        return escape(plain)
    lat, lng = float(value["lat"]), float(value["lng"])
    url = f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lng:.6f}#map=16/{lat:.6f}/{lng:.6f}"
    address = Markup('<span class="location-address">{}</span>').format(isolated(str(value["address"]))) \
        if value.get("address") else Markup("")
    return Markup('<div class="location-value">{}<a class="location-coords" href="{}" target="_blank" '
                  'rel="noopener noreferrer" title="{}">{:.6f}, {:.6f}</a></div>').format(
        address, url, MAP_LINK[lang], lat, lng)


def _options(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    """Options as badges of their colours when any of them has one (the others as plain badges); else the text."""
    ftype = field_type(f.type)
    items = value if isinstance(value, list) else [value]
    if not isinstance(ftype, OptionsMixin):
        return _text(f, value, plain, lang)
    colours = [ftype.option_colour(f, v) for v in items]
    if not any(c in COLORS for c in colours):
        return _text(f, value, plain, lang)
    return Markup('<span class="option-badges">{}</span>').format(Markup("").join(
        Markup('<span class="option-badge{}">{}</span>').format(
            f" app-color-{c}" if c in COLORS else " plain", isolated(ftype.option_label(f, v, lang)))
        for v, c in zip(items, colours)))


def _content(f: FieldDef, value: Any, plain: str, lang: str) -> Markup:
    return Markup('<div class="description rich-value">{}</div>').format(
        Markup(field_type(f.type).content_html(f, lang)))


DISPLAYS: dict[str, Display] = {"text": _text, "files": _files, "signature": _signature, "rating": _rating,
                                "rich": _rich, "location": _location, "content": _content, "options": _options}
CELL_DISPLAYS: dict[str, Display] = {"options": _options}
