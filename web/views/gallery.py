"""A gallery of a form's records on an image field: a grid of cards with the first picture, the title and a few
fields, under the list's conditions, search and sort and the reader's scope, paged like the list.

There is no thumbnail route: a card shows the stored image itself (the /files/{id} route, which checks the reader
may see it), scaled and cropped by CSS (`object-fit: cover`) and loaded lazily."""

from __future__ import annotations

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
from web.i18n import choose_language, translator
from web.render import page
from web.views.display import Formatter, list_columns
from web.views.listing import base_url, chips, read_page, request_state
from web.views.liststate import problem_text
from web.views.pagination import build_pager
from web.views.records import _form_or_404
from web.views.viewmenu import menu_context
from web.zones import user_tz

CARD_FIELDS = 3  # fields a card shows under its title (those with a value)


@dataclass
class Tile:
    """One card of the gallery: the record, its title, its first picture (file id and name) and a few fields."""

    record: Record
    title: str
    image: tuple[str, str] | None
    fields: list[tuple[Any, Markup]]


def _image_field(request: Request, form: FormDef) -> FieldDef | None:
    """The image field named by ?by=, or the form's first one; None when the form has none (or ?by= names another)."""
    fields = gallery_fields(form)
    wanted = request.query_params.get("by", "")
    return next((f for f in fields if f.id == wanted), None if wanted else (fields[0] if fields else None))


def gallery(request: Request) -> Response:
    """GET ?by=<image field> with the list's f, q, sort, page and size."""
    form = _form_or_404(request)
    by = _image_field(request, form) if form is not None else None
    if form is None or by is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    lang = choose_language(request)
    state = request_state(request, form, extra=("by",))
    if state.problems:
        detail = problem_text(state.problems[0], translator(lang), lang)
        return page(request, "error.html", {"message": "bad_query", "detail": detail}, status=400)
    try:
        state, result = read_page(request, form, state)
    except QueryInvalid as exc:
        return page(request, "error.html", {"message": "bad_query", "detail": exc.error.message(lang)}, status=400)
    ws = request.app.state.ws
    base = base_url(form)
    fmt = Formatter(ws, form, result.records, lang, user_tz(request))
    list_url = state.url(base, extra={})
    return page(request, "gallery.html", {
        **menu_context(ws, form, state, lang, f"gallery:{by.id}", list_url),
        "form": form, "by": by, "base": base, "tiles": _tiles(fmt, form, by, result.records), "page": result,
        "pager": build_pager(state, f"{base}/gallery", result.total or 0, result.next_cursor,
                             result.total_exact),
        "chips": chips(request, form, state, lang), "filtered": state.filtered,
        "unfiltered": f"{base}/gallery?by={by.id}"})


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
