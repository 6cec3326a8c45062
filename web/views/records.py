"""Home, record lists and record pages."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.model import FormDef
from engine.errors import NotFound, RecordInvalid
from engine.records.model import Actor, Record
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user


def _form_or_404(request: Request):  # type: ignore[no-untyped-def]
    """The form named in the path as the signed-in user sees it: without the fields their roles hide, so no
    column, filter, input or label of a hidden field reaches the page. None when there is no such form."""
    ws = request.app.state.ws
    form = ws.definitions.forms.get(request.path_params["form"])
    if form is None or form.app != request.path_params["app"]:
        return None
    user = current_user(request)
    if user is None:
        return form
    hidden = ws.records.guard(actor_of(user, choose_language(request)), form.id).access.hidden
    return visible_form(form, hidden) if hidden else form


def record_or_404(request: Request) -> tuple[FormDef, Actor, Record] | Response:
    """The form and the record named in the path as the signed-in user may read them, or the 404 page."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    actor = actor_of(current_user(request) or {}, choose_language(request))
    try:
        record = request.app.state.ws.records.get(actor, form.id, int(request.path_params["id"]))
    except (NotFound, ValueError):
        return page(request, "error.html", {"message": "not_found"}, status=404)
    return form, actor, record


_VISIBLE: dict[tuple[int, frozenset[str]], tuple[FormDef, FormDef]] = {}


def visible_form(form: FormDef, hidden: frozenset[str]) -> FormDef:
    """The form without the `hidden` fields (memoised per definition object and hidden set; the entry keeps the
    original alive, so its id cannot be reused by a later definition while cached)."""
    key = (id(form), hidden)
    entry = _VISIBLE.get(key)
    if entry is None or entry[0] is not form:
        entry = (form, replace(form, fields=tuple(f for f in form.fields if f.id not in hidden)))
        if len(_VISIBLE) > 512:
            _VISIBLE.clear()
        _VISIBLE[key] = entry
    return entry[1]


def delete_record(request: Request) -> Response:
    """POST moves a record to the recycle bin."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    actor = actor_of(current_user(request) or {}, choose_language(request))
    try:
        ws.records.delete(actor, form.id, int(request.path_params["id"]), via="web")
    except (NotFound, ValueError):
        return page(request, "error.html", {"message": "not_found"}, status=404)
    return RedirectResponse(f"/apps/{form.app}/{form.id}", status_code=303)


def restore_record(request: Request) -> Response:
    """POST brings a record back from the recycle bin."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    try:
        record = ws.records.restore(actor, form.id, int(request.path_params["id"]), via="web")
    except (NotFound, ValueError):
        return page(request, "error.html", {"message": "not_found"}, status=404)
    except RecordInvalid as exc:
        detail = "; ".join(e.message(lang) for errs in exc.errors.values() for e in errs)
        return page(request, "error.html", {"message": "restore_failed", "detail": detail}, status=409)
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}", status_code=303)
