"""Batch actions on the records ticked in a list: set one field on each of them, or move them to the recycle bin.

Every record is its own transaction (all or nothing per record) under the version the user saw, so a record
someone changed meanwhile is reported, not overwritten; the list then says how many changed and why others did not.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.model import FormDef
from engine.errors import Conflict, NotFound, RecordInvalid
from engine.workflow.errors import WorkflowConflict
from web.endpoints import form_view
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.forms import raw_values
from web.views.listing import base_url, batch_fields
from web.views.notices import WARNING, notice as make_notice, outcome_kind
from web.views.records import _form_or_404
from web.zones import user_tz

MAX_BATCH = 200
MAX_REPORTED = 20  # errors kept in the notice (it travels in the session cookie)


def picked(values: list[Any]) -> list[tuple[int, int]]:
    """(record id, version) of each ticked row (`id:version`); malformed values are ignored."""
    found = []
    for value in values:
        record_id, _, version = str(value).partition(":")
        if record_id.isdigit() and version.isdigit():
            found.append((int(record_id), int(version)))
    return list(dict.fromkeys(found))


def batch_value(request: Request) -> Response:
    """The input for the value of the field chosen in the batch-edit bar."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    actor = actor_of(current_user(request) or {}, choose_language(request))
    request.app.state.ws.records.guard(actor, form.id).require("update")  # else 403
    field_id = request.query_params.get("_field", "")
    f = next((f for f in batch_fields(form) if f.id == field_id), None)
    return page(request, "_batch_value.html", {"field": f, "choices": {}, "form": form})


@form_view
def batch_action(request: Request, data: FormData) -> Response:
    """POST: apply the chosen action to the ticked records, then show the list with what happened."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    t = translator(choose_language(request))
    rows = picked(data.getlist("_ids"))
    action = str(data.get("_action", ""))
    if not rows:
        notice = make_notice(t("batch_none"), WARNING)
    elif len(rows) > MAX_BATCH:
        notice = make_notice(t("batch_too_many").format(n=MAX_BATCH), WARNING)
    elif action == "delete":
        notice = _delete(request, form, rows)
    else:
        notice = _edit(request, form, rows, data)
    request.session["list_notice"] = notice
    back = str(data.get("_back", "")).lstrip("?").replace("\r", "").replace("\n", "")
    return RedirectResponse(base_url(form) + (f"?{back}" if back else ""), status_code=303)


def _edit(request: Request, form: FormDef, rows: list[tuple[int, int]], data: FormData) -> dict[str, Any]:
    ws = request.app.state.ws
    lang = choose_language(request)
    t = translator(lang)
    field_id = str(data.get("_field", ""))
    f = next((f for f in batch_fields(form) if f.id == field_id), None)
    if f is None:
        return make_notice(t("batch_pick_field"), WARNING)
    raw = {f.id: raw_values(form, data, user_tz(request)).get(f.id)}
    actor = actor_of(current_user(request) or {}, lang)
    return _each(request, form, rows, "batch_changed",
                 lambda record_id, version: ws.records.update(actor, form.id, record_id, raw, version=version,
                                                              fmt="form", via="web"))


def _delete(request: Request, form: FormDef, rows: list[tuple[int, int]]) -> dict[str, Any]:
    ws = request.app.state.ws
    actor = actor_of(current_user(request) or {}, choose_language(request))
    return _each(request, form, rows, "batch_deleted",
                 lambda record_id, version: ws.records.delete(actor, form.id, record_id, version=version, via="web"))


def _each(request: Request, form: FormDef, rows: list[tuple[int, int]], done_key: str, act: Any) -> dict[str, Any]:
    """Run `act(id, version)` on each record; a notice with the count done and one line per refused record."""
    ws = request.app.state.ws
    lang = choose_language(request)
    t = translator(lang)
    actor = actor_of(current_user(request) or {}, lang)
    titles = ws.records.titles(form.id, [record_id for record_id, _ in rows], actor)  # no title of another's record
    done, errors = 0, []
    for record_id, version in rows:
        try:
            act(record_id, version)
            done += 1
        except RecordInvalid as exc:
            reason = "; ".join(e.message(lang) for errs in exc.errors.values() for e in errs)
        except Conflict:
            reason = t("batch_conflict")
        except WorkflowConflict as exc:  # in approval: it changes through its to-do item
            reason = exc.error.message(lang)
        except NotFound:
            reason = t("batch_gone")
        else:
            continue
        errors.append(f"{titles.get(record_id, '')} (#{record_id}): {reason}")
    text = t(done_key).format(n=done, total=len(rows))
    kind = outcome_kind(done, len(errors))
    if len(errors) > MAX_REPORTED:
        errors = errors[:MAX_REPORTED] + [t("batch_more_errors").format(n=len(errors) - MAX_REPORTED)]
    return make_notice(text, kind, errors)
