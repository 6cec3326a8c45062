"""/design/forms/{form}/publish: the publish dialog — the plan of the user's draft in words (problems, a conflict
with another admin's publish, field changes, schema steps, data impacts) and the publish itself, with a note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from engine.definitions.model import AppDef, FormDef
from engine.drafts import DraftConflict
from engine.errors import DefinitionError, PublishRefused
from web.endpoints import form_view, workspace
from web.render import page
from web.texts.designer_canvas import TEXTS
from web.views.designer.access import design_form_view, designer_id
from web.views.designer.canvas import form_path

MAX_NOTE = 2_000
# A schema step's action → the text that says it (a step of another action says "other database change").
STEP_TEXTS = {
    "create_table": "dc_step_create_table", "add_column": "dc_step_add_column", "alter_column": "dc_step_alter_column",
    "add_index": "dc_step_add_index", "drop_index": "dc_step_drop_index", "keep_column": "dc_step_keep_column",
    "keep_table": "dc_step_keep_table",
}


def field_labels(request: Request, doc: Mapping[str, Any]) -> dict[str, Any]:
    """field id → label, from the draft and the published form (a removed field keeps its published label)."""
    labels: dict[str, Any] = {}
    published = workspace(request).definitions.forms.get(request.path_params["form"])
    if published is not None:
        labels.update({f.id: f.label for f in published.fields})
    fields = doc.get("fields")
    for f in fields if isinstance(fields, list) else []:
        if isinstance(f, Mapping) and isinstance(f.get("id"), str):
            labels[f["id"]] = f.get("label") or f["id"]
    return labels


def column_label(name: str, labels: Mapping[str, Any]) -> Any:
    """The field a column belongs to (an address's `<field>_province` too), or the column's own name."""
    if name in labels:
        return labels[name]
    owner = max((fid for fid in labels if name.startswith(fid + "_")), key=len, default=None)
    return labels[owner] if owner else name


def steps_in_words(plan: Any, labels: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(text key, the field or index it is about) for every schema step of the plan."""
    return [(STEP_TEXTS.get(s.action, "dc_step_other"),
             column_label(s.name, labels) if s.action in ("add_column", "alter_column", "keep_column")
             else (s.detail or s.name)) for s in plan.steps]


def dialog_context(request: Request, path: str, user_id: int) -> dict[str, Any]:
    """Everything the dialog shows about publishing the user's draft now."""
    ws = workspace(request)
    draft = ws.drafts.open(path, user_id)
    plan = ws.drafts.plan(path, user_id)
    doc = draft.doc  # parsed on every access: once here
    labels = field_labels(request, doc)
    return {"form_id": request.path_params["form"], "base": f"/design/forms/{request.path_params['form']}",
            "draft": draft, "doc": doc, "plan": plan, "conflict": plan.conflict, "problems": plan.problems, "labels": labels,
            "blocked": not plan.publishable or plan.schema is None,
            "steps": steps_in_words(plan.schema, labels) if plan.schema is not None else [],
            "impacts": plan.impacts, "lossy": any(i.lossy and i.count for i in plan.impacts),
            "note": "", "unit_texts": TEXTS}


@design_form_view
def publish_dialog(request: Request, app: AppDef, form: FormDef, data: FormData) -> Response:
    """GET the plan of the user's draft; POST publishes it with the note (and the losses accepted, if ticked)."""
    path, user_id = form_path(form), designer_id(request)
    if request.method == "GET":
        return page(request, "design/_canvas_publish.html", dialog_context(request, path, user_id))
    note = str(data.get("note") or "").strip()[:MAX_NOTE]
    ws = workspace(request)
    try:
        ws.drafts.publish(path, user_id, note, accept_losses=data.get("accept_losses") == "1")
    except DraftConflict as exc:
        context = {**dialog_context(request, path, user_id), "refused": exc.conflict, "note": note}
        return page(request, "design/_canvas_publish.html", context, status=409)
    except DefinitionError as exc:  # problems, or values that would be lost without the losses accepted
        context = {**dialog_context(request, path, user_id), "note": note,
                   "losses_refused": isinstance(exc, PublishRefused)}
        return page(request, "design/_canvas_publish.html", context, status=422)
    published = ws.definitions.forms.get(form.id) or form
    context = {"published": True, "list_url": f"/apps/{app.id}/{form.id}", "form_label": published.label}
    response = page(request, "design/_canvas_publish.html", context)
    response.headers["HX-Trigger"] = "draft-changed"
    return response


ROUTES: list[BaseRoute] = [
    Route("/design/forms/{form}/publish", form_view(publish_dialog), methods=["GET", "POST"]),
]
