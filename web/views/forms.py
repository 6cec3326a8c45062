"""Generated forms: create and edit a record, with errors shown at the field and edit conflicts explained."""

from __future__ import annotations

import secrets
from datetime import tzinfo
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.permissions.access import FormAccess
from engine.errors import Conflict, RecordInvalid
from engine.fields.registry import field_type
from engine.fields.screen import BareFiles, PostedFiles, PostedForm
from engine.records.model import Actor, Record
from engine.workspace import Workspace
from web.form_limits import read_form
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.pickers import chosen_labels
from web.views.posted_fields import refused_fields
from web.views.display import Formatter
from web.views.linked_fill import with_linked
from web.views.live import check_regions, page_context
from web.views.notices import SUCCESS, list_notice
from web.views.form_layout import form_layout
from web.views.records import _form_or_404, record_or_404
from web.views.related import prefilled
from web.views.retired_options import kept_options
from web.views.uploads import MediaInput
from web.zones import user_tz

SEEN_TOKENS = 20


def editable(form: FormDef, access: FormAccess | None = None) -> list[FieldDef]:
    """Fields a person fills in on the generated form (without those their roles hide or make read-only)."""
    return [f for f in form.fields if fillable(f) and (access is None or access.writable(f.id))]


def fillable(f: FieldDef) -> bool:
    """Whether people give the field's value (not computed, not layout only)."""
    ftype = field_type(f.type)
    return not ftype.computed and not f.formula and not ftype.layout_only


def access_of(request: Request, form: FormDef) -> FormAccess:
    """What the signed-in user may do on the form."""
    actor = actor_of(current_user(request) or {}, choose_language(request))
    access: FormAccess = _ws(request).records.guard(actor, form.id).access
    return access


