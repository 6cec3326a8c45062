"""/admin/users: list and search users, create one, change their profile, departments and roles, disable or
enable them, and reset their password (a new one is shown once)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.errors import FieldError, RecordInvalid
from engine.i18n import text
from engine.org.admin import assign_roles, reset_password, set_active, set_departments
from engine.org.departments import department_name, department_tree, user_department_ids
from engine.org.passwords import generate_password
from engine.org.profiles import Profile, add_user, set_admin, update_profile
from engine.org.users import NewUser, list_users
from engine.zones import COMMON_ZONES
from web.endpoints import form_view, workspace
from web.i18n import choose_language
from web.render import page
from web.session import sign_in
from web.views.admin_access import (address_of, admin_id, admin_only, int_list, int_or_none, no_store, path_id,
                                    user_or_404)

NOTICES = ("saved", "enabled", "disabled")
Errors = Mapping[str, list[FieldError]]


def _choices(request: Request) -> dict[str, Any]:
    """Departments (indented in tree order) and roles the forms offer."""
    ws, lang = workspace(request), choose_language(request)
    with ws.reading() as conn:
        tree = department_tree(conn)
    roles = [(r.id, text(r.label, lang)) for r in ws.definitions.roles]
    return {"departments": [(d.id, "\u00a0\u00a0" * d.depth + ("└ " if d.depth else "") + department_name(d, lang))
                            for d in tree],
            "department_names": {d.id: department_name(d, lang) for d in tree},
            "roles": roles, "role_names": dict(roles), "zones": COMMON_ZONES, "workspace_zone": str(ws.tz)}


def _matches(user: Mapping[str, Any], term: str) -> bool:
    return any(term in str(user.get(k) or "").lower() for k in ("username", "display_name", "email"))


@admin_only
def users_page(request: Request) -> Response:
    """GET the user list, searched by username, name or e-mail."""
    term = request.query_params.get("q", "").strip()[:100]
    with workspace(request).reading() as conn:
        people = [u for u in list_users(conn) if not term or _matches(u, term.lower())]
    return page(request, "admin_users.html", {"people": people, "q": term, "section": "users", **_choices(request)})


def _new_user(form: FormData) -> tuple[NewUser, list[int], bool]:
    """The user the create form describes, their other departments, and whether the password is generated."""
    typed = str(form.get("password", ""))
    language = str(form.get("language", "")) or None
    new = NewUser(str(form.get("username", "")), str(form.get("display_name", "")),
                  password=typed or generate_password(), email=str(form.get("email", "")) or None,
                  is_admin=form.get("is_admin") == "1", department_id=int_or_none(form.get("department_id")),
                  roles=tuple(str(r) for r in form.getlist("roles")), language=language)
    return new, int_list(form.getlist("other_departments")), not typed


def _form_page(request: Request, person: Mapping[str, Any] | None, values: Mapping[str, Any],
               errors: Errors | None = None, status: int = 200, **extra: Any) -> Response:
    context = {"person": person, "values": values, "errors": errors or {}, "section": "users",
               **_choices(request), **extra}
    return no_store(page(request, "admin_user_form.html", context, status=status))


def _posted_values(form: FormData) -> dict[str, Any]:
    """What was typed, to show again beside the errors (never the password)."""
    return {"username": form.get("username", ""), "display_name": form.get("display_name", ""),
            "email": form.get("email", ""), "language": form.get("language", ""), "timezone": form.get("timezone", ""),
            "department_id": int_or_none(form.get("department_id")), "is_admin": form.get("is_admin") == "1",
            "other_departments": int_list(form.getlist("other_departments")),
            "roles": [str(r) for r in form.getlist("roles")]}


@form_view
@admin_only
def new_user(request: Request, form: FormData) -> Response:
    """GET the create form; POST creates the user and shows a generated password once."""
    if request.method == "GET":
        return _form_page(request, None, {})
    new, others, generated = _new_user(form)
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            user_id = add_user(conn, admin_id(request), new, others, [r.id for r in ws.definitions.roles], ws.now(),
                               address_of(request))
    except RecordInvalid as exc:
        return _form_page(request, None, _posted_values(form), exc.errors, status=422)
    person = user_or_404(request, user_id)
    return _form_page(request, person, _values_of(request, person), created=True,
                      new_password=new.password if generated else None)


def _values_of(request: Request, person: Mapping[str, Any]) -> dict[str, Any]:
    """A user's current values for the edit form."""
    with workspace(request).reading() as conn:
        joined = user_department_ids(conn, int(person["id"]))
    return {**{k: person.get(k) or "" for k in ("username", "display_name", "email", "language", "timezone")},
            "department_id": person.get("department_id"), "is_admin": bool(person.get("is_admin")),
            "other_departments": [d for d in joined if d != person.get("department_id")],
            "roles": list(person.get("roles", []))}


