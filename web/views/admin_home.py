"""/admin/home: administrators choose, per role, the blocks of the home page. Every change publishes the `home`
document (Workspace.publish: checked, versioned, with history) — the same path as any other definition."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.errors import DefinitionError
from engine.home.checks import block_kinds
from engine.home.edits import HomeEditError, add_block, move_block, remove_block, set_conditions
from engine.home.model import DEFAULT_LIMIT, DEFAULT_ROLE, HOME_PATH
from engine.i18n import text
from engine.lifecycle import LifecycleError, history
from engine.records.saved_views import views_of
from engine.workspace import StaleDocument, Workspace
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.admin_access import admin_id, admin_only, int_or_none
from web.views.filters import BadCondition, RANGE_SEP, filterable, parse_token
from web.views.home_conditions import block_rows, posted_filters

MOVES = {"up": -1, "down": 1}


def home_path(ws: Workspace) -> str:
    """Where the workspace's home document is stored (home.yaml when there is none yet)."""
    home = ws.definitions.home
    return home.path if home is not None else HOME_PATH


def _version(ws: Workspace) -> int | None:
    """The latest stored version of the home document (None: never published)."""
    try:
        return int(str(history(ws, home_path(ws))[0]["version"]))
    except (LifecycleError, IndexError, KeyError, ValueError):
        return None


def _saved_views(ws: Workspace, user_id: int) -> list[dict[str, Any]]:
    """The administrator's own saved list views, per form: their conditions can become a block's filter."""
    out: list[dict[str, Any]] = []
    with ws.reading() as conn:
        for form in ws.definitions.forms.values():
            out += [{"id": v.id, "form": form.id, "name": v.name} for v in views_of(conn, user_id, form.id)]
    return out


def _page(request: Request, errors: list[str] | None = None, status: int = 200) -> Response:
    ws = workspace(request)
    lang = choose_language(request)
    home = ws.definitions.home
    roles = [(r.id, text(r.label, lang)) for r in ws.definitions.roles] + [(DEFAULT_ROLE, translator(lang)("home_admin_default"))]
    rows = {role: list(home.roles[role]) if home is not None and role in home.roles else None for role, _ in roles}
    forms = [(f.id, f"{text(a.label, lang)} · {text(f.label, lang)}") for a in ws.definitions.apps
             for f in (ws.definitions.forms[i] for i in a.forms if i in ws.definitions.forms)]
    editing = {(role, i): block_rows(request, ws.definitions.forms[b.form], b.filters)
               for role, blocks in rows.items() for i, b in enumerate(blocks or [])
               if b.form and b.form in ws.definitions.forms and filterable(ws.definitions.forms[b.form])}
    return page(request, "admin_home.html", {
        "section": "home", "roles": roles, "rows": rows, "kinds": [k.name for k in block_kinds()], "editing": editing,
        "form_choices": forms, "views": _saved_views(ws, admin_id(request)), "version": _version(ws),
        "errors": errors or [], "path": home_path(ws), "saved": request.query_params.get("saved") == "1", "default_limit": DEFAULT_LIMIT,
    }, status=status)


@admin_only
def home_admin(request: Request) -> Response:
    """GET: the roles with their blocks, and a form to add one to each."""
    return _page(request)


def _publish(request: Request, data: FormData, change: Any) -> Response:
    """Apply `change` (old text -> new text) to the home document and publish it; the page again on a problem."""
    ws = workspace(request)
    t = translator(choose_language(request))
    lang = choose_language(request)
    seen = int_or_none(data.get("version"))
    try:
        path = home_path(ws)
        new = change(ws.sources().get(path))
        ws.publish({path: new}, author_id=admin_id(request), comment="home page (admin)", expect={path: seen})
    except StaleDocument:
        return _page(request, [t("home_admin_stale")], 409)
    except HomeEditError:
        return _page(request, [t("home_admin_gone")], 409)
    except DefinitionError as exc:
        return _page(request, [p.text(lang) for p in exc.problems], 400)
    return RedirectResponse("/admin/home?saved=1", status_code=303)


