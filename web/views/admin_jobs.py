"""/admin/jobs: background jobs counted by status, a page of the jobs in one status (failed first), retrying or
discarding one (audited), and one job's progress as JSON for pages that poll a long job."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.audit import record_audit
from engine.automation.history import automations_of
from engine.jobs import queue
from engine.jobs.listing import DISCARDABLE, RETRYABLE, STATUSES, list_jobs, progress_of, status_counts
from web.endpoints import form_view, workspace
from web.render import page
from web.session import current_user
from web.views.admin_access import address_of, admin_id, admin_only

PAGE = 50
NOTICES = ("retried", "discarded", "job_unchanged")
ACTIONS = {  # posted action → (what the queue does, the audit action, notice)
    "retry": (queue.retry_now, "job_retried", "retried"),
    "discard": (queue.discard, "job_discarded", "discarded"),
}


def run_url(automation_id: str, key: str) -> str:
    """The admin page of one automation run."""
    return f"/admin/automations/{quote(automation_id, safe='')}/runs/{quote(key, safe='')}"


def page_number(raw: Any) -> int:
    """A 1-based page number from the query string (1 for anything else)."""
    value = str(raw or "")
    return min(int(value), 100_000) if value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1


def safe_next(raw: Any, default: str) -> str:
    """Where to go back to after an action: an admin page of this site, else `default`."""
    target = str(raw or "")
    return target if target.startswith("/admin/") and "//" not in target and "\\" not in target else default


def job_links(conn: Any, rows: list[dict[str, Any]]) -> dict[str, str]:
    """job key → the page of the automation run it is (same key) or was queued by (its parent)."""
    runs = automations_of(conn, [r["key"] for r in rows] + [r["parent"] for r in rows if r.get("parent")])
    links: dict[str, str] = {}
    for row in rows:
        run_key = row["key"] if row["key"] in runs else row.get("parent")
        if run_key in runs:
            links[row["key"]] = run_url(runs[run_key], run_key)
    return links


@admin_only
def jobs_page(request: Request) -> Response:
    """GET the status counts and a page of the jobs in the chosen status (failed by default), newest first."""
    ws = workspace(request)
    status = request.query_params.get("status", "failed")
    if status not in STATUSES:
        status = "failed"
    number = page_number(request.query_params.get("page"))
    with ws.reading() as conn:
        counts = status_counts(conn)
        found = list_jobs(conn, status, page=number, per_page=PAGE)
        links = job_links(conn, found.jobs)
    here = f"/admin/jobs?{urlencode({'status': status, **({'page': number} if number > 1 else {})})}"
    notice = request.query_params.get("done")
    context = {"section": "jobs", "statuses": STATUSES, "counts": counts, "status": status, "jobs": found.jobs,
               "links": links, "retryable": RETRYABLE, "discardable": DISCARDABLE, "here": here,
               "notice": notice if notice in NOTICES else None,
               "newer": f"/admin/jobs?{urlencode({'status': status, 'page': number - 1})}" if number > 1 else None,
               "older": f"/admin/jobs?{urlencode({'status': status, 'page': number + 1})}" if found.more else None}
    return page(request, "admin_jobs.html", context)


def _act(request: Request, form: FormData, action: str) -> Response:
    """Retry or discard the posted job in one transaction with its audit entry; 404 for an unknown job."""
    ws = workspace(request)
    key = str(form.get("key") or "")[:200]
    change, audit_action, notice = ACTIONS[action]
    with ws.writing() as conn:
        job = queue.get(conn, key) if key else None
        if job is None:
            raise HTTPException(404)
        changed = change(conn, key, ws.now())
        if changed:
            record_audit(conn, ws.now(), audit_action, actor_id=admin_id(request), target=key,
                         address=address_of(request),
                         detail={"kind": job["kind"], "label": job["label"], "status": job["status"]})
    back = safe_next(form.get("next"), f"/admin/jobs?{urlencode({'status': job['status']})}")
    separator = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{separator}done={notice if changed else 'job_unchanged'}", status_code=303)


@form_view
@admin_only
def retry(request: Request, form: FormData) -> Response:
    """POST key: a failed (or discarded) job gets a fresh set of tries, now."""
    return _act(request, form, "retry")


@form_view
@admin_only
def discard(request: Request, form: FormData) -> Response:
    """POST key: give up on a failed or waiting job."""
    return _act(request, form, "discard")


def _json_error(status: int, code: str, zh: str, en: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": {"zh": zh, "en": en}}}, status_code=status)


def job_progress(request: Request) -> Response:
    """GET {status, progress, progress_text, error} of one job, for pages polling a long job (administrators)."""
    user = current_user(request)
    if not user or not user.get("is_admin"):
        return _json_error(403, "forbidden", "只有管理员可以查看后台任务", "Only administrators can see background jobs")
    with workspace(request).reading() as conn:
        found = progress_of(conn, str(request.path_params["key"]))
    if found is None:
        return _json_error(404, "not_found", "没有这个任务", "No such job")
    return JSONResponse(found, headers={"cache-control": "no-store"})


ROUTES: list[BaseRoute] = [
    Route("/admin/jobs", jobs_page),
    Route("/admin/jobs/retry", retry, methods=["POST"]),
    Route("/admin/jobs/discard", discard, methods=["POST"]),
    Route("/api/jobs/{key:path}", job_progress),
]
