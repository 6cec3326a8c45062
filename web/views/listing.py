"""The record list page (typed filters, quick search, sort, numbered pages, saved views, batch actions) and the bin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.kanban import grouping_fields
from engine.definitions.model import FieldDef, FormDef
from engine.errors import QueryInvalid
from engine.fields.registry import field_type
from engine.fields.types.ids import ME
from engine.fields.types.options import OptionsMixin
from engine.i18n import text
from engine.records.model import Page, Query
from engine.records.saved_views import views_of
from engine.fields.screen import USER, Reference
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.colwidths import MAX_WIDTH, MIN_WIDTH, table_widths, widths_param
from web.views.display import Formatter, list_columns
from web.zones import user_tz
from web.views.filters import (DAY_COUNT_OPS, LIST_VALUE_OPS, RANGE_SEP, Condition, filterable, kind_type, operators,
                               value_kind)
from web.views.forms import editable
from web.views.listoptions import option_colours, option_pairs, picked_labels, picker_options
from web.views.liststate import ListState, column_choices, problem_text, read_state, sortable
from web.views.pagination import DEFAULT_SIZE, PAGE_SIZES, build_pager, last_numbered, page_count
from web.views.records import _form_or_404
from web.views.viewmenu import menu_context

PAGE_SIZE = 25  # the recycle bin's page


def base_url(form: FormDef) -> str:
    """The list URL of a form."""
    return f"/apps/{form.app}/{form.id}"


def wants_partial(request: Request) -> bool:
    """An htmx request (not a history restore) gets the list fragment alone."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def request_state(request: Request, form: FormDef, extra: tuple[str, ...] = ()) -> ListState:
    """The list state the request's query string asks for."""
    ws = request.app.state.ws
    lang = choose_language(request)
    ctx = ws.records.filter_context(actor_of(current_user(request) or {}, lang))
    return read_state(request.query_params, form, ws.records.runtime(form.id).main, ctx, lang, extra, ws.definitions)


