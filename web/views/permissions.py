"""/admin/permissions: the permission matrix (roles × forms), its cell editor, and creating, deleting and
listing the members of roles. Administrators only; every change publishes the roles document."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from engine.definitions.model import FormDef, FormPermission, RoleDef
from engine.errors import DefinitionError, Problem
from engine.fields.registry import field_type
from engine.i18n import text
from engine.permissions.access import OPERATIONS
from engine.permissions.document import FIELD_ACCESS, SCOPES, Grant, RolesEditError
from engine.permissions.editing import (
    create_role, current_grant, delete_role, member_counts, role_members_of, save_grant,
)
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import environment, page
from web.session import csrf_token
from web.views.admin_access import address_of, admin_id, admin_only

ROLE_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CONDITION_MAX = 500
LABEL_MAX = 80
CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _bad_text(value: str, limit: int) -> bool:
    """Too long, or holding control characters or lone surrogates (neither database nor YAML wants them)."""
    return len(value) > limit or CONTROL.search(value) is not None


def grant_from_definition(perm: FormPermission | None) -> Grant | None:
    """The matrix's view of a role's permission on a form."""
    if perm is None:
        return None
    return Grant(tuple(op for op in OPERATIONS if op in perm.operations), perm.scope, perm.condition,
                 dict(perm.fields))


def _role(request: Request) -> RoleDef | None:
    role_id = request.path_params["role"]
    return next((r for r in workspace(request).definitions.roles if r.id == role_id), None)


@admin_only
def matrix(request: Request) -> Response:
    """GET the matrix: forms grouped by app down the side, roles across, one compact cell each."""
    notice = None
    for key in ("created", "deleted"):
        role_id = request.query_params.get(key, "")
        if ROLE_ID.match(role_id):
            notice = (f"perm_role_{key}", role_id)
    return _matrix_page(request, notice=notice)


def _matrix_page(request: Request, status: int = 200, **extra: Any) -> Response:
    ws = workspace(request)
    with ws.reading() as conn:
        counts = member_counts(conn)
    roles = list(ws.definitions.roles)
    grants = {(r.id, f): grant_from_definition(p) for r in roles for f, p in r.permissions.items()}
    in_apps = {f for app in ws.definitions.apps for f in app.forms}
    groups = [(app.label, [f for f in app.forms if f in ws.definitions.forms]) for app in ws.definitions.apps]
    others = [f for f in ws.definitions.forms if f not in in_apps]
    if others:
        groups.append((translator(choose_language(request))("perm_other_forms"), others))
    context = {"roles": roles, "grants": grants, "counts": counts, "groups": groups,
               "new_role": {}, "role_errors": {}, "notice": None, **extra}
    return page(request, "admin_permissions.html", context, status=status)


def _form_and_role(request: Request) -> tuple[RoleDef, FormDef] | None:
    role = _role(request)
    form = workspace(request).definitions.forms.get(request.path_params["form"])
    return (role, form) if role is not None and form is not None else None


def _editable_fields(form: FormDef) -> list[Any]:
    return [f for f in form.fields if not field_type(f.type).layout_only]


@form_view
@admin_only
def cell(request: Request, data: FormData) -> Response:
    """GET the editor of one role's access to one form; POST saves it (a new version of the roles document)."""
    found = _form_and_role(request)
    if found is None:
        return _not_found(request)
    role, form = found
    ws = workspace(request)
    if request.method == "GET":
        return _editor(request, role, form, *current_grant(ws, role.id, form.id))
    grant, errors = _parse_grant(data, form)
    base = str(data.get("base") or "") or None
    if errors:
        return _editor(request, role, form, grant, base, errors=errors, status=422)
    try:
        changed = save_grant(ws, role.id, form.id, grant, admin_id=admin_id(request), base=base,
                             address=address_of(request))
    except DefinitionError as exc:
        errors = _problem_errors(exc.problems, choose_language(request))
        return _editor(request, role, form, grant, base, errors=errors, status=422)
    except RolesEditError as exc:
        return _editor(request, role, form, grant, base, errors={"": [f"perm_{exc.code}"]}, status=409)
    if not request.headers.get("hx-request"):
        return RedirectResponse("/admin/permissions", status_code=303)
    saved, new_base = current_grant(ws, role.id, form.id)
    role = _role(request) or role
    return _editor(request, role, form, saved, new_base, notice="perm_saved" if changed else "perm_unchanged",
                   refreshed_cell=True)