def _choices(request: Request, form: FormDef, values: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    """Labels of the users, departments and records the pickers show as chosen, and of stored option values
    that are no longer options."""
    lang = choose_language(request)
    posted = request.method == "POST"  # ids the user sent: only titles they may read; else the stored values
    return {**kept_options(_ws(request), form, values, lang),
            **chosen_labels(_ws(request), lang, form, values,
                            actor_of(current_user(request) or {}, lang) if posted else None)}


def raw_values(form: FormDef, data: FormData, tz: tzinfo, media: PostedFiles | None = None,
               access: FormAccess | None = None) -> dict[str, Any]:
    """The posted values of the fields the user may write, each read by its field type, shaped for the record
    service's `form` format (`media` stores uploads and drawn signatures; without it they stay bare references)."""
    posted = PostedForm(data, tz, media or BareFiles())
    return {f.id: field_type(f.type).read_posted(f, posted, f.id) for f in editable(form, access)}


def shown_itself(form: FormDef) -> set[str]:
    """Fields drawn on the form although nobody fills them in: description text, system values."""
    return {f.id for f in form.fields if field_type(f.type).shows_itself}


def _render(request: Request, form: FormDef, values: dict[str, Any], errors: dict[str, Any],
            record: Record | None = None, conflict: Record | None = None, status: int = 200) -> Response:
    tokens = request.session.setdefault("submit_tokens", {})
    token = secrets.token_urlsafe(16)
    tokens[token] = None
    request.session["submit_tokens"] = dict(list(tokens.items())[-SEEN_TOKENS:])
    access = access_of(request, form)
    writable = {f.id for f in editable(form, access)}
    locked = {f.id for f in editable(form) if f.id not in writable and not field_type(f.type).holds_rows}
    fixed = shown_itself(form)
    live = page_context(request, form, values, record, writable)
    if record is None and request.method == "GET":  # opened with its client: the fields taken from it filled
        values = with_linked(values, live["state"])
    drawn = writable | live["computed_ids"] | locked | fixed
    return page(request, "edit.html", {
        "locked": locked, "fixed": fixed, "fixed_values": _fixed_values(request, form, record),
        "form": form, "values": values, "errors": errors, "record": record, "conflict": conflict, "token": token,
        "layout": form_layout(form, lambda f: f.id in drawn), "editable": writable,
        "choices": _choices(request, form, values),
        **live,
    }, status=status)


def _fixed_values(request: Request, form: FormDef, record: Record | None) -> dict[str, str]:
    """The text of the system fields (who created the record, its workflow step…); none before it exists."""
    if record is None or not any(field_type(f.type).system_fact for f in form.fields):
        return {}
    fmt = Formatter(_ws(request), form, [record], choose_language(request), user_tz(request))
    return {f.id: fmt.cell(record, f) for f in form.fields if field_type(f.type).system_fact}


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


async def new_record(request: Request) -> Response:
    """GET an empty form; POST creates the record (a second submit of the same form opens the first record)."""
    data = await read_form(request) if request.method == "POST" else None
    return await run_in_threadpool(_new_record, request, data)


def _new_record(request: Request, data: FormData | None) -> Response:
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = _ws(request)
    actor = actor_of(current_user(request) or {}, choose_language(request))
    if data is None:
        values = ws.records.initial_values(actor, form.id)
        return _render(request, form, {**values, **prefilled(ws, form, request.query_params, actor)}, {})
    token = str(data.get("submit_token", ""))
    tokens = request.session.get("submit_tokens", {})
    if tokens.get(token):
        return RedirectResponse(f"/apps/{form.app}/{form.id}/{tokens[token]}", status_code=303)
    raw = raw_values(form, data, user_tz(request), MediaInput(ws, actor.user_id), access_of(request, form))
    refused = refused_fields(data, ws.records.guard(actor, form.id))
    if refused:
        return _render(request, form, raw, refused, status=422)
    try:
        check_regions(request, form, raw)
        record = ws.records.create(actor, form.id, raw, fmt="form", via="web")
    except RecordInvalid as exc:
        return _render(request, form, raw, exc.errors, status=422)
    request.session["submit_tokens"] = {**tokens, token: record.id}
    return _after_create(request, form, actor, record)


def _after_create(request: Request, form: FormDef, actor: Actor, record: Record) -> Response:
    """The new record's page; the list with a notice when the creator may not read it (a ticket a service agent
    logs is hers only once assigned to her), rather than a 404 right after a successful save."""
    ws = _ws(request)
    if ws.records.allowed(actor, form.id, record.id, "read"):
        return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}", status_code=303)
    title = str(record.values.get(form.title_field()) or f"#{record.id}")
    text = translator(choose_language(request))("saved_out_of_scope").format(title=title)
    list_notice(request, text, SUCCESS)
    return RedirectResponse(f"/apps/{form.app}/{form.id}", status_code=303)


async def edit_record(request: Request) -> Response:
    """GET the filled form; POST saves it, or shows what someone else changed meanwhile."""
    data = await read_form(request) if request.method == "POST" else None
    return await run_in_threadpool(_edit_record, request, data)


def _edit_record(request: Request, data: FormData | None) -> Response:
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, actor, record = found
    ws = _ws(request)
    if data is None:
        return _render(request, form, dict(record.values), {}, record)
    raw = raw_values(form, data, user_tz(request), MediaInput(ws, actor.user_id), access_of(request, form))
    refused = refused_fields(data, ws.records.guard(actor, form.id))
    if refused:
        return _render(request, form, raw, refused, record, status=422)
    version = int(str(data.get("version", "0"))) if str(data.get("version", "0")).isdigit() else 0
    try:
        check_regions(request, form, raw, record)
        saved = ws.records.update(actor, form.id, record.id, raw, version=version, fmt="form", via="web")
    except RecordInvalid as exc:
        return _render(request, form, raw, exc.errors, record, status=422)
    except Conflict:
        current = ws.records.get(actor, form.id, record.id)
        return _render(request, form, raw, {}, current, conflict=current, status=409)
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{saved.id}", status_code=303)
