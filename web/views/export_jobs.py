"""A big export's page: its progress (rows done / total, polled by htmx so it survives a reload), then the download
link; a failed one's message and a retry button. Only the user who asked sees it, downloads it or retries it.

GET  /exports/{token}            the page (an htmx request gets the status partial alone)
GET  /exports/{token}/download   the file, while it is kept (410 once the ticker deleted it)
POST /exports/{token}/retry      queue a failed export again
GET  /api/v1/exports/{token}     the same status as JSON, with the download URL once done
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.records import export_jobs
from engine.records.export_jobs import ExportJob
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.export import CSV_TYPE, XLSX_TYPE, attachment

TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


def export_url(token: str) -> str:
    return f"/exports/{token}"


def status_data(job: ExportJob) -> dict[str, Any]:
    """What the page and the API show of an export job."""
    return {"status": job.status, "format": job.format, "rows_done": job.done, "rows_total": job.total,
            "progress": job.percent, "error": job.error,
            "download": f"{export_url(job.token)}/download" if job.file else None,
            "expires_at": job.expires_at.isoformat() if job.expires_at else None}


def _owned(request: Request) -> ExportJob | Response:
    """The export job of the URL when the signed-in user asked for it; else the refusal to send."""
    lang = choose_language(request)
    t = translator(lang)
    job = export_jobs.find(workspace(request), str(request.path_params["token"]))
    user = current_user(request) or {}
    if job is None:
        return _refuse(request, 404, "not_found", t("export_job_missing"))
    if job.user_id != user.get("id"):
        return _refuse(request, 403, "no_permission", t("export_job_not_yours"))
    return job


def _refuse(request: Request, status: int, code: str, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    return page(request, "error.html", {"message": code, "detail": message}, status=status)


def job_page(request: Request) -> Response:
    """The export's page, or (to htmx polling it) its status partial alone."""
    job = _owned(request)
    if isinstance(job, Response):
        return job
    ws = workspace(request)
    form = ws.definitions.forms.get(job.form)
    context = {"job": job, "data": status_data(job), "form": form, "url": export_url(job.token)}
    name = "_export_job.html" if request.headers.get("hx-request") == "true" else "export_job.html"
    response = page(request, name, context)
    response.headers["cache-control"] = "no-store"
    response.headers["vary"] = "HX-Request"
    return response


def download(request: Request) -> Response:
    """The export's file, to the user who asked while they may still export the form."""
    job = _owned(request)
    if isinstance(job, Response):
        return job
    ws = workspace(request)
    t = translator(choose_language(request))
    if job.file is None:
        gone = job.status == "done"
        return _refuse(request, 410 if gone else 409, "not_found" if gone else "bad_query",
                       t("export_job_removed" if gone else "export_job_not_ready"))
    actor = actor_of(current_user(request) or {}, choose_language(request))
    if job.form not in ws.definitions.forms or not ws.records.guard(actor, job.form).access.can("export"):
        return _refuse(request, 403, "no_permission", t("export_job_no_right"))
    path = export_jobs.folder(ws) / job.file
    if not path.is_file():
        return _refuse(request, 410, "not_found", t("export_job_removed"))
    return FileResponse(path, media_type=TYPES.get(job.format, "application/octet-stream"),
                        headers={"content-disposition": attachment(job.filename, f"{job.form}.{job.format}"),
                                 "cache-control": "no-store"})


@form_view
def retry(request: Request, form: FormData) -> Response:
    """POST: a failed export is queued again; back to its page."""
    job = _owned(request)
    if isinstance(job, Response):
        return job
    export_jobs.retry(workspace(request), job.token)
    return RedirectResponse(export_url(job.token), status_code=303)


def api_status(request: Request) -> Response:
    """GET the export job's status as JSON (the API's answer to a big export points here)."""
    job = _owned(request)
    if isinstance(job, Response):
        return job
    return JSONResponse(status_data(job), headers={"cache-control": "no-store"})


ROUTES: list[BaseRoute] = [
    Route("/exports/{token}", job_page),
    Route("/exports/{token}/download", download),
    Route("/exports/{token}/retry", retry, methods=["POST"]),
    Route("/api/v1/exports/{token}", api_status),
]
