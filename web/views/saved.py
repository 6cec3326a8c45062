"""Saving a list's conditions, search and sort as a named view of one's own, and deleting it."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.records.saved_views import delete_view, save_view
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.colwidths import MAX_WIDTH, MIN_WIDTH, WIDTH_PROBLEM, widths_param
from web.views.listing import base_url, view_url
from web.views.liststate import state_from_query_string
from web.views.notices import WARNING, list_notice
from web.views.pagination import DEFAULT_SIZE
from web.views.records import _form_or_404


@form_view
def save(request: Request, data: FormData) -> Response:
    """POST name + the list's query string: store the view and open it."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = workspace(request)
    lang = choose_language(request)
    user = current_user(request) or {}
    name = str(data.get("name", "")).strip()
    ctx = ws.records.filter_context(actor_of(user, lang))
    state = state_from_query_string(str(data.get("query", "")), form, ws.records.runtime(form.id).main, ctx, lang,
                                    ws.definitions)
    if WIDTH_PROBLEM in state.paging_problems:
        detail = translator(lang)(WIDTH_PROBLEM).format(least=MIN_WIDTH, most=MAX_WIDTH)
        return page(request, "error.html", {"message": "bad_query", "detail": detail}, status=400)
    if not name:
        list_notice(request, translator(lang)("view_needs_name"), WARNING)
        return RedirectResponse(state.url(base_url(form)), status_code=303)
    query = {"f": [c.token for c in state.conditions], "q": state.q, "sort": state.sort,
             "dir": ("desc" if state.descending else "asc") if state.sort else "", "cols": ",".join(state.columns),
             "size": str(state.size) if state.size != DEFAULT_SIZE else "", "w": widths_param(state.widths)}
    with ws.writing() as conn:
        view = save_view(conn, int(user["id"]), form.id, name, query, ws.now())
    return RedirectResponse(view_url(base_url(form), view.id, dict(view.query)), status_code=303)


def delete(request: Request) -> Response:
    """POST: delete one of the user's own views (someone else's is 'not found')."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = workspace(request)
    user = current_user(request) or {}
    with ws.writing() as conn:
        deleted = delete_view(conn, int(user["id"]), request.path_params["view_id"])
    if not deleted:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    return RedirectResponse(base_url(form), status_code=303)
