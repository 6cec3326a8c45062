"""/admin/departments: the department tree; create a department, rename it, set its head, move it under
another parent (never under itself), and delete it when it is empty."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.errors import FieldError, RecordInvalid
from engine.org.departments import (DepartmentNode, add_department, change_department, department_name,
                                    department_tree, remove_department)
from engine.org.users import display_names, list_users
from engine.permissions.viewer import descendants
from web.endpoints import form_view, workspace
from web.i18n import choose_language
from web.render import page
from web.views.admin_access import address_of, admin_id, admin_only, int_or_none, path_id

NOTICES = ("created", "saved", "deleted")


def _tree(request: Request) -> tuple[list[DepartmentNode], dict[int, str], list[tuple[int, str]]]:
    """The tree, the heads' names, and the active users who can be made a head."""
    with workspace(request).reading() as conn:
        tree = department_tree(conn)
        heads = display_names(conn, [d.head_user_id for d in tree if d.head_user_id is not None])
        people = [(int(u["id"]), f"{u['display_name']} ({u['username']})") for u in list_users(conn) if u["active"]]
    return tree, heads, people


def _options(tree: list[DepartmentNode], lang: str, leave_out: Collection[int] = ()) -> list[tuple[int, str]]:
    """(id, indented name) of departments in tree order, without `leave_out`."""
    return [(d.id, "\u00a0\u00a0" * d.depth + ("└ " if d.depth else "") + department_name(d, lang))
            for d in tree if d.id not in leave_out]


def _render(request: Request, template: str, errors: Mapping[str, list[FieldError]] | None = None,
            status: int = 200, **extra: Any) -> Response:
    lang = choose_language(request)
    tree, heads, people = _tree(request)
    notice = request.query_params.get("done")
    context = {"tree": tree, "heads": heads, "people": people, "errors": errors or {}, "values": {},
               "parents": _options(tree, lang), "name_of": lambda d: department_name(d, lang), "section": "departments",
               "notice": notice if notice in NOTICES else None, **extra}
    return page(request, template, context, status=status)


def _posted(form: FormData) -> dict[str, Any]:
    return {"name": {"zh": str(form.get("name_zh", "")), "en": str(form.get("name_en", ""))},
            "parent_id": int_or_none(form.get("parent_id")), "head_user_id": int_or_none(form.get("head_user_id"))}


@form_view
@admin_only
def departments_page(request: Request, form: FormData) -> Response:
    """GET the tree with the create form; POST creates a department."""
    if request.method == "GET":
        return _render(request, "admin_departments.html")
    values = _posted(form)
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            add_department(conn, admin_id(request), values["name"], values["parent_id"], values["head_user_id"],
                           ws.now(), address_of(request))
    except RecordInvalid as exc:
        return _render(request, "admin_departments.html", exc.errors, 422, values=values)
    return RedirectResponse("/admin/departments?done=created", status_code=303)


def _node(request: Request) -> DepartmentNode:
    with workspace(request).reading() as conn:
        node = next((d for d in department_tree(conn) if d.id == path_id(request)), None)
    if node is None:
        raise HTTPException(404)
    return node


def _edit_page(request: Request, node: DepartmentNode, values: Mapping[str, Any],
               errors: Mapping[str, list[FieldError]] | None = None, status: int = 200) -> Response:
    with workspace(request).reading() as conn:
        below = descendants(conn, {node.id})  # not offered as a parent: that would make a cycle
    tree = _tree(request)[0]
    return _render(request, "admin_department.html", errors, status, node=node, values=values,
                   parents=_options(tree, choose_language(request), below))


@form_view
@admin_only
def department_page(request: Request, form: FormData) -> Response:
    """GET one department's form; POST renames it, moves it and sets its head."""
    node = _node(request)
    if request.method == "GET":
        return _edit_page(request, node, {"name": node.name, "parent_id": node.parent_id,
                                          "head_user_id": node.head_user_id})
    values = _posted(form)
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            change_department(conn, admin_id(request), node.id, values["name"], values["parent_id"],
                              values["head_user_id"], ws.now(), address_of(request))
    except RecordInvalid as exc:
        return _edit_page(request, node, values, exc.errors, 422)
    return RedirectResponse("/admin/departments?done=saved", status_code=303)


@admin_only
def delete_department_page(request: Request) -> Response:
    """POST: delete an empty department; otherwise say what is still in it."""
    node = _node(request)
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            remove_department(conn, admin_id(request), node.id, ws.now(), address_of(request))
    except RecordInvalid as exc:
        return _edit_page(request, node, {"name": node.name, "parent_id": node.parent_id,
                                          "head_user_id": node.head_user_id}, exc.errors, 422)
    return RedirectResponse("/admin/departments?done=deleted", status_code=303)
