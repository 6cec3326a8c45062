"""A gallery of a form's records on an image field: a grid of cards with the first picture, the title and a few
fields, under the list's conditions, search and sort and the reader's scope, paged like the list.

A card shows a small copy of the picture (the /files/{id}/thumb/{size} route, which checks the reader may see the
file as the download route does; 320 px, 640 on a 2x screen), cropped to the card by CSS (`object-fit: cover`) and
loaded lazily."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.kanban import gallery_fields
from engine.definitions.model import FieldDef, FormDef
from engine.errors import QueryInvalid
from engine.records.model import Record
from web.render import page
from web.views.display import Formatter, list_columns
from web.views.board_views import bad_query, open_view
from web.views.listing import read_page
from web.views.pagination import build_pager
from web.zones import user_tz

CARD_FIELDS = 3  # fields a card shows under its title (those with a value)


@dataclass
class Tile:
    """One card of the gallery: the record, its title, its first picture (file id and name) and a few fields."""

    record: Record
    title: str
    image: tuple[str, str] | None
    fields: list[tuple[Any, Markup]]


def gallery(request: Request) -> Response:
    """GET ?by=<image field> with the list's f, q, sort, page and size."""
    opened = open_view(request, gallery_fields)
    if isinstance(opened, Response):
        return opened
    try:
        state, result = read_page(request, opened.form, opened.state)
    except QueryInvalid as exc:
        return bad_query(request, exc.error.message(opened.lang))
    opened = dataclasses.replace(opened, state=state)
    fmt = Formatter(opened.ws, opened.form, result.records, opened.lang, user_tz(request))
    return page(request, "gallery.html", opened.context(
        request, "gallery", tiles=_tiles(fmt, opened.form, opened.by, result.records), page=result,
        pager=build_pager(state, f"{opened.base}/gallery", result.total or 0, result.next_cursor,
                          result.total_exact),
        filtered=state.filtered))


def _tiles(fmt: Formatter, form: FormDef, by: FieldDef, records: list[Record]) -> list[Tile]:
    """Each record's card: the first picture of the field, the title and the first fields that have a value."""
    title = form.field(form.title_field())
    shown = [f for f in list_columns(form) if f is not title and f is not by]
    return [Tile(r, (fmt.cell(r, title) if title is not None else "") or f"#{r.id}", _first_image(fmt.get(r, by)),
                 [(f.label, fmt.cell_html(r, f)) for f in shown if fmt.get(r, f) not in (None, "", [])][:CARD_FIELDS])
            for r in records]


def _first_image(value: Any) -> tuple[str, str] | None:
    """(file id, name) of the first picture among a field's file references."""
    for ref in value if isinstance(value, list) else []:
        if isinstance(ref, Mapping) and str(ref.get("type") or "").startswith("image/") and ref.get("id"):
            return str(ref["id"]), str(ref.get("name") or "")
    return None
