"""/inbox/tasks/{id}: one to-do item — the record as the node shows it (editable fields as inputs, read-only ones
as text, hidden ones left out), the flow chart, the timeline, and the actions the node allows with a comment and
an optional handwritten signature. Refusals (already handled, record changed, bad target) are shown on the page."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.errors import Conflict, FormworkError, NotFound, PermissionDenied, RecordInvalid
from engine.workflow.errors import TaskAlreadyHandled
from engine.workflow.views import TaskView
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from engine.fields.registry import field_type
from web.views.display import Formatter
from web.views.forms import raw_values
from web.views.pickers import chosen_labels
from web.views.form_layout import Block, form_layout
from web.views.uploads import MediaInput
from web.views.workflow_chart import state_chart
from web.views.workflow_input import (BadInput, actor, comment_of, message, path_id, people, signature_of,
                                      user_id_of)
from web.views.workflow_record import step_text, timeline_entries
from web.zones import user_tz

ACTIONS = ("approve", "reject", "return", "transfer", "add_signer", "resubmit", "withdraw")
WRITES_VALUES = ("approve", "resubmit")
NEEDS_USER = ("transfer", "add_signer")
STAYS = ("add_signer",)  # the actor's own task stays open: back to it


def _form(request: Request, view: TaskView) -> Any:
    form = workspace(request).definitions.forms.get(view.form)
    if form is None:
        raise NotFound(view.form, view.record.id)
    return form


def _sections(form: Any, access: dict[str, str]) -> list[Block]:
    """The form's layout without the fields hidden at this node (empty rows, sections and tabs dropped)."""
    return form_layout(form, lambda f: access.get(f.id) in ("editable", "read_only"))


def render_task(request: Request, view: TaskView, *, values: dict[str, Any] | None = None,
                errors: dict[str, Any] | None = None, problem: str | None = None, comment: str = "",
                status: int = 200) -> Response:
    """The task page; after a refusal, with the posted values, the field errors and the reason."""
    ws, lang = workspace(request), choose_language(request)
    who = actor(request)
    form = _form(request, view)
    mine = bool(view.actions)
    editable = {k for k, v in view.fields.items() if v == "editable"} if mine else set()
    shown_values = {**view.record.values, **{k: v for k, v in (values or {}).items() if k in editable}}
    t = translator(lang)
    notice = request.query_params.get("done")
    return page(request, "workflow_task.html", {
        "view": view, "form": form, "task": view.task, "mine": mine, "editable": editable,
        "sections": _sections(form, dict(view.fields)), "values": shown_values,
        "fmt": Formatter(ws, form, [view.record], lang, user_tz(request)),
        "choices": chosen_labels(ws, lang, form, shown_values, None) if editable else {},
        "errors": errors or {}, "problem": problem, "comment": comment,
        "notice": notice if notice in STAYS else None,
        "people": people(ws, who.user_id) if set(view.actions) & set(NEEDS_USER) else [],
        "chart": state_chart(view.flow, lang, t),
        "steps": sorted(timeline_entries(request, form, view.record.id, view.flow), key=lambda e: e["order"],
                        reverse=True),
        "record_link": f"/apps/{form.app}/{form.id}/{view.record.id}"
        if ws.records.allowed(who, form.id, view.record.id, "read") else None,
        "step_text": step_text,
    }, status=status)


def task_page(request: Request) -> Response:
    """GET a to-do item (the assignee's, or anyone's who may read the record; others get 403, unknown ids 404)."""
    view = workspace(request).workflows.task_view(actor(request), path_id(request))
    return render_task(request, view)


def _values(request: Request, form: Any, view: TaskView, data: FormData) -> dict[str, Any]:
    """The posted values of the fields editable at the node, in the record service's `form` format."""
    who = actor(request)
    editable = {k for k, v in view.fields.items() if v == "editable"}
    raw = raw_values(form, data, user_tz(request), MediaInput(workspace(request), who.user_id))
    return {k: v for k, v in raw.items() if k in editable and form.field(k) is not None
            and not field_type(form.field(k).type).holds_rows}


def _request(request: Request, view: TaskView, data: FormData) -> dict[str, Any]:
    """The engine call's arguments from the posted form (BadInput for a bad comment, signature or action)."""
    action = str(data.get("action") or "")
    if action not in ACTIONS:
        raise BadInput("wf_bad_action")
    version = str(data.get("version") or "")
    return {"action": action, "comment": comment_of(data.get("comment")),
            "signature": signature_of(data.get("signature.png")),
            "values": _values(request, _form(request, view), view, data) if action in WRITES_VALUES else None,
            "version": int(version) if version.isdigit() and len(version) < 19 else None,
            "to_node": str(data.get("to_node") or "") or None if action == "reject" else None,
            "to_user": user_id_of(data.get("to_user")) if action in NEEDS_USER else None}


def act(request: Request, data: FormData) -> Response:
    """POST an action on the item; success goes back to the inbox, a refusal shows the page with the reason."""
    ws, lang = workspace(request), choose_language(request)
    who, task_id = actor(request), path_id(request)
    view = ws.workflows.task_view(who, task_id)  # 404 / 403 before the posted values are looked at
    posted: dict[str, Any] = {}
    try:
        args = _request(request, view, data)
        posted = args["values"] or {}
        ws.workflows.act(who, task_id, args.pop("action"), **args)
    except PermissionDenied:
        raise
    except RecordInvalid as exc:
        return render_task(request, view, values=posted, errors=exc.errors, comment=str(data.get("comment") or ""),
                           problem=translator(lang)("fix_errors"), status=422)
    except (FormworkError, BadInput) as exc:  # already handled, record moved, bad target or user, bad input
        fresh = ws.workflows.task_view(who, task_id)
        text = translator(lang)("wf_conflict") if isinstance(exc, Conflict) else message(exc, lang, translator(lang))
        return render_task(request, fresh, values=posted, problem=text, comment=str(data.get("comment") or ""),
                           status=409 if isinstance(exc, (Conflict, TaskAlreadyHandled)) else _status(exc))
    action = str(data.get("action"))
    if action in STAYS:
        return RedirectResponse(f"/inbox/tasks/{task_id}?done={action}", status_code=303)
    return RedirectResponse(f"/inbox?done={'submit' if action == 'approve' and view.task.kind == 'fill' else action}",
                            status_code=303)


def _status(exc: Exception) -> int:
    from web.errors import status_of

    return status_of(exc) if isinstance(exc, FormworkError) else 422


@form_view
def task(request: Request, data: FormData) -> Response:
    """GET shows the item, POST acts on it."""
    return act(request, data) if request.method == "POST" else task_page(request)


ROUTES: list[BaseRoute] = [
    Route("/inbox/tasks/{id:int}", task, methods=["GET", "POST"]),
]
