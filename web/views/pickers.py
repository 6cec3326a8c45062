"""Type-ahead pickers for relation, user and department fields: search as you type, and the chosen values' labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.errors import QueryInvalid
from engine.org.users import list_users
from engine.records.model import Actor, Query
from engine.storage.database import read_transaction
from engine.storage.system import departments
from web.i18n import choose_language, translator
from web.render import environment
from web.session import actor_of, current_user

PEOPLE = ("user", "users")
DEPARTMENTS = ("department", "departments")
RELATIONS = ("relation", "relation_many")
PICKED = (*PEOPLE, *DEPARTMENTS, *RELATIONS)
MATCHES = 20
QUERY_LIMIT = 100


def find_field(form: FormDef, path: str) -> FieldDef | None:
    """A field by id, or a subform column as `subform.column`."""
    head, _, column = path.partition(".")
    f = form.field(head)
    if f is not None and column:
        return next((c for c in f.fields if c.id == column), None)
    return f


def search(ws: Any, actor: Actor, lang: str, f: FieldDef, term: str) -> list[tuple[int, str]]:
    """Up to MATCHES (id, label) pairs the field can point to whose label or searchable fields match `term`."""
    term = term.strip()[:QUERY_LIMIT]
    if f.type in RELATIONS:
        target = str(f.get("to"))
        try:
            records = ws.records.list(actor, target, Query(search=term or None, limit=MATCHES,
                                                           with_children=False)).records
        except QueryInvalid:
            return []
        titles = ws.records.titles(target, [r.id for r in records])
        return [(r.id, titles.get(r.id, f"#{r.id}")) for r in records]
    found = _people(ws) if f.type in PEOPLE else _departments(ws, lang)
    needle = term.lower()
    return [(i, label) for i, label, words in found if not needle or needle in words][:MATCHES]


def _people(ws: Any) -> list[tuple[int, str, str]]:
    with read_transaction(ws.engine) as conn:
        return [(int(u["id"]), str(u["display_name"]), f"{u['display_name']} {u['username']}".lower())
                for u in list_users(conn) if u["active"]]


def _departments(ws: Any, lang: str) -> list[tuple[int, str, str]]:
    with read_transaction(ws.engine) as conn:
        rows = conn.execute(departments.select().order_by(departments.c.position, departments.c.id)).all()
    return [(int(d.id), _department_name(d, lang), " ".join([d.key or "", *map(str, (d.name or {}).values())]).lower())
            for d in rows]


def _department_name(d: Any, lang: str) -> str:
    names = d.name or {}
    return str(names.get(lang) or names.get("zh") or names.get("en") or d.key or f"#{d.id}")


def chosen_labels(ws: Any, lang: str, form: FormDef, values: dict[str, Any],
                  actor: Actor | None) -> dict[str, list[tuple[str, str]]]:
    """(id, label) of the values the pickers show now, by field id (subform columns by their own id). With an
    actor (values a request names), a related record they may not read is shown as #id; without, the stored
    record's values are labelled as its page shows them."""
    wanted: dict[str, set[int]] = {}
    for f, value in _picked_values(form, values):
        wanted.setdefault(f.id, set()).update(_ids(value))
    if not wanted:
        return {}
    fields = {f.id: f for f in [*form.fields, *(c for f in form.fields for c in f.fields)] if f.type in PICKED}
    people: dict[int, str] = {}
    depts: dict[int, str] = {}
    if any(fields[k].type in PEOPLE for k in wanted):
        people = {i: label for i, label, _ in _people(ws)}
    if any(fields[k].type in DEPARTMENTS for k in wanted):
        depts = {i: label for i, label, _ in _departments(ws, lang)}
    found: dict[str, list[tuple[str, str]]] = {}
    for field_id, ids in wanted.items():
        f = fields[field_id]
        if f.type in RELATIONS:
            names = ws.records.titles(str(f.get("to")), ids, actor)
        else:
            names = people if f.type in PEOPLE else depts
        found[field_id] = [(str(i), names.get(i, f"#{i}")) for i in sorted(ids)]
    return found


def _picked_values(form: FormDef, values: dict[str, Any]) -> Iterable[tuple[FieldDef, Any]]:
    for f in form.fields:
        if f.type in PICKED:
            yield f, values.get(f.id)
        elif f.type == "subform":
            for row in values.get(f.id) or []:
                if isinstance(row, dict):
                    yield from ((c, row.get(c.id)) for c in f.fields if c.type in PICKED)


def _ids(value: Any) -> set[int]:
    items = value if isinstance(value, list) else [value]
    return {int(v) for v in items if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}


async def pick(request: Request) -> Response:
    """GET the options matching `q` for a picker field, as `<li role=option>` items for htmx to swap in."""
    from web.views.records import _form_or_404

    form = _form_or_404(request)
    lang = choose_language(request)
    f = find_field(form, request.path_params["field"]) if form is not None else None
    if f is None or f.type not in PICKED:
        return HTMLResponse("", status_code=404)
    ws = request.app.state.ws
    actor = actor_of(current_user(request) or {}, lang)
    matches = search(ws, actor, lang, f, request.query_params.get("q", ""))
    list_id = request.query_params.get("list", "") or request.path_params["field"]
    html = environment.get_template("_pick_options.html").render(
        matches=matches, list_id=list_id, none_text=translator(lang)("pick_none"))
    return HTMLResponse(html)
