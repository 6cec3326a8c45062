"""/inbox: 待办 · 已办 · 我发起的 · 抄送我的, with counts, a form / search / status filter and pages; opening a cc
entry marks it read; the header's to-do badge."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.i18n import text
from engine.records.model import Actor
from engine.workflow.inbox import BOXES, STATUSES
from engine.workspace import Workspace
from web.endpoints import workspace
from web.i18n import choose_language
from web.render import environment, page
from web.session import current_user
from web.views.workflow_chart import outcome_key
from web.views.workflow_input import actor, path_id

PAGE = 30
MAX_SEARCH = 100
NOTICES = ("approve", "submit", "reject", "return", "transfer", "resubmit", "withdraw")


def todo_count(request: Request) -> int | None:
    """The number on the header's to-do badge; None (no badge) when signed out or no workflow is defined."""
    ws = workspace(request)
    if current_user(request) is None or not ws.definitions.workflows:
        return None
    return int(ws.workflows.todo_count(actor(request)))


environment.globals["todo_count"] = todo_count  # base.html shows the badge next to the bell
environment.globals["outcome_key"] = outcome_key  # a handled fill item reads "submitted", not "approved"


def _filters(request: Request) -> dict[str, Any]:
    """box, form, q, status and the page number from the query string; anything unknown is dropped."""
    params, ws = request.query_params, workspace(request)
    box = params.get("box") if params.get("box") in BOXES else "todo"
    form = params.get("form") if params.get("form") in ws.definitions.forms else None
    status = params.get("status") if params.get("status") in STATUSES else None
    raw_page = params.get("page", "")
    number = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 and int(raw_page) > 0 else 1
    search = params.get("q", "").replace("\x00", "").strip()[:MAX_SEARCH] or None
    return {"box": box, "form": form, "q": search, "status": status, "page": number}


def _url(f: dict[str, Any], **changes: Any) -> str:
    merged = {**f, **changes}
    query = {k: v for k, v in merged.items() if v and not (k == "page" and v == 1)}
    return f"/inbox?{urlencode(query)}" if query else "/inbox"


def _counts(ws: Workspace, who: Actor) -> dict[str, int]:
    """Per box: open to-do items, handled items, started instances, unread cc entries."""
    counts = ws.workflows.counts(who)
    return {"todo": counts["todo"], "done": counts["done"], "started": counts["started"], "cc": counts["cc_unread"]}


def _workflow_forms(ws: Workspace, lang: str) -> list[tuple[str, str]]:
    """(form id, label) of the forms that have a workflow: the form filter's choices."""
    ids = dict.fromkeys(w.form for w in ws.definitions.workflows.values() if w.form in ws.definitions.forms)
    return [(i, text(ws.definitions.forms[i].label, lang)) for i in ids]


def inbox_page(request: Request) -> Response:
    """GET one box of the signed-in user's inbox, filtered and paged."""
    ws, lang, who = workspace(request), choose_language(request), actor(request)
    f = _filters(request)
    found = ws.workflows.inbox(who, f["box"], form=f["form"], search=f["q"], status=f["status"],
                               offset=(f["page"] - 1) * PAGE, limit=PAGE)
    notice = request.query_params.get("done")
    return page(request, "workflow_inbox.html", {
        "boxes": BOXES, "statuses": STATUSES, "f": f, "found": found, "counts": _counts(ws, who),
        "forms_with_flow": _workflow_forms(ws, lang), "url": lambda **c: _url(f, **c), "now": ws.now(),
        "filtered": bool(f["form"] or f["q"] or f["status"]), "notice": notice if notice in NOTICES else None,
        "newer": _url(f, page=f["page"] - 1) if f["page"] > 1 else None,
        "older": _url(f, page=f["page"] + 1) if found.offset + len(found.items) < found.total else None,
    })


def read_cc(request: Request) -> Response:
    """POST: mark one of the user's cc entries read and open it (another user's entry is 404)."""
    task_id = path_id(request)
    workspace(request).workflows.mark_cc_read(actor(request), task_id)
    return RedirectResponse(f"/inbox/tasks/{task_id}", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/inbox", inbox_page),
    Route("/inbox/cc/{id:int}/read", read_cc, methods=["POST"]),
]