def record_list(request: Request) -> Response:
    """A page of a form's records under the conditions, search and sort of the URL."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    state = request_state(request, form)
    base = base_url(form)
    partial = wants_partial(request)
    if state.composed and not partial:
        return RedirectResponse(state.url(base), status_code=303)
    context = listing_context(request, form, state)
    failed = bool(context["problems"] or context["query_error"])
    response = page(request, "_listing.html" if partial else "list.html", context,
                    status=400 if failed and not partial else 200)
    response.headers["Vary"] = "HX-Request"  # one URL, two bodies: caches must keep them apart
    if partial:
        response.headers["HX-Push-Url"] = context["here"]
    return response


def listing_context(request: Request, form: FormDef, state: ListState) -> dict[str, Any]:
    """Everything _listing.html shows: rows, chips, refused conditions, saved views, batch and kanban fields."""
    ws: Workspace = request.app.state.ws
    lang = choose_language(request)
    t = translator(lang)
    user = current_user(request) or {}
    base = base_url(form)
    problems = [problem_text(p, t, lang) for p in state.problems]
    problems += [t(key).format(max=last_numbered(state.size), sizes=", ".join(map(str, PAGE_SIZES)),
                               least=MIN_WIDTH, most=MAX_WIDTH)
                 for key in state.paging_problems]
    result, query_error = None, None
    if not problems:
        try:
            state, result = read_page(request, form, state)
        except QueryInvalid as exc:
            query_error = exc.error.message(lang)
    columns = [f for f in (form.field(c) for c in state.columns) if f is not None] or list_columns(form)
    records = result.records if result else []
    fmt = Formatter(ws, form, records, lang, user_tz(request))
    with ws.reading() as conn:
        views = views_of(conn, int(user.get("id") or 0), form.id)
    here = state.url(base, after=state.after, page=state.page)
    return {
        "form": form, "base": base, "state": state, "columns": columns, "page": result, "query_error": query_error,
        "rows": [(r, [fmt.cell_html(r, f) for f in columns]) for r in records],
        "problems": problems, "chips": chips(request, form, state, lang),
        "problem_tokens": [p.token for p in state.problems],
        "views": views, "view_urls": {v.id: view_url(base, v.id, v.query) for v in views},
        "filter_fields": filterable(form), "column_choices": column_choices(form),
        "shown_ids": [f.id for f in columns], "sortable": {f.id for f in columns if sortable(f)},
        "batch_fields": batch_fields(form), "widths": table_widths(state.widths, [f.id for f in columns])
        if state.widths else None, "widths_param": widths_param(state.widths),
        **menu_context(ws, form, state, lang, "table", here),
        "here": here, "here_query": here.partition("?")[2],
        "default_size": DEFAULT_SIZE,
        "pager": build_pager(state, base, result.total or 0, result.next_cursor, result.total_exact)
        if result else None,
        "exact_count_url": state.url(base, exact_count=True, after=state.after, page=state.page),
        "notice": request.session.pop("list_notice", None),
    }


def read_page(request: Request, form: FormDef, state: ListState) -> tuple[ListState, Page]:
    """The state and records of the page asked for; a page number past the end (records went away since the link
    was made) shows the last page instead."""
    ws: Workspace = request.app.state.ws
    actor = actor_of(current_user(request) or {}, choose_language(request))
    result = ws.records.list(actor, form.id, state.page_query(user_tz(request)))
    last = page_count(result.total or 0, state.size) if result.total_exact else state.page
    if not result.records and state.page > last and not state.after:
        state = replace(state, page=last)
        result = ws.records.list(actor, form.id, state.page_query(user_tz(request)))
    return state, result


def view_url(base: str, view_id: int, query: Mapping[str, Any]) -> str:
    """The list URL a saved view restores (its own parameters, so the link can be shared)."""
    params = [("f", str(token)) for token in query.get("f") or []]
    params += [(k, str(query[k])) for k in ("q", "sort", "dir", "cols", "size", "w") if query.get(k)]
    params.append(("view", str(view_id)))
    return f"{base}?{urlencode(params, safe=':,$')}"


def kanban_fields(form: FormDef) -> list[FieldDef]:
    """Single-choice fields a person sets: each can group a kanban board (the form's declared one first)."""
    return grouping_fields(form)


def batch_fields(form: FormDef) -> list[FieldDef]:
    """Fields a batch edit can set on many records at once."""
    return [f for f in editable(form) if not field_type(f.type).holds_rows]


def chips(request: Request, form: FormDef, state: ListState, lang: str) -> list[tuple[str, str]]:
    """(token, readable text) of each active condition, e.g. ('grade:in:A,B', 'Grade is any of A, B')."""
    t = translator(lang)
    picked = {c.field.id: [v for v in c.value.split(",") if v.strip().isdigit()] for c in state.conditions
              if value_kind(c.field, c.op) == "choices"}
    actor = actor_of(current_user(request) or {}, lang)
    labels = picked_labels(request.app.state.ws, lang, form, picked, actor) if picked else {}
    found = []
    for c in state.conditions:
        words = [text(c.field.label, lang), t(f"op_{c.op}")]
        if c.op in DAY_COUNT_OPS:
            words[1] = t(f"op_{c.op}_n").format(n=c.value)
        elif c.value:
            words.append(value_text(c, labels, t, lang))
        found.append((c.token, " ".join(words)))
    return found


def value_text(c: Condition, labels: dict[str, str], t: Any, lang: str) -> str:
    """A condition's value as the user reads it: option labels, people's names, 'me', 'a – b'."""
    if c.op == "between":
        return " – ".join(v.strip() for v in c.value.split(RANGE_SEP, 1))
    items = [v.strip() for v in c.value.split(",")] if c.op in LIST_VALUE_OPS else [c.value]
    ft = kind_type(c.field)
    shown = []
    for item in items:
        if item == ME:
            shown.append(t("me"))
        elif f"{c.field.id}:{item}" in labels:
            shown.append(labels[f"{c.field.id}:{item}"])
        elif isinstance(ft, OptionsMixin):
            shown.append(ft.option_label(c.field, item, lang))
        else:
            shown.append(item)
    return ", ".join(shown)


def filter_input(request: Request) -> Response:
    """The operator select and the value input that fit a field (and operator) in the filter builder."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    ws = request.app.state.ws
    ws.records.guard(actor, form.id).require("read")  # a form the user cannot read has no filters: 403
    f = form.field(request.query_params.get("nf", ""))
    if f is None or f not in filterable(form):
        return page(request, "_filter_input.html", {"field": None})
    ops = operators(f)
    op = request.query_params.get("no", "")
    op = op if op in ops else ops[0]
    kind = value_kind(f, op)
    options = picker_options(ws, actor, lang, f) if kind == "choices" else option_pairs(f, lang)
    colours = option_colours(f, [value for value, _ in options]) if kind == "options" else {}
    return page(request, "_filter_input.html", {"field": f, "ops": ops, "op": op, "kind": kind, "options": options,
                                                "colours": colours,
                                                "base": base_url(form), "many": op in LIST_VALUE_OPS,
                                                "people": field_type(f.type).refers_to(f) == Reference(USER)})


def recycle_bin(request: Request) -> Response:
    """Deleted records of a form, newest first, with restore buttons."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    try:
        result = ws.records.list(actor, form.id, Query(deleted=True, sort=(("deleted_at", True),), limit=PAGE_SIZE,
                                                       after=request.query_params.get("after") or None,
                                                       with_children=False))
    except QueryInvalid as exc:
        return page(request, "error.html", {"message": "bad_query", "detail": exc.error.message(lang)}, status=400)
    columns = list_columns(form, limit=4)
    fmt = Formatter(ws, form, result.records, lang, user_tz(request))
    rows = [(r, [fmt.cell(r, f) for f in columns]) for r in result.records]
    return page(request, "bin.html", {"form": form, "columns": columns, "rows": rows, "page": result})