@form_view
@admin_only
def conditions(request: Request, data: FormData) -> Response:
    """POST the condition builder's rows of one records block: they replace its `filter`."""
    ws, role, index = workspace(request), _role(request), int(request.path_params["index"])
    home = ws.definitions.home
    blocks = home.roles.get(role, ()) if home is not None else ()
    form = ws.definitions.forms.get(str(blocks[index].form)) if 0 <= index < len(blocks) else None
    if form is None:
        return _page(request, [translator(choose_language(request))("home_admin_gone")], 409)
    filters, problems = posted_filters(form, data, choose_language(request))
    if problems:
        return _page(request, problems, 400)
    return _publish(request, data, lambda old: set_conditions(old, role, index, filters))


def _role(request: Request) -> str:
    return str(request.path_params["role"])


@form_view
@admin_only
def move(request: Request, data: FormData) -> Response:
    """POST up / down / remove of one block of a role."""
    role, index, action = _role(request), int(request.path_params["index"]), str(request.path_params["action"])
    if action == "remove":
        return _publish(request, data, lambda old: remove_block(old, role, index))
    if action not in MOVES:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    return _publish(request, data, lambda old: move_block(old, role, index, MOVES[action]))


@form_view
@admin_only
def add(request: Request, data: FormData) -> Response:
    """POST a new block at the end of a role's blocks."""
    ws, t = workspace(request), translator(choose_language(request))
    kind = str(data.get("block", ""))
    block: dict[str, Any] = {"block": kind}
    if kind == "attention":
        problems = _records_block(ws, admin_id(request), data, block, t, choose_language(request))
        if problems:
            return _page(request, problems, 400)
    return _publish(request, data, lambda old: add_block(old, _role(request), block))


def _records_block(ws: Workspace, user_id: int, data: FormData, block: dict[str, Any], t: Any,
                   lang: str) -> list[str]:
    """Fill a records block from the posted form, saved view and conditions (the builder's rows, and `conditions`
    as list filter tokens, one a line); the problems found."""
    form = ws.definitions.forms.get(str(data.get("form", "")))
    label = {"zh": str(data.get("label_zh", "")).strip(), "en": str(data.get("label_en", "")).strip()}
    if form is None:
        return [t("home_admin_needs_form")]
    if not label["zh"] or not label["en"]:
        return [t("home_admin_needs_label")]
    tokens = [line.strip() for line in str(data.get("conditions", "")).splitlines() if line.strip()]
    view_id = int_or_none(data.get("view"))
    if view_id is not None:
        with ws.reading() as conn:
            view = next((v for v in views_of(conn, user_id, form.id) if v.id == view_id), None)
        if view is not None:
            tokens = [str(f) for f in view.query.get("f", [])] + tokens
            if view.query.get("sort"):
                block["sort"] = ("-" if view.query.get("dir") == "desc" else "") + str(view.query["sort"])
    filters: list[dict[str, Any]] = []
    for token in tokens:
        try:
            condition = parse_token(form, token)
        except BadCondition:
            return [t("home_admin_bad_condition").replace("{token}", token)]
        filters.append(_filter(condition.field.id, condition.op, condition.value))
    built, problems = posted_filters(form, data, lang)
    if problems:
        return problems
    filters += built
    block.update({"form": form.id, "label": label})
    if filters:
        block["filter"] = filters
    limit = int_or_none(data.get("limit"))
    if limit is not None and limit != DEFAULT_LIMIT:
        block["limit"] = limit
    return []


def _filter(field: str, op: str, value: str) -> dict[str, Any]:
    """A condition as the home document writes it."""
    out: dict[str, Any] = {"field": field, "op": op}
    if op in ("in", "not_in"):
        out["value"] = [v.strip() for v in value.split(",") if v.strip()]
    elif op == "between":
        out["value"] = [v.strip() for v in value.split(RANGE_SEP, 1)]
    elif value:
        out["value"] = int(value) if value.isdigit() and op in ("last_n_days", "next_n_days") else value
    return out


ROUTES: list[BaseRoute] = [
    Route("/admin/home", home_admin),
    Route("/admin/home/{role}/add", add, methods=["POST"]),
    Route("/admin/home/{role}/{index:int}/conditions", conditions, methods=["POST"]),
    Route("/admin/home/{role}/{index:int}/{action}", move, methods=["POST"]),
]
