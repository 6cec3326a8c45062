"""Home, record lists and record pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.errors import NotFound, QueryInvalid, RecordInvalid
from engine.records.model import Query
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.views.display import Formatter, list_columns

PAGE_SIZE = 25


async def home(request: Request) -> Response:
    """The apps the user can open."""
    return page(request, "home.html", {})


def _form_or_404(request: Request):  # type: ignore[no-untyped-def]
    defs = request.app.state.ws.definitions
    form = defs.forms.get(request.path_params["form"])
    if form is None or form.app != request.path_params["app"]:
        return None
    return form


async def record_list(request: Request) -> Response:
    """A page of a form's records: quick search, sort by column, keyset pagination and a total."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    params = request.query_params
    sort_field = params.get("sort", "")
    descending = params.get("dir", "desc") == "desc"
    query = Query(search=params.get("q") or None, sort=((sort_field, descending),) if sort_field else (),
                  limit=PAGE_SIZE, after=params.get("after") or None, with_total=True, with_children=False)
    try:
        result = ws.records.list(actor, form.id, query)
    except QueryInvalid as exc:
        return page(request, "error.html", {"message": "bad_query", "detail": exc.error.message(lang)}, status=400)
    columns = list_columns(form)
    fmt = Formatter(ws, form, result.records, lang)
    rows = [(r, [fmt.value(f, r.values.get(f.id)) for f in columns]) for r in result.records]
    return page(request, "list.html", {"form": form, "columns": columns, "rows": rows, "page": result,
                                        "q": params.get("q", ""), "sort": sort_field, "descending": descending})


async def record_page(request: Request) -> Response:
    """One record: its fields as laid out in the form, and its history, newest first."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    try:
        record = ws.records.get(actor, form.id, int(request.path_params["id"]))
    except (NotFound, ValueError):
        return page(request, "error.html", {"message": "not_found"}, status=404)
    fmt = Formatter(ws, form, [record], lang)
    history = ws.records.history(actor, form.id, record.id)
    fmt.users.update({h["actor_id"]: fmt.user(h["actor_id"]) for h in history if h["actor_id"]})
    return page(request, "record.html", {"form": form, "record": record, "fmt": fmt, "history": history,
                                          "layout": _layout(form)})


def _layout(form):  # type: ignore[no-untyped-def]
    """Sections of rows of fields: [(title or None, [[field, …], …])]; unplaced fields come last."""
    from engine.definitions.model import LayoutSection

    def fields(names):  # type: ignore[no-untyped-def]
        return [form.field(n) for n in names if form.field(n) is not None]

    sections: list = []  # type: ignore[type-arg]
    placed: set[str] = set()
    for item in form.layout:
        if isinstance(item, LayoutSection):
            sections.append((item.label, [fields(r) for r in item.rows]))
            placed.update(n for r in item.rows for n in r)
            continue
        if not sections or sections[-1][0] is not None:
            sections.append((None, []))
        sections[-1][1].append(fields(item))
        placed.update(item)
    rest = [[f] for f in form.fields if f.id not in placed and f.type != "divider"]
    if rest:
        sections.append((None, rest))
    return sections


async def delete_record(request: Request) -> Response:
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


async def recycle_bin(request: Request) -> Response:
    """Deleted records of a form, newest first, with restore buttons."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    result = ws.records.list(actor, form.id, Query(deleted=True, sort=(("deleted_at", True),), limit=PAGE_SIZE,
                                                   after=request.query_params.get("after") or None,
                                                   with_children=False))
    columns = list_columns(form, limit=4)
    fmt = Formatter(ws, form, result.records, lang)
    rows = [(r, [fmt.value(f, r.values.get(f.id)) for f in columns]) for r in result.records]
    return page(request, "bin.html", {"form": form, "columns": columns, "rows": rows, "page": result})


async def restore_record(request: Request) -> Response:
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
