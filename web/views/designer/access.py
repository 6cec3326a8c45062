"""Who may design: administrators every app, an app's administrators (holders of a role the app lists in
`admins`) that app's forms. Views are wrapped so that a signed-in non-designer gets the 403 page, an unknown app
or form the 404 page (signing in is the Guard's: a signed-out request is sent to the login page)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.model import AppDef, FormDef
from engine.workspace import Workspace
from web.endpoints import workspace
from web.render import page
from web.session import current_user

P = ParamSpec("P")
User = Mapping[str, Any]


def _user_of(request_or_user: Request | User | None) -> User | None:
    return current_user(request_or_user) if isinstance(request_or_user, Request) else request_or_user


def app_by_id(ws: Workspace, app_id: str) -> AppDef | None:
    """The app with this id, or None."""
    return next((a for a in ws.definitions.apps if a.id == app_id), None)


def can_design(request_or_user: Request | User | None, ws: Workspace, app_id: str) -> bool:
    """Whether the user may design this app: an administrator, or a holder of one of the app's admin roles."""
    user = _user_of(request_or_user)
    if not user:
        return False
    if user.get("is_admin"):
        return True
    app = app_by_id(ws, app_id)
    return app is not None and bool(set(app.admins) & set(user.get("roles") or ()))


def designable_apps(request_or_user: Request | User | None, ws: Workspace) -> list[AppDef]:
    """The apps the user may design, in menu order."""
    user = _user_of(request_or_user)
    return [a for a in ws.definitions.apps if can_design(user, ws, a.id)]


def is_admin(request: Request) -> bool:
    """Whether the signed-in user is an administrator (creating apps, naming app admins and purging are theirs)."""
    user = current_user(request)
    return bool(user and user.get("is_admin"))


def designs_anything(request: Request, ws: Workspace) -> bool:
    """Whether the user may open the designer at all: an administrator (even before there is any app, to create
    the first), or the administrator of at least one app."""
    return is_admin(request) or bool(designable_apps(request, ws))


def designer_id(request: Request) -> int:
    """The signed-in designer's user id (the wrappers have checked there is one)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(403)
    return int(user["id"])


def refused(request: Request) -> Response:
    """The 403 page (zh/en) for a signed-in user who may not design this."""
    return page(request, "error.html", {"message": "design_no_permission"}, status=403)


def design_view(view: Callable[Concatenate[Request, P], Response]) -> Callable[Concatenate[Request, P], Response]:
    """Wrap a view for anyone who designs at least one app (the apps list); others get the 403 page."""
    def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        if not designs_anything(request, workspace(request)):
            return refused(request)
        return view(request, *args, **kwargs)
    functools.update_wrapper(guarded, view)
    return guarded


def admin_design_view(view: Callable[Concatenate[Request, P], Response]) -> Callable[Concatenate[Request, P], Response]:
    """Wrap a view only administrators may use (creating an app)."""
    def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        return view(request, *args, **kwargs) if is_admin(request) else refused(request)
    functools.update_wrapper(guarded, view)
    return guarded


def design_app_view(view: Callable[Concatenate[Request, AppDef, P], Response]
                    ) -> Callable[Concatenate[Request, P], Response]:
    """Wrap a view of `/design/apps/{app}…`: it gets the app after the request (then any other argument, e.g. the
    posted form); the 403 page for a non-designer, 404 for an unknown app."""
    def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        ws = workspace(request)
        if not designs_anything(request, ws):
            return refused(request)
        app = app_by_id(ws, str(request.path_params.get("app", "")))
        if app is None:
            raise HTTPException(404)
        if not can_design(request, ws, app.id):
            return refused(request)
        return view(request, app, *args, **kwargs)
    functools.update_wrapper(guarded, view)
    return guarded


def design_form_view(view: Callable[Concatenate[Request, AppDef, FormDef, P], Response]
                     ) -> Callable[Concatenate[Request, P], Response]:
    """Wrap a view of `/design/forms/{form}…` (or `/design/apps/{app}/{form}…`): it gets the app and the form;
    the 403 page for a non-designer of the form's app, 404 for an unknown form (or one not in the app named)."""
    def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        ws = workspace(request)
        if not designs_anything(request, ws):
            return refused(request)
        form = ws.definitions.forms.get(str(request.path_params.get("form", "")))
        app = app_by_id(ws, form.app) if form is not None else None
        named = request.path_params.get("app")
        if form is None or app is None or (named is not None and named != app.id):
            raise HTTPException(404)
        if not can_design(request, ws, app.id):
            return refused(request)
        return view(request, app, form, *args, **kwargs)
    functools.update_wrapper(guarded, view)
    return guarded
