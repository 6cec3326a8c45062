"""The form's own settings in the designer: name and description (zh/en), title field, quick-search fields and
the serial fields' numbering patterns — one set_form operation per change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.definitions.edit_error import EditError
from engine.fields.registry import field_type, type_names
from engine.i18n import text
from web.endpoints import form_view
from web.render import page
from web.views.designer.columns import MAX_PATTERN, example, numbered, numbering_of, with_pattern
from web.views.designer.draft_access import DRAFT_CHANGED, Designing, designing, edit_error_text, problems
from web.views.designer.prop_editors import changed, i18n_parts, i18n_value


def _fields(d: Designing) -> list[Mapping[str, Any]]:
    return [f for f in d.doc.get("fields") or [] if isinstance(f, Mapping) and str(f.get("type")) in type_names()]


def title_choices(d: Designing) -> list[tuple[str, str]]:
    """Fields that can title a record: single values people or the engine give (not lists, rows or layout)."""
    return [(str(f["id"]), text(f.get("label") or str(f["id"]), d.lang)) for f in _fields(d)
            if (t := field_type(str(f["type"]))).stored and not t.many and not t.layout_only]


def search_choices(d: Designing) -> list[tuple[str, str]]:
    return [(str(f["id"]), text(f.get("label") or str(f["id"]), d.lang)) for f in _fields(d)
            if field_type(str(f["type"])).stored and not field_type(str(f["type"])).layout_only]


def serial_fields(d: Designing) -> list[tuple[str, str]]:
    return [(str(f["id"]), text(f.get("label") or str(f["id"]), d.lang)) for f in _fields(d)
            if numbered(field_type(str(f["type"])), str(f["id"]))]


def settings_panel(request: Request, d: Designing, *, status: int = 200, message: str = "",
                   headers: Mapping[str, str] | None = None) -> Response:
    placed = problems(d)
    doc = d.doc
    label_zh, label_en = i18n_parts(doc.get("label"))
    desc_zh, desc_en = i18n_parts(doc.get("description"))
    patterns = [(fid, name, numbering_of(doc, fid)) for fid, name in serial_fields(d)]
    response = page(request, "design/_settings.html", {
        "tp": d.t, "d": d, "label_zh": label_zh, "label_en": label_en, "desc_zh": desc_zh, "desc_en": desc_en,
        "title": str(doc.get("title") or ""), "titles": title_choices(d),
        "search": [str(s) for s in doc.get("search") or []], "searchable": search_choices(d),
        "patterns": patterns, "example": lambda p: example(doc, p, d.ws.now()) if p else "",
        "problems": placed.other, "message": message, "saved": bool(headers),
        "url": f"/design/forms/{d.form_id}/settings",
    }, status=status)
    if headers:
        response.headers.update(headers)
    return response


def read_settings(d: Designing, data: FormData) -> dict[str, Any]:
    """The settings' new values (None removes a key)."""
    doc = d.doc
    titles = {fid for fid, _ in title_choices(d)}
    searchable = {fid for fid, _ in search_choices(d)}
    title = str(data.get("title") or "")
    numbering: Any = doc.get("numbering")
    working = dict(doc)
    for fid, _ in serial_fields(d):
        pattern = str(data.get(f"numbering.{fid}") or "").strip()[:MAX_PATTERN]
        numbering = with_pattern(working, fid, pattern)
        working["numbering"] = numbering
    return {
        "label": i18n_value(data, "label", doc.get("label")),
        "description": i18n_value(data, "description", doc.get("description")),
        "title": title if title in titles else None,
        "search": [s for s in (str(x) for x in data.getlist("search")) if s in searchable] or None,
        "numbering": numbering,
    }


@form_view
def settings_view(request: Request, data: FormData) -> Response:
    """GET the form's settings; POST them (one set_form operation)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    if request.method == "GET":
        return settings_panel(request, d)
    to_set, to_unset = changed(d.doc, read_settings(d, data))
    if "label" in to_unset:
        return settings_panel(request, d, status=400, message=d.t("dp_form_label"))
    if not to_set and not to_unset:
        return settings_panel(request, d)
    try:
        d.edit({"op": "set_form", "set": to_set, "unset": to_unset})
    except EditError as exc:
        return settings_panel(request, d, status=400, message=edit_error_text(exc, d.lang))
    return settings_panel(request, d, headers=DRAFT_CHANGED)


ROUTES: list[Route] = [
    Route("/design/forms/{form}/settings", settings_view, methods=["GET", "POST"]),
]
