"""/admin/workflows: each workflow with its active and finished instance counts; one workflow's instances (active,
finished or by status) with their open items; reassigning a stuck item and cancelling an instance (the engine
writes both to the audit log)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.errors import FormworkError
from engine.workflow.inbox import STATUSES
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.admin_access import admin_only
from web.views.admin_jobs import page_number
from web.views.workflow_chart import definition_chart
from web.views.workflow_input import BadInput, actor, message, people, user_id_of

PAGE = 30
SHOWS = ("active", "finished", "all", *STATUSES)
NOTICES = ("cancel", "reassign")


def _workflow(request: Request) -> Any:
    wf = workspace(request).definitions.workflows.get(request.path_params["workflow"])
    if wf is None:
        raise HTTPException(404)
    return wf


@admin_only
def workflows_page(request: Request) -> Response:
    """GET every workflow with how many of its instances are active and finished."""
    ws = workspace(request)
    rows = [(wf, ws.workflows.instances(wf.id, status="active", limit=1).total,
             ws.workflows.instances(wf.id, status="finished", limit=1).total)
            for wf in sorted(ws.definitions.workflows.values(), key=lambda w: w.id)]
    return page(request, "workflow_admin.html", {"section": "workflows", "rows": rows})


def render_instances(request: Request, problem: str | None = None, status: int = 200) -> Response:
    """One workflow's instances in the chosen state, a page at a time, with the people to reassign to."""
    ws, lang = workspace(request), choose_language(request)
    wf = _workflow(request)
    show = request.query_params.get("show") if request.query_params.get("show") in SHOWS else "active"
    number = page_number(request.query_params.get("page"))
    found = ws.workflows.instances(wf.id, status=None if show == "all" else show, offset=(number - 1) * PAGE,
                                   limit=PAGE)
    base = f"/admin/workflows/{quote(wf.id, safe='')}"

    def url(**changes: Any) -> str:
        query = {k: v for k, v in {"show": show, "page": number, **changes}.items() if v and v != 1}
        return f"{base}?{urlencode(query)}" if query else base
    notice = request.query_params.get("done")
    return page(request, "workflow_admin_instances.html", {
        "section": "workflows", "wf": wf, "show": show, "shows": SHOWS, "found": found, "base": base, "url": url,
        "here": url(), "people": people(ws), "problem": problem, "notice": notice if notice in NOTICES else None,
        "chart": definition_chart(wf, lang), "newer": url(page=number - 1) if number > 1 else None,
        "older": url(page=number + 1) if found.offset + len(found.items) < found.total else None,
    }, status=status)


@admin_only
def instances_page(request: Request) -> Response:
    """GET one workflow's instances."""
    return render_instances(request)


def _back(request: Request, raw: Any, done: str) -> str:
    """The admin page to return to (this workflow's, never another site) with the notice."""
    base = f"/admin/workflows/{quote(_workflow(request).id, safe='')}"
    target = str(raw or "")
    target = target if target.startswith(base) and "//" not in target and "\\" not in target else base
    return f"{target}{'&' if '?' in target else '?'}done={done}"


def _change(request: Request, data: FormData, op: str) -> Response:
    ws, lang = workspace(request), choose_language(request)
    _workflow(request)
    try:
        if op == "reassign":
            task_id, user_id = user_id_of(data.get("task")), user_id_of(data.get("user"))
            if task_id is None or user_id is None:
                raise BadInput("wf_admin_choose_user")
            ws.workflows.reassign(actor(request), task_id, user_id)
        else:
            instance_id = user_id_of(data.get("instance"))
            if instance_id is None:
                raise BadInput("wf_admin_choose_instance")
            ws.workflows.cancel(actor(request), instance_id, reason=str(data.get("reason") or "").strip()[:2000])
    except (FormworkError, BadInput) as exc:
        from web.errors import status_of

        status = status_of(exc) if isinstance(exc, FormworkError) else 422
        return render_instances(request, message(exc, lang, translator(lang)), status=status)
    return RedirectResponse(_back(request, data.get("next"), op), status_code=303)


@form_view
@admin_only
def reassign(request: Request, data: FormData) -> Response:
    """POST task, user: hand an open item to someone else."""
    return _change(request, data, "reassign")


@form_view
@admin_only
def cancel(request: Request, data: FormData) -> Response:
    """POST instance, reason: stop a running (or sent-back) instance."""
    return _change(request, data, "cancel")


ROUTES: list[BaseRoute] = [
    Route("/admin/workflows", workflows_page),
    Route("/admin/workflows/{workflow}", instances_page),
    Route("/admin/workflows/{workflow}/reassign", reassign, methods=["POST"]),
    Route("/admin/workflows/{workflow}/cancel", cancel, methods=["POST"]),
]