def _parse_grant(data: FormData, form: FormDef) -> tuple[Grant, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    operations = tuple(op for op in OPERATIONS if op in data.getlist("operations"))
    scope = str(data.get("scope") or "own")
    if scope not in SCOPES:
        errors["scope"] = ["perm_bad_scope"]
        scope = "own"
    condition = str(data.get("condition") or "").strip() if scope == "condition" else None
    if scope == "condition" and not condition and operations:
        errors["condition"] = ["perm_condition_required"]
    if condition and _bad_text(condition, CONDITION_MAX):
        errors["condition"] = ["perm_bad_text"]
    fields = {}
    for f in _editable_fields(form):
        access = str(data.get(f"field.{f.id}") or "")
        if access in FIELD_ACCESS:
            fields[f.id] = access
    return Grant(operations, scope, condition, fields), errors


def _problem_errors(problems: list[Problem], lang: str) -> dict[str, list[str]]:
    """Definition problems by editor input: the condition's at the condition field, the rest at the top."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        key = "condition" if "/scope" in problem.path else ""
        errors.setdefault(key, []).append(problem.text(lang))
    return errors


def _editor(request: Request, role: RoleDef, form: FormDef, grant: Grant | None, base: str | None, *,
            errors: dict[str, list[str]] | None = None, notice: str | None = None, status: int = 200,
            refreshed_cell: bool = False) -> Response:
    lang = choose_language(request)
    t = translator(lang)
    context = {"role": role, "form": form, "grant": grant or Grant(), "base": base or "", "errors": errors or {},
               "notice": notice, "operations": OPERATIONS, "scopes": SCOPES, "fields": _editable_fields(form),
               "refreshed_cell": refreshed_cell, "g": grant}
    if request.headers.get("hx-request"):
        html = environment.get_template("_permission_editor.html").render(
            t=t, lang=lang, label=lambda v: text(v, lang), csrf=csrf_token(request), **context)
        return HTMLResponse(html, status_code=200 if status in (409, 422) else status)  # htmx swaps 2xx only
    return page(request, "admin_permission_cell.html", context, status=status)


@form_view
@admin_only
def create(request: Request, data: FormData) -> Response:
    """POST a new role: id and names in Chinese and English."""
    role_id = str(data.get("role_id") or "").strip()
    label = {lang: str(data.get(f"label_{lang}") or "").strip() for lang in ("zh", "en")}
    errors: dict[str, list[str]] = {}
    if not ROLE_ID.match(role_id):
        errors["role_id"] = ["perm_bad_role_id"]
    if not any(label.values()):
        errors["label"] = ["perm_role_label_required"]
    elif any(_bad_text(v, LABEL_MAX) for v in label.values()):
        errors["label"] = ["perm_bad_text"]
    if not errors:
        try:
            create_role(workspace(request), role_id, {k: v for k, v in label.items() if v},
                        admin_id=admin_id(request), address=address_of(request))
        except RolesEditError as exc:
            errors["role_id"] = [translator(choose_language(request))(f"perm_{exc.code}").format(role=role_id)]
        except DefinitionError as exc:
            errors["role_id"] = [p.text(choose_language(request)) for p in exc.problems]
    if errors:
        return _matrix_page(request, status=422, new_role={"role_id": role_id, **label}, role_errors=errors)
    return RedirectResponse(f"/admin/permissions?created={role_id}", status_code=303)


@admin_only
def remove(request: Request) -> Response:
    """POST: delete a role, refused while users hold it."""
    role = _role(request)
    if role is None:
        return _not_found(request)
    try:
        delete_role(workspace(request), role.id, admin_id=admin_id(request), address=address_of(request))
    except RolesEditError as exc:
        return _members_page(request, role, status=409, refusal=(exc.code, exc.params))
    except DefinitionError as exc:
        lang = choose_language(request)
        return _members_page(request, role, status=422, problems=[p.describe(lang) for p in exc.problems])
    return RedirectResponse(f"/admin/permissions?deleted={role.id}", status_code=303)


@admin_only
def members(request: Request) -> Response:
    """GET the users who hold a role, and the forms it reaches."""
    role = _role(request)
    if role is None:
        return _not_found(request)
    return _members_page(request, role)


def _members_page(request: Request, role: RoleDef, status: int = 200, **extra: Any) -> Response:
    ws = workspace(request)
    with ws.reading() as conn:
        people = role_members_of(conn, role.id)
    grants = [(ws.definitions.forms[f], grant_from_definition(p)) for f, p in role.permissions.items()
              if f in ws.definitions.forms]
    context = {"role": role, "people": people, "role_grants": grants, "refusal": None, "problems": [], **extra}
    return page(request, "admin_role.html", context, status=status)


def _not_found(request: Request) -> Response:
    lang = choose_language(request)
    return page(request, "error.html", {"message": "not_found", "detail": translator(lang)("not_found")}, status=404)
