"""The preview of the draft: the real generated form (edit.html, through the context builders the record pages
use) of the draft's definitions, with rules and formulas running live against a record service built over
them. Nothing can be saved from it; a switch shows it at desktop or phone width."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from engine.definitions.model import FormDef
from engine.fields.registry import field_type
from engine.permissions.access import FormAccess
from engine.records.model import Actor
from engine.records.preview import Preview
from web.endpoints import form_view
from web.render import environment, page
from web.session import actor_of, current_user
from web.views.designer.draft_access import Designing, designing
from web.views.designer.draft_defs import DraftRuntime, draft_runtime
from web.views.forms import editable, raw_values, shown_itself
from web.views.live import _dom_rows, form_context, region_errors
from web.views.pickers import chosen_labels
from web.views.form_layout import form_layout
from web.zones import user_tz

WIDTHS = ("desktop", "phone")


def _runtime(d: Designing) -> tuple[DraftRuntime, FormDef] | list[str]:
    """The draft's runtime and its form, or the problems that keep the draft from running."""
    found = draft_runtime(d.ws, d.path, d.draft.text, d.lang)
    if isinstance(found, list):
        return found
    form = found.definitions.forms.get(d.form_id)
    if form is None:
        return [d.t("dp_no_form")]
    return found, form


def _actor(request: Request, d: Designing) -> Actor:
    return actor_of(current_user(request) or {}, d.lang)


def _state(rt: DraftRuntime, actor: Actor, form: FormDef, raw: dict[str, Any]) -> Preview:
    state: Preview = rt.records.preview(actor, form.id, raw, fmt="form")
    for path, errors in region_errors(form, raw).items():
        state.errors.setdefault(path, []).extend(errors)
    return state


def preview_page(request: Request) -> Response:
    """GET the draft's form as people will fill it (`?width=phone` starts at phone width)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    width = request.query_params.get("width", "desktop")
    width = width if width in WIDTHS else "desktop"
    found = _runtime(d)
    if isinstance(found, list):
        return page(request, "design/preview_problems.html", {"tp": d.t, "problems": found, "form_id": d.form_id},
                    status=200)
    rt, form = found
    actor = _actor(request, d)
    access: FormAccess = rt.records.guard(actor, form.id).access
    writable = {f.id for f in editable(form, access)}
    locked = {f.id for f in editable(form) if f.id not in writable and not field_type(f.type).holds_rows}
    values = rt.records.initial_values(actor, form.id)
    state = _state(rt, actor, form, {})
    try:
        choices = chosen_labels(d.ws, d.lang, form, values, None)
    except KeyError:  # a default pointing at a form only this draft knows
        choices = {}
    context = form_context(request, form, state, writable, submitted=False)
    fixed = shown_itself(form)
    drawn = writable | context["computed_ids"] | locked | fixed
    return page(request, "design/preview.html", {
        **context, "tp": d.t, "locked": locked, "fixed": fixed, "fixed_values": {}, "form": form,
        "values": values, "errors": {}, "record": None, "conflict": None, "token": "",
        "layout": form_layout(form, lambda f: f.id in drawn),
        "editable": writable, "choices": choices, "preview_only": True, "width": width, "widths": WIDTHS,
        "live_url": f"/design/forms/{form.id}/preview/live",
    })


@form_view
def preview_live(request: Request, data: FormData) -> Response:
    """POST the preview form: out-of-band fragments (field states, computed values, errors), as live.py's."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    found = _runtime(d)
    if isinstance(found, list):
        return HTMLResponse("")
    rt, form = found
    actor = _actor(request, d)
    access = rt.records.guard(actor, form.id).access
    raw = raw_values(form, data, user_tz(request), access=access)
    state = _state(rt, actor, form, raw)
    editable_ids = {f.id for f in editable(form, access)}
    subforms = {f.id: _dom_rows(f, data, state) for f in form.fields
                if field_type(f.type).holds_rows and f.id in editable_ids}
    context = form_context(request, form, state, editable_ids, submitted=False)
    context.update(state=state, form=form, editable=editable_ids, subforms=subforms, lang=d.lang)
    return HTMLResponse(environment.get_template("_live.html").render(context))


ROUTES: list[Route] = [
    Route("/design/forms/{form}/preview", preview_page),
    Route("/design/forms/{form}/preview/live", preview_live, methods=["POST"]),
]
