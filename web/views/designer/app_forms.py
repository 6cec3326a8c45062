"""The forms of an app on its design page: their order in the menu (drag, or up and down), a blank new form,
removing a form (its records kept), restoring a removed form and, for administrators, purging its records."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.editing import new_form_text
from engine.definitions.model import AppDef
from engine.removed_forms import PurgeRefused, RemovedForm, form_path, purge_form, removed_forms
from web.endpoints import form_view, workspace
from web.views.admin_access import address_of
from web.views.designer.access import design_app_view, designer_id, is_admin, refused
from web.views.designer.apps import app_page
from web.views.designer.publishing import (
    Refusal, app_folder, check_id, edited_app, posted_label, publish, say, without_form_permissions,
)



def _done(app: AppDef, notice: str) -> Response:
    return RedirectResponse(f"/design/apps/{app.id}?done={notice}", status_code=303)


def moved(order: list[str], move: str) -> list[str]:
    """The order after a `<form>:up` or `<form>:down` button (unchanged for anything else)."""
    form_id, _, direction = move.partition(":")
    if form_id not in order or direction not in ("up", "down"):
        return order
    i = order.index(form_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return order


@design_app_view
def order_forms(request: Request, app: AppDef, form: FormData) -> Response:
    """The menu order: every form of the app, each once (from a drag, or the order with one move applied)."""
    order = moved([str(f) for f in form.getlist("forms")], str(form.get("move") or ""))
    try:
        if sorted(order) != sorted(app.forms) or len(set(order)) != len(order):
            raise Refusal([say(request, "design_order_mismatch")])
        if tuple(order) != app.forms:
            publish(request, {app.source.file: edited_app(request, app, {"forms": order})},
                    "design_note_forms_ordered", id=app.id)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return _done(app, "ordered")


@design_app_view
def add_form(request: Request, app: AppDef, form: FormData) -> Response:
    """A blank form `<app>/forms/<id>.yaml`, added at the end of the app's menu."""
    try:
        form_id = check_id(request, str(form.get("id") or ""), "form")
        label = posted_label(request, form)
        ws = workspace(request)
        path = form_path(app_folder(app), form_id)
        if form_id in ws.definitions.forms or path in ws.sources():
            raise Refusal([say(request, "design_form_exists", id=form_id)])
        if any(r.form_id == form_id for r in removed_forms(ws, app_folder(app), app.id)):
            raise Refusal([say(request, "design_form_removed_exists", id=form_id)])
        publish(request, {path: new_form_text(form_id, label),
                          app.source.file: edited_app(request, app, {"forms": [*app.forms, form_id]})},
                "design_note_form_added", id=form_id)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return _done(app, "form_added")


@design_app_view
def delete_form(request: Request, app: AppDef, form: FormData) -> Response:
    """Remove a form's document and the roles' permissions on it; sync keeps its table with every record until
    purged. Anything else that uses the form (a relation, a workflow…) refuses the removal with its problem."""
    form_id = str(request.path_params["form"])
    if form_id not in app.forms:
        raise HTTPException(404)
    ws = workspace(request)
    path = ws.definitions.forms[form_id].source.file
    try:
        publish(request, {path: None, **without_form_permissions(request, form_id),
                          app.source.file: edited_app(request, app, {"forms": [f for f in app.forms if f != form_id]})},
                "design_note_form_deleted", id=form_id)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return _done(app, "form_deleted")


def _removed(request: Request, app: AppDef) -> RemovedForm:
    form_id = str(request.path_params["form"])
    found = next((r for r in removed_forms(workspace(request), app_folder(app), app.id) if r.form_id == form_id), None)
    if found is None:
        raise HTTPException(404)
    return found


@design_app_view
def restore_form(request: Request, app: AppDef, form: FormData) -> Response:
    """Publish a removed form's last text again (its kept records come back with it), at the end of the menu."""
    removed = _removed(request, app)
    try:
        publish(request, {removed.path: removed.last_text,
                          app.source.file: edited_app(request, app, {"forms": [*app.forms, removed.form_id]})},
                "design_note_form_restored", id=removed.form_id)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return _done(app, "form_restored")


@design_app_view
def purge(request: Request, app: AppDef, form: FormData) -> Response:
    """Drop a removed form's kept tables, for good (administrators; the form id typed again to confirm)."""
    if not is_admin(request):
        return refused(request)
    removed = _removed(request, app)
    try:
        if str(form.get("confirm") or "").strip() != removed.form_id:
            raise Refusal([say(request, "design_purge_confirm_wrong", id=removed.form_id)])
        try:
            purge_form(workspace(request), removed, actor_id=designer_id(request), address=address_of(request))
        except PurgeRefused as exc:
            raise Refusal([say(request, "design_purge_refused")], 409) from exc
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return _done(app, "form_purged")


ROUTES: list[BaseRoute] = [
    Route("/design/apps/{app}/order", form_view(order_forms), methods=["POST"]),
    Route("/design/apps/{app}/forms", form_view(add_form), methods=["POST"]),
    Route("/design/apps/{app}/forms/{form}/delete", form_view(delete_form), methods=["POST"]),
    Route("/design/apps/{app}/removed/{form}/restore", form_view(restore_form), methods=["POST"]),
    Route("/design/apps/{app}/removed/{form}/purge", form_view(purge), methods=["POST"]),
]
