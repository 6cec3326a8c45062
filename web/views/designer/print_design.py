"""The print templates of a form in the designer: list them, edit one (id, name in zh/en, HTML) with a preview on
a chosen record in a new tab, save it to the designer's draft (set_print_template) or delete it; publishing the
draft (the designer's Publish) makes it the form's new version, as every designer change.

GET  /design/forms/{form}/print[?template=ID]     the editor (a new template without ?template)
POST /design/forms/{form}/print                   save (or `_remove=ID`: delete) in the draft
POST /design/forms/{form}/print/preview           the posted template on the chosen record, not saved"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine.definitions.edit_error import EditError
from engine.definitions.model import PrintTemplateDef
from engine.errors import NotFound, PermissionDenied
from engine.i18n import text
from engine.records.model import Query
from engine.templating import check_template
from web.endpoints import form_view
from web.i18n import translator
from web.render import environment, page
from web.session import actor_of, current_user
from web.views.designer.draft_access import Designing, designing, edit_error_text
from web.views.designer.prop_editors import i18n_parts, i18n_value
from web.views.printing.document import PrintFailed, Reader, record_sheets
from web.views.printing.routes import PRINT_CSP
from web.zones import user_tz

PREVIEW_RECORDS = 20  # the latest records offered to preview with


def _templates(d: Designing) -> list[Mapping[str, Any]]:
    return [t for t in d.doc.get("print_templates") or [] if isinstance(t, Mapping)]


def _records(request: Request, d: Designing) -> list[tuple[int, str]]:
    """(id, title) of the latest records the designer may read (the form as published)."""
    actor = actor_of(current_user(request) or {}, d.lang)
    try:
        found = d.ws.records.list(actor, d.form_id, Query(limit=PREVIEW_RECORDS)).records
    except (PermissionDenied, NotFound):
        return []
    titles = d.ws.records.titles(d.form_id, [r.id for r in found], actor)
    return [(r.id, titles.get(r.id) or f"#{r.id}") for r in found]


def _editor(request: Request, d: Designing, chosen: Mapping[str, Any] | None, *, status: int = 200,
            message: str = "", notice: str = "") -> Response:
    label_zh, label_en = i18n_parts(chosen.get("label") if chosen else None)
    t = translator(d.lang)
    form = d.ws.definitions.forms[d.form_id]
    return page(request, "design/print_templates.html", {
        "pt": t, "form_label": text(d.doc.get("label") or form.label, d.lang), "form_id": d.form_id,
        "templates": [(str(x.get("id")), text(x.get("label") or str(x.get("id")), d.lang)) for x in _templates(d)],
        "chosen": chosen or {}, "known": chosen is not None and any(x.get("id") == chosen.get("id")
                                                                    for x in _templates(d)),
        "label_zh": label_zh, "label_en": label_en, "records": _records(request, d),
        "message": message, "notice": notice, "base": f"/design/forms/{d.form_id}/print",
    }, status=status)


def editor_page(request: Request) -> Response:
    """GET the editor: the chosen template of the draft, or an empty one."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    wanted = request.query_params.get("template")
    chosen = next((t for t in _templates(d) if t.get("id") == wanted), None) if wanted else None
    t = translator(d.lang)
    notice = {"saved": t("pt_saved"), "removed": t("pt_removed")}.get(request.query_params.get("done", ""), "")
    return _editor(request, d, chosen, notice=notice)


def _posted(data: FormData) -> dict[str, Any]:
    return {"id": str(data.get("id") or "").strip(), "label": i18n_value(data, "label", None) or {},
            "html": str(data.get("html") or "")}


@form_view
def save(request: Request, data: FormData) -> Response:
    """POST: put the template into the draft (or remove `_remove`); a refusal keeps what was typed."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    removing = str(data.get("_remove") or "")
    posted = _posted(data)
    try:
        if removing:
            d.edit({"op": "remove_print_template", "id": removing})
        else:
            problem = check_template(posted["html"]) if posted["html"].strip() else None
            if problem is not None:
                return _editor(request, d, posted, status=400, message=text(problem, d.lang))
            d.edit({"op": "set_print_template", **posted})
    except EditError as exc:
        return _editor(request, d, posted, status=400, message=edit_error_text(exc, d.lang))
    base = f"/design/forms/{d.form_id}/print"
    where = f"{base}?done=removed" if removing else f"{base}?template={posted['id']}&done=saved"
    return RedirectResponse(where, status_code=303)


@form_view
def preview(request: Request, data: FormData) -> Response:
    """POST: the typed template on the chosen record, as its print page would show it (nothing is saved)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    t = translator(d.lang)
    posted = _posted(data)
    name = text(posted["label"], d.lang) if posted["label"] else posted["id"]
    template = PrintTemplateDef(posted["id"] or "preview", posted["label"] or name, posted["html"])
    record = str(data.get("record") or "")
    problem = check_template(template.html)
    sheets: list[Any] = []
    if problem is not None:
        message = t("pt_preview_failed").format(reason=text(problem, d.lang))
    elif not record.isdigit() or len(record) > 18:
        message = t("pt_record_gone")
    else:
        message = ""
        reader = Reader(d.ws, actor_of(current_user(request) or {}, d.lang), d.lang, user_tz(request))
        try:
            sheets = record_sheets(reader, d.ws.definitions.forms[d.form_id], [int(record)], template)
        except (NotFound, PermissionDenied):
            message = t("pt_record_gone")
        except PrintFailed as exc:
            message = t("pt_preview_failed").format(reason=exc.reason)
    html = environment.get_template("print/page.html").render(
        lang=d.lang, t=t, title=t("pt_preview_of").format(name=name), sheets=sheets, templates=[], pdf="",
        back=f"/design/forms/{d.form_id}/print", back_text=t("pt_back"), heading=t("pt_preview_of").format(name=name),
        problem=message)
    return Response(html, status_code=422 if message else 200, media_type="text/html",
                    headers={"content-security-policy": PRINT_CSP, "cache-control": "no-store"})


ROUTES: list[Route] = [
    Route("/design/forms/{form}/print", save, methods=["POST"]),
    Route("/design/forms/{form}/print", editor_page),
    Route("/design/forms/{form}/print/preview", preview, methods=["POST"]),
]
