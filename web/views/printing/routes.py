"""The print routes: a record's print page and PDF, and one PDF of the records ticked in a list.

GET  /apps/{app}/{form}/{id}/print[?template=…]       the sheet in the browser, with a Print button (print.js)
GET  /apps/{app}/{form}/{id}/print.pdf[?template=…]   the PDF of the record
POST /apps/{app}/{form}/print.pdf   (_ids, template)  one PDF, a page (or more) per ticked record, at most MAX_PRINT

A record the reader may not read is not found (404), as on its page, and a form they may not read at all is
forbidden (403); an unknown template is 404 too; a template that fails says why (422), never a server error."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.audit import record_audit
from engine.bidi import without_controls
from engine.definitions.model import FormDef, PrintTemplateDef
from engine.errors import NotFound, PermissionDenied
from engine.i18n import text
from engine.printing.templates import DEFAULT
from web.endpoints import form_view
from web.i18n import choose_language, translator
from web.render import environment, page
from web.session import actor_of, current_user
from web.views.batch import picked
from web.views.export import attachment
from web.views.listing import base_url
from web.views.notices import WARNING, list_notice
from web.views.printing.document import PrintFailed, Reader, pdf_of, record_sheets, template_choices
from web.zones import user_tz

MAX_PRINT = 50  # records in one PDF: each is read, formatted and laid out in the request
PDF_TYPE = "application/pdf"
# The print page shows an admin's template, whose own <style> must apply; scripts stay the site's own only.
PRINT_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
             "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def _form(request: Request) -> FormDef | None:
    form: FormDef | None = request.app.state.ws.definitions.forms.get(request.path_params["form"])
    return form if form is not None and form.app == request.path_params["app"] else None


def _reader(request: Request) -> Reader:
    lang = choose_language(request)
    return Reader(request.app.state.ws, actor_of(current_user(request) or {}, lang), lang, user_tz(request))


def _template(form: FormDef, chosen: str) -> PrintTemplateDef | None | str:
    """The chosen print template (None: the default layout), or the unknown name."""
    if chosen in ("", DEFAULT):
        return None
    return form.print_template(chosen) or chosen


def _refusal(request: Request, message: str, detail: str = "", status: int = 404) -> Response:
    return page(request, "error.html", {"message": message, "detail": detail}, status=status)


def _sheets(request: Request, form: FormDef, ids: Sequence[int], chosen: str) -> list[Markup] | Response:
    """The sheets of the records, or the page saying why not (not found, unknown or failing template)."""
    t = translator(choose_language(request))
    template = _template(form, chosen)
    if isinstance(template, str):
        return _refusal(request, "not_found", t("print_no_template").format(name=template[:60]))
    try:
        return list(record_sheets(_reader(request), form, ids, template))
    except NotFound:
        return _refusal(request, "not_found")
    except PermissionDenied:  # no right to read the form at all: refused, as its list and record pages are
        return _refusal(request, "forbidden", status=403)
    except PrintFailed as exc:
        name = text(exc.template.label, choose_language(request))
        return _refusal(request, "print_template", t("print_failed").format(name=name, reason=exc.reason), 422)


def _record_id(request: Request) -> int | None:
    value = str(request.path_params["id"])
    return int(value) if value.isdigit() and len(value) < 19 else None


def print_page(request: Request) -> Response:
    """The record's print sheet in the browser, with the template choice and a Print button."""
    form, record_id = _form(request), _record_id(request)
    if form is None or record_id is None:
        return _refusal(request, "not_found")
    chosen = request.query_params.get("template", "")
    sheets = _sheets(request, form, [record_id], chosen)
    if isinstance(sheets, Response):
        return sheets
    lang = choose_language(request)
    base = f"/apps/{form.app}/{form.id}/{record_id}"
    html = environment.get_template("print/page.html").render(
        lang=lang, t=translator(lang), title=f"{text(form.label, lang)} #{record_id}", sheets=sheets, back=base,
        base=base, chosen=chosen or DEFAULT, templates=template_choices(form, lang) if form.print_templates else [],
        pdf=f"{base}/print.pdf" + (f"?template={chosen}" if chosen and chosen != DEFAULT else ""))
    return Response(html, media_type="text/html", headers={"content-security-policy": PRINT_CSP,
                                                            "cache-control": "no-store"})


def record_pdf(request: Request) -> Response:
    """The record's PDF in the chosen layout."""
    form, record_id = _form(request), _record_id(request)
    if form is None or record_id is None:
        return _refusal(request, "not_found")
    sheets = _sheets(request, form, [record_id], request.query_params.get("template", ""))
    if isinstance(sheets, Response):
        return sheets
    return _pdf(request, form, sheets, f"{form.id}-{record_id}", request.query_params.get("template", ""))


@form_view
def selected_pdf(request: Request, data: FormData) -> Response:
    """POST from a list: one PDF of the ticked records (in the list's order), or the list with why not."""
    form = _form(request)
    if form is None:
        return _refusal(request, "not_found")
    t = translator(choose_language(request))
    ids = [record_id for record_id, _ in picked(data.getlist("_ids"))]
    problem = t("print_none_picked") if not ids else \
        t("print_too_many").format(n=MAX_PRINT) if len(ids) > MAX_PRINT else None
    if problem is not None:
        list_notice(request, problem, WARNING)
        back = str(data.get("_back", "")).lstrip("?").replace("\r", "").replace("\n", "")
        return RedirectResponse(base_url(form) + (f"?{back}" if back else ""), status_code=303)
    sheets = _sheets(request, form, ids, str(data.get("template", "")))
    if isinstance(sheets, Response):
        return sheets
    return _pdf(request, form, sheets, f"{form.id}-{len(ids)}", str(data.get("template", "")))


def _pdf(request: Request, form: FormDef, sheets: list[Markup], fallback: str, template: str) -> Response:
    """The PDF download; records leaving as a file are audited, as list exports are."""
    lang = choose_language(request)
    title = without_controls(text(form.label, lang))
    pdf = pdf_of(sheets, lang, title)
    ws = request.app.state.ws
    with ws.writing() as conn:
        record_audit(conn, ws.now(), "export", actor_id=_reader(request).actor.user_id, target=form.id,
                     address=request.client.host if request.client else None,
                     detail={"format": "pdf", "rows": len(sheets), "template": template[:40] or DEFAULT})
    disposition = attachment(f"{title}-{fallback.rsplit('-', 1)[-1]}.pdf", f"{fallback}.pdf")
    headers = {"content-disposition": disposition.replace("attachment", "inline", 1), "cache-control": "no-store"}
    return Response(pdf, media_type=PDF_TYPE, headers=headers)


ROUTES: list[BaseRoute] = [
    Route("/apps/{app}/{form}/print.pdf", selected_pdf, methods=["POST"]),
    Route("/apps/{app}/{form}/{id}/print", print_page),
    Route("/apps/{app}/{form}/{id}/print.pdf", record_pdf),
]