def _save(request: Request, user_id: int, form: FormData) -> None:
    """Apply the edit form in one transaction; RecordInvalid collects the problems of every part."""
    ws, actor, address, now = workspace(request), admin_id(request), address_of(request), workspace(request).now()
    profile = Profile(str(form.get("display_name", "")), str(form.get("email", "")) or None,
                      str(form.get("language", "")) or None, str(form.get("timezone", "")).strip() or None)
    main = int_or_none(form.get("department_id"))
    steps: list[Callable[[sa.Connection], object]] = [
        lambda conn: update_profile(conn, actor, user_id, profile, now, address),
        lambda conn: set_admin(conn, actor, user_id, form.get("is_admin") == "1", now, address),
        lambda conn: set_departments(conn, actor, user_id, main, int_list(form.getlist("other_departments")), now,
                                     address),
        lambda conn: assign_roles(conn, actor, user_id, [str(r) for r in form.getlist("roles")],
                                  [r.id for r in ws.definitions.roles], now, address),
    ]
    errors: dict[str, list[FieldError]] = {}
    with ws.writing() as conn:
        for step in steps:
            try:
                step(conn)
            except RecordInvalid as exc:
                for key, problems in exc.errors.items():
                    errors.setdefault("other_departments" if key == "departments" else key, []).extend(problems)
        if errors:
            raise RecordInvalid(errors)  # nothing of this edit is kept


@form_view
@admin_only
def edit_user(request: Request, form: FormData) -> Response:
    """GET a user's edit form; POST saves name, e-mail, language, time zone, administrator, departments and roles."""
    person = user_or_404(request, path_id(request))
    if request.method == "GET":
        notice = request.query_params.get("done")
        return _form_page(request, person, _values_of(request, person), notice=notice if notice in NOTICES else None)
    try:
        _save(request, int(person["id"]), form)
    except RecordInvalid as exc:
        return _form_page(request, person, {**_posted_values(form), "username": person["username"]}, exc.errors,
                          status=422)
    return RedirectResponse(f"/admin/users/{person['id']}?done=saved", status_code=303)


@form_view
@admin_only
def set_user_active(request: Request, form: FormData) -> Response:
    """POST: disable (active=0) or enable (active=1) a user."""
    person = user_or_404(request, path_id(request))
    active = form.get("active") == "1"
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            set_active(conn, admin_id(request), int(person["id"]), active, ws.now(), address_of(request))
    except RecordInvalid as exc:
        return _form_page(request, person, _values_of(request, person), {"active": exc.errors.get("user", [])},
                          status=422)
    return RedirectResponse(f"/admin/users/{person['id']}?done={'enabled' if active else 'disabled'}",
                            status_code=303)


@admin_only
def reset_user_password(request: Request) -> Response:
    """POST: give the user a new generated password and show it this once."""
    person = user_or_404(request, path_id(request))
    ws = workspace(request)
    with ws.writing() as conn:
        password = reset_password(conn, admin_id(request), int(person["id"]), ws.now(), address_of(request))
    if int(person["id"]) == admin_id(request):  # one's own reset ends every session but this one
        sign_in(request, user_or_404(request, int(person["id"])))
    return _form_page(request, person, _values_of(request, person), new_password=password)
