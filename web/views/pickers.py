"""Type-ahead pickers for fields holding ids of users, departments or records: search as you type, and the
chosen values' labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.errors import QueryInvalid
from engine.fields.registry import field_type
from engine.fields.screen import DEPARTMENT, RECORD, USER, Reference
from engine.org.departments import department_choices
from engine.org.users import list_users
from engine.records.model import Actor, Query
from engine.text_order import pinyin_key
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.render import environment
from web.session import actor_of, current_user

MATCHES = 20
QUERY_LIMIT = 100


def find_field(form: FormDef, path: str) -> FieldDef | None:
    """A field by id, or a subform column as `subform.column`."""
    head, _, column = path.partition(".")
    f = form.field(head)
    if f is not None and column:
        return next((c for c in f.fields if c.id == column), None)
    return f


def picked(f: FieldDef) -> Reference | None:
    """What a picker for the field chooses among (None: the field has no picker; computed ones never do)."""
    ftype = field_type(f.type)
    return None if ftype.computed else ftype.refers_to(f)


def search(ws: Workspace, actor: Actor, lang: str, f: FieldDef, term: str) -> list[tuple[int, str]]:
    """Up to MATCHES (id, label) pairs the field can point to whose label or searchable fields match `term`."""
    term = term.strip()[:QUERY_LIMIT]
    ref = picked(f)
    if ref is None:
        return []
    if ref.kind == RECORD:
        try:
            records = ws.records.list(actor, ref.form, Query(search=term or None, limit=MATCHES, sort=_by_title(ws, ref),
                                                             with_children=False)).records
        except QueryInvalid:
            return []
        titles = ws.records.titles(ref.form, [r.id for r in records])
        return [(r.id, titles.get(r.id, f"#{r.id}")) for r in records]
    found = _people(ws) if ref.kind == USER else _departments(ws, lang)
    needle = term.lower()
    return [(i, label) for i, label, words in found if not needle or needle in words][:MATCHES]


def _by_title(ws: Workspace, ref: Reference) -> tuple[tuple[str, bool], ...]:
    """Offer records in their title's order (pinyin for Chinese text) when the title is a stored field; else the
    newest first, the list's own order."""
    form = ws.definitions.forms.get(ref.form)
    title = form.field(form.title_field()) if form is not None else None
    return ((title.id, False),) if title is not None and field_type(title.type).stored else ()


def _people(ws: Workspace) -> list[tuple[int, str, str]]:
    """Active users by name, in pinyin order (张伟 after 李娜)."""
    with ws.reading() as conn:
        people = [(int(u["id"]), str(u["display_name"]), f"{u['display_name']} {u['username']}".lower())
                  for u in list_users(conn) if u["active"]]
    return sorted(people, key=lambda p: pinyin_key(p[1]) or "")


def _departments(ws: Workspace, lang: str) -> list[tuple[int, str, str]]:
    with ws.reading() as conn:
        return [(d.id, d.label, d.search) for d in department_choices(conn, lang)]


def chosen_labels(ws: Workspace, lang: str, form: FormDef, values: dict[str, Any],
                  actor: Actor | None) -> dict[str, list[tuple[str, str]]]:
    """(id, label) of the values the pickers show now, by field id (subform columns by their own id). With an
    actor (values a request names), a related record they may not read is shown as #id; without, the stored
    record's values are labelled as its page shows them."""
    wanted: dict[str, tuple[Reference, set[int]]] = {}
    for f, ref, value in _picked_values(form, values):
        wanted.setdefault(f.id, (ref, set()))[1].update(_ids(value))
    if not wanted:
        return {}
    kinds = {ref.kind for ref, _ in wanted.values()}
    people = {i: label for i, label, _ in _people(ws)} if USER in kinds else {}
    depts = {i: label for i, label, _ in _departments(ws, lang)} if DEPARTMENT in kinds else {}
    found: dict[str, list[tuple[str, str]]] = {}
    for field_id, (ref, ids) in wanted.items():
        if ref.kind == RECORD:
            names = ws.records.titles(ref.form, ids, actor)
        else:
            names = people if ref.kind == USER else depts
        found[field_id] = [(str(i), names.get(i, f"#{i}")) for i in sorted(ids)]
    return found


def _picked_values(form: FormDef, values: dict[str, Any]) -> Iterable[tuple[FieldDef, Reference, Any]]:
    for f in form.fields:
        ref = picked(f)
        if ref is not None:
            yield f, ref, values.get(f.id)
        elif field_type(f.type).holds_rows:
            for row in values.get(f.id) or []:
                if isinstance(row, dict):
                    yield from ((c, r, row.get(c.id)) for c in f.fields if (r := picked(c)) is not None)


def _ids(value: Any) -> set[int]:
    items = value if isinstance(value, list) else [value]
    return {int(v) for v in items if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}


def pick(request: Request) -> Response:
    """GET the options matching `q` for a picker field, as `<li role=option>` items for htmx to swap in."""
    from web.views.records import _form_or_404

    form = _form_or_404(request)
    lang = choose_language(request)
    f = find_field(form, request.path_params["field"]) if form is not None else None
    if f is None or picked(f) is None:
        return HTMLResponse("", status_code=404)
    ws: Workspace = request.app.state.ws
    actor = actor_of(current_user(request) or {}, lang)
    matches = search(ws, actor, lang, f, request.query_params.get("q", ""))
    list_id = request.query_params.get("list", "") or request.path_params["field"]
    html = environment.get_template("_pick_options.html").render(
        matches=matches, list_id=list_id, none_text=translator(lang)("pick_none"))
    return HTMLResponse(html)
