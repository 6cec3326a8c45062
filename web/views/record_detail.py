"""The record page: fields as laid out in the form, one timeline (changes, comments, related records) newest
first, lists of the records pointing here, and comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.errors import FieldError, FieldValueError, NotFound, RecordInvalid
from engine.fields.registry import field_type
from engine.formulas.errors import error_description
from engine.records.comments import MAX_LENGTH, add_comment, list_comments
from engine.org.users import display_names
from engine.records.model import Actor, Record
from engine.fields.screen import RECORD, USER, Reference
from engine.workspace import Workspace
from web.endpoints import form_view
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.views.display import Formatter
from web.zones import user_tz
from web.views.form_layout import form_layout
from web.views.records import record_or_404
from web.views.related import RelatedList, related_lists
from web.views.record_panels import addable, opened_tab, panel_tabs, record_header
from engine.records.preview import hidden_by_rules
from web.views.pipeline import stage_bars
from web.views.printing.document import template_choices
from web.views.record_link import record_links_panel
from web.views import workflow_record


def timeline(history: list[dict[str, Any]], related: list[RelatedList],
             steps: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """History entries, records created pointing here and workflow steps, newest first (comments have their own
    tab). An update that changed nothing the viewer may see (a workflow step saving untouched fields) says nothing:
    left out."""
    entries = [{"kind": "history", "at": h["at"], "order": (0, h["id"]), **h} for h in history
               if h.get("action") != "update" or h.get("changes")]
    entries += steps or []
    for rel in related:
        entries += [{"kind": "related", "at": r.created_at, "order": (2, r.id), "list": rel, "record": r,
                     "actor_id": r.created_by} for r, _ in rel.rows]
    return sorted(entries, key=lambda e: (e["at"], e["order"]), reverse=True)


def comment_entries(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's comments, newest first."""
    return sorted(comments, key=lambda c: (c["created_at"], c["id"]), reverse=True)


def shown_change(fmt: Formatter, f: FieldDef | None, value: Any) -> str:
    """A value from a history entry (JSON form) as the page shows values; the raw text if it no longer parses."""
    if value is None or value == "" or value == []:
        return "—"
    if f is None:
        return str(value)
    try:
        ftype = field_type(f.type)
        typed = value if ftype.computed else ftype.parse(f, value)
        return fmt.value(f, typed) or "—"
    except (FieldValueError, TypeError, ValueError, KeyError, AttributeError):
        return str(value)


def _load_names(ws: Workspace, form: FormDef, fmt: Formatter, entries: list[dict[str, Any]]) -> None:
    """Names of the people and titles of the records the timeline mentions (authors, changed relations)."""
    changed: dict[Reference, set[int]] = {}
    for e in entries:
        for name, change in (e.get("changes") or {}).items():
            f = form.field(name)
            ref = field_type(f.type).refers_to(f) if f is not None else None
            if ref is not None and ref.kind in (USER, RECORD) and isinstance(change, list):
                ids = [i for v in change for i in (v if isinstance(v, list) else [v]) if isinstance(i, int)]
                changed.setdefault(ref, set()).update(ids)
    user_ids = changed.pop(Reference(USER), set())
    for target, found in changed.items():
        fmt.titles.setdefault(target.form, {}).update(ws.records.titles(target.form, sorted(found)))
    people = {int(i) for e in entries for i in (e.get("actor_id"), e.get("author_id")) if i} | user_ids
    people -= set(fmt.users)
    if people:
        with ws.reading() as conn:
            fmt.users.update(display_names(conn, people))


def render_record(request: Request, form: FormDef, record: Record, comment_errors: list[FieldError] | None = None,
                  comment_text: str = "", status: int = 200, pipeline_refused: Mapping[str, Any] | None = None,
                  workflow_problem: str | None = None) -> Response:
    """The record page, optionally with a refused comment kept in its box next to the reason (or the reason a
    workflow button was refused)."""
    ws: Workspace = request.app.state.ws
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    fmt = Formatter(ws, form, [record], lang, user_tz(request))
    related = related_lists(ws, actor, form, record.id, lang)
    flow_panel = workflow_record.panel(request, form, record, actor, workflow_problem)
    steps = workflow_record.timeline_entries(request, form, record.id, flow_panel["flow"] if flow_panel else None)
    entries = timeline(ws.records.history(actor, form.id, record.id), related, steps)
    comments = comment_entries(list_comments(ws.engine, form.id, record.id))
    _load_names(ws, form, fmt, entries + comments)
    hidden = hidden_by_rules(ws.records, actor, form.id, record.id)
    tabs = panel_tabs(related, len(comments), flow_panel is not None)
    wanted = "comments" if comment_errors or comment_text else "workflow" if workflow_problem else ""
    return page(request, "record.html", {
        "form": form, "record": record, "fmt": fmt, "timeline": entries, "comments": comments,
        "header": record_header(ws, form, record, fmt, hidden), "tabs": tabs,
        "opened": opened_tab(tabs, wanted or request.query_params.get("tab", "")),
        "add_related": addable(ws, actor, related),
        "layout": form_layout(form, lambda f: f.id not in hidden),
        "comment_errors": comment_errors or [], "comment_text": comment_text,
        "comment_max": MAX_LENGTH, "change_text": lambda f, v: shown_change(fmt, f, v),
        "may_update": ws.records.allowed(actor, form.id, record.id, "update") and not workflow_record.locked(record),
        "may_delete": ws.records.allowed(actor, form.id, record.id, "delete") and not workflow_record.locked(record),
        "workflow": flow_panel, "record_links": record_links_panel(request, form, record.id, actor),
        "stage_bars": stage_bars(request, form, record, actor, pipeline_refused),
        "formula_errors": _formula_errors(ws, actor, form, record),
        "formula_error": lambda code: error_description(code, lang),
        "print_choices": template_choices(form, lang),
    }, status=status)


def _formula_errors(ws: Workspace, actor: Actor, form: FormDef, record: Record) -> dict[str, str]:
    """The error values the record's formulas end in (those fields were saved empty), computed again to show why."""
    try:
        return ws.records.formula_errors(actor, form.id, record.id)
    except NotFound:
        return {}


def record_page(request: Request) -> Response:
    """One record: its fields as laid out in the form, its timeline and the records pointing here."""
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, _, record = found
    return render_record(request, form, record)


@form_view
def post_comment(request: Request, data: FormData) -> Response:
    """POST a comment on a record; an empty or too long one shows the record page with the reason."""
    body = str(data.get("body", ""))
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, actor, record = found
    ws: Workspace = request.app.state.ws
    try:
        add_comment(ws.engine, ws.records.runtimes, form.id, record.id, actor.user_id, body, ws.now())
    except RecordInvalid as exc:
        return render_record(request, form, record, exc.errors.get("body", []), body[:MAX_LENGTH * 2], status=422)
    except NotFound:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}?tab=comments#comments", status_code=303)
