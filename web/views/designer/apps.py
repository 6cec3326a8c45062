"""/design: the apps a user designs (icon, colour, name, number of forms) and, for administrators, a new app;
/design/apps/{app}: the app's name, description, icon, colour and administrators, published at once."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.editing import new_app_text
from engine.definitions.model import AppDef
from engine.definitions.palette import COLORS
from engine.removed_forms import removed_forms
from web.endpoints import form_view, workspace
from web.render import page
from web.views.designer.access import (
    admin_design_view, app_by_id, design_app_view, design_view, designable_apps, designer_id, is_admin,
)
from web.views.designer.analysis import analysis_counts, analysis_of
from web.icons import APP_ICONS, SPRITE
from web.views.designer.publishing import (
    MAX_DESCRIPTION, Refusal, app_folder, say, check_id, edited_app, posted_label, posted_text, publish,
)

NOTICES = ("created", "saved", "ordered", "form_added", "form_deleted", "form_restored", "form_purged")


def _apps_page(request: Request, refusal: Refusal | None = None, posted: FormData | None = None) -> Response:
    ws = workspace(request)
    apps = designable_apps(request, ws)
    ctx = {"apps": apps, "sprite": SPRITE, "may_create": is_admin(request), "design_counts": analysis_counts(ws, apps),
           "errors": refusal.messages if refusal else [], "posted": posted or {}, "nav": "apps"}
    return page(request, "design/apps.html", ctx, status=refusal.status if refusal else 200)


@design_view
def apps_list(request: Request) -> Response:
    """Every app the user designs."""
    return _apps_page(request)


@admin_design_view
def create_app(request: Request, form: FormData) -> Response:
    """A new app `<id>/app.yaml` with its label, published at once (administrators)."""
    try:
        app_id = check_id(request, str(form.get("id") or ""), "app")
        label = posted_label(request, form)
        ws = workspace(request)
        path = f"{app_id}/app.yaml"
        if app_by_id(ws, app_id) is not None or path in ws.sources():
            raise Refusal([say(request, "design_app_exists", id=app_id)])
        publish(request, {path: new_app_text(app_id, label)}, "design_note_app_created", id=app_id)
    except Refusal as refusal:
        return _apps_page(request, refusal, form)
    return RedirectResponse(f"/design/apps/{app_id}?done=created", status_code=303)


def app_page(request: Request, app: AppDef, refusal: Refusal | None = None, posted: FormData | None = None) -> Response:
    """The page of one app (also shown again, with the refusal, after bad input)."""
    ws = workspace(request)
    done = request.query_params.get("done")
    ctx: dict[str, Any] = {
        "app": app, "sprite": SPRITE, "icons": APP_ICONS, "colors": COLORS, "nav": "app",
        "app_forms": [ws.definitions.forms[f] for f in app.forms if f in ws.definitions.forms],
        "removed": removed_forms(ws, app_folder(app), app.id), "is_admin": is_admin(request),
        "roles": ws.definitions.roles, "notice": done if done in NOTICES else None,
        "errors": refusal.messages if refusal else [], "posted": posted or {},
        **analysis_of(ws, app, designer_id(request)),
    }
    return page(request, "design/app.html", ctx, status=refusal.status if refusal else 200)


@design_app_view
def app_view(request: Request, app: AppDef) -> Response:
    """GET /design/apps/{app}."""
    return app_page(request, app)


@design_app_view
def save_settings(request: Request, app: AppDef, form: FormData) -> Response:
    """Name, description, icon and colour (and, for administrators, the app's administrators)."""
    try:
        set_, unset = _settings(request, app, form)
        text = edited_app(request, app, set_, unset)
        publish(request, {app.source.file: text}, "design_note_app_saved", id=app.id)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    return RedirectResponse(f"/design/apps/{app.id}?done=saved", status_code=303)


def _settings(request: Request, app: AppDef, form: FormData) -> tuple[dict[str, Any], list[str]]:
    """What the settings form changes: values to set and keys to remove (an emptied description, icon…)."""
    set_: dict[str, Any] = {"label": posted_label(request, form)}
    unset: list[str] = []

    def put(key: str, value: Any) -> None:
        if value:
            set_[key] = value
        else:
            unset.append(key)

    icon, color = str(form.get("icon") or ""), str(form.get("color") or "")
    if icon and icon not in APP_ICONS and icon != app.icon:
        raise Refusal([say(request, "design_bad_icon")])
    if color and color not in COLORS:
        raise Refusal([say(request, "design_bad_color")])
    put("description", posted_text(form, "description", MAX_DESCRIPTION))
    put("icon", icon)
    put("color", color)
    if is_admin(request) and form.get("admins_shown"):
        roles = {r.id for r in workspace(request).definitions.roles}
        put("admins", [r for r in form.getlist("admins") if r in roles])
    return set_, unset



ROUTES: list[BaseRoute] = [
    Route("/design", apps_list),
    Route("/design/apps", form_view(create_app), methods=["POST"]),
    Route("/design/apps/{app}", app_view),
    Route("/design/apps/{app}/settings", form_view(save_settings), methods=["POST"]),
]
