"""Generated forms: create and edit a record, with errors shown at the field and edit conflicts explained."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.permissions.access import FormAccess
from engine.errors import Conflict, RecordInvalid
from engine.fields.registry import field_type
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.pickers import chosen_labels
from web.views.posted_fields import refused_fields
from web.views.live import check_regions, computed_column, page_context, row_positions
from web.views.records import _form_or_404, _layout, record_or_404
from web.views.related import prefilled
from web.views.uploads import MediaInput
from web.zones import user_tz

UNSUPPORTED = {"location"}  # maps arrive with their own widget
FILE_LISTS = {"file", "image"}
MULTI = {"multi_select", "checkbox", "users", "departments", "relation_many"}
SEEN_TOKENS = 20


def editable(form: FormDef, access: FormAccess | None = None) -> list[FieldDef]:
    """Fields a person fills in on the generated form (without those their roles hide or make read-only)."""
    return [f for f in form.fields if not field_type(f.type).computed and not f.formula
            and not field_type(f.type).layout_only and f.type not in UNSUPPORTED
            and (access is None or access.writable(f.id))]


def access_of(request: Request, form: FormDef) -> FormAccess:
    """What the signed-in user may do on the form."""
    actor = actor_of(current_user(request) or {}, choose_language(request))
    return request.app.state.ws.records.guard(actor, form.id).access


def _choices(request: Request, form: FormDef, values: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    """Labels of the users, departments and records the pickers show as chosen."""
    lang = choose_language(request)
    posted = request.method == "POST"  # ids the user sent: only titles they may read; else the stored values
    return chosen_labels(request.app.state.ws, lang, form, values,
                         actor_of(current_user(request) or {}, lang) if posted else None)


def raw_values(form: FormDef, data: FormData, tz: Any, media: MediaInput | None = None,
               access: FormAccess | None = None) -> dict[str, Any]:
    """The posted values of the fields the user may write, shaped for the record service's `form` format
    (`media` stores drawn signatures)."""
    raw: dict[str, Any] = {}
    for f in editable(form, access):
        if f.type in FILE_LISTS:
            ids = [str(v) for v in data.getlist(f.id) if v]
            raw[f.id] = media.files(ids) if media else [{"id": i, "name": ""} for i in ids] or None
        elif f.type == "signature":
            kept, drawn = str(data.get(f.id, "")), str(data.get(f"{f.id}.png", ""))
            raw[f.id] = media.signature(f, kept, drawn) if media else ({"id": kept, "name": ""} if kept else None)
        elif f.type == "subform":
            raw[f.id] = _rows(f, data, tz)
        elif f.type == "address":
            parts = {p: str(data.get(f"{f.id}.{p}", "")) for p in ("province", "city", "district", "detail")}
            raw[f.id] = parts if any(parts.values()) else None
        elif f.type in MULTI:
            raw[f.id] = [v for v in data.getlist(f.id) if v] or None
        elif f.type == "boolean":
            raw[f.id] = f.id in data
        else:
            raw[f.id] = _local(f, str(data.get(f.id, "")), tz)
    return raw


def _local(f: FieldDef, value: str, tz: Any) -> str:
    """datetime-local inputs are in the user's zone; the engine wants an offset."""
    if f.type == "datetime" and value:
        try:
            return datetime.fromisoformat(value).replace(tzinfo=tz).isoformat()
        except ValueError:
            return value
    return value


def _rows(sub: FieldDef, data: FormData, tz: Any) -> list[dict[str, Any]]:
    """The posted rows that hold a value, in page order (blank rows are left out; `row_positions` says which)."""
    return [{c.id: _local(c, str(data.get(f"{sub.id}[{i}].{c.id}", "")), tz) for c in sub.fields
             if not computed_column(c)} for i in row_positions(sub, data)]


def _render(request: Request, form: FormDef, values: dict[str, Any], errors: dict[str, Any], record: Any = None,
            conflict: Any = None, status: int = 200) -> Response:
    tokens = request.session.setdefault("submit_tokens", {})
    token = secrets.token_urlsafe(16)
    tokens[token] = None
    request.session["submit_tokens"] = dict(list(tokens.items())[-SEEN_TOKENS:])
    access = access_of(request, form)
    writable = {f.id for f in editable(form, access)}
    locked = {f.id for f in editable(form) if f.id not in writable and f.type != "subform"}
    return page(request, "edit.html", {
        "locked": locked,
        "form": form, "values": values, "errors": errors, "record": record, "conflict": conflict, "token": token,
        "layout": _layout(form), "editable": {f.id for f in editable(form, access_of(request, form))},
        "choices": _choices(request, form, values),
        "field_type": field_type, "multi": MULTI,
        **page_context(request, form, values, record, {f.id for f in editable(form, access_of(request, form))}),
    }, status=status)


async def new_record(request: Request) -> Response:
    """GET an empty form; POST creates the record (a second submit of the same form opens the first record)."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    if request.method == "GET":
        actor = actor_of(current_user(request) or {}, choose_language(request))
        values = ws.records.initial_values(actor, form.id)
        return _render(request, form, {**values, **prefilled(ws, form, request.query_params, actor)}, {})
    data = await request.form()
    token = str(data.get("submit_token", ""))
    tokens = request.session.get("submit_tokens", {})
    if tokens.get(token):
        return RedirectResponse(f"/apps/{form.app}/{form.id}/{tokens[token]}", status_code=303)
    actor = actor_of(current_user(request) or {}, choose_language(request))
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


def _after_create(request: Request, form: FormDef, actor: Any, record: Any) -> Response:
    """The new record's page; the list with a notice when the creator may not read it (a ticket a service agent
    logs is hers only once assigned to her), rather than a 404 right after a successful save."""
    ws = request.app.state.ws
    if ws.records.allowed(actor, form.id, record.id, "read"):
        return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}", status_code=303)
    title = str(record.values.get(form.title_field()) or f"#{record.id}")
    text = translator(choose_language(request))("saved_out_of_scope").format(title=title)
    request.session["list_notice"] = {"text": text, "errors": []}
    return RedirectResponse(f"/apps/{form.app}/{form.id}", status_code=303)


async def edit_record(request: Request) -> Response:
    """GET the filled form; POST saves it, or shows what someone else changed meanwhile."""
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, actor, record = found
    ws = request.app.state.ws
    if request.method == "GET":
        return _render(request, form, dict(record.values), {}, record)
    data = await request.form()
    raw = raw_values(form, data, user_tz(request), MediaInput(ws, actor.user_id), access_of(request, form))
    refused = refused_fields(data, ws.records.guard(actor, form.id))
    if refused:
        return _render(request, form, raw, refused, record, status=422)
    version = int(str(data.get("version", "0"))) if str(data.get("version", "0")).isdigit() else 0
    try:
        check_regions(request, form, raw, record.id)
        saved = ws.records.update(actor, form.id, record.id, raw, version=version, fmt="form", via="web")
    except RecordInvalid as exc:
        return _render(request, form, raw, exc.errors, record, status=422)
    except Conflict:
        current = ws.records.get(actor, form.id, record.id)
        return _render(request, form, raw, {}, current, conflict=current, status=409)
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{saved.id}", status_code=303)
