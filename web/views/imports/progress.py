"""Step 4: an import's progress (rows done / total, created, updated, skipped, errors, rate, time left), polled by
htmx every second while it runs, so it survives a reload; then its summary and the error report (xlsx). Only the
user who started an import sees it or its report."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from engine import imports
from engine.i18n import text
from engine.imports import ImportJob
from web.endpoints import form_view
from web.i18n import translator
from web.render import page
from web.views.export import XLSX_TYPE, attachment
from web.views.imports.access import Visit, past, visit, when
from web.zones import user_tz


def duration(seconds: int, t: Any) -> str:
    """Time left in words: '40 s', '3 min'."""
    if seconds < 90:
        return str(t("import_seconds").format(n=max(1, seconds)))
    return str(t("import_minutes").format(n=round(seconds / 60)))


def status_data(job: ImportJob, lang: str, tz: tzinfo) -> dict[str, Any]:
    """What the progress block shows of an import."""
    t = translator(lang)
    return {"status": job.status, "waiting": job.waiting, "percent": job.percent, "dry_run": job.dry_run,
            "handled": job.done, "total": job.total, "written": job.written, "updated": job.updated,
            "skipped": job.skipped, "errors": job.errors, "error": job.error,
            "rate": round(job.rate) if job.rate else None,
            "eta_text": duration(job.eta_seconds, t) if job.eta_seconds is not None else None,
            "filename": job.filename, "created_at": when(tz, job.created_at, lang)}


def owned(request: Request) -> tuple[Visit, ImportJob] | Response:
    """The visit and the import of the URL when the signed-in user started it (into this form); else the refusal."""
    v = visit(request)
    if isinstance(v, Response):
        return v
    t = translator(v.lang)
    job = imports.find(v.ws, str(request.path_params["token"]))
    if job is None or job.form != v.form.id:
        return page(request, "error.html", {"message": "not_found", "detail": t("import_missing")}, status=404)
    if job.user_id != v.user_id:
        return page(request, "error.html", {"message": "no_permission", "detail": t("import_not_yours")}, status=403)
    return v, job


def show(request: Request) -> Response:
    """GET the import's page, or (to htmx polling it) its progress block alone."""
    found = owned(request)
    if isinstance(found, Response):
        return found
    v, job = found
    context = {"form": v.form, "base": v.base, "url": f"{v.base}/imports/{job.token}",
               "data": status_data(job, v.lang, user_tz(request))}
    polled = request.headers.get("hx-request") == "true"
    if not polled:
        context["past"] = [p for p in past(request, v) if p["url"] != context["url"]]  # this one is shown above
    response = page(request, "imports/_progress.html" if polled else "imports/job.html", context)
    response.headers["cache-control"] = "no-store"
    response.headers["vary"] = "HX-Request"
    return response


def report(request: Request) -> Response:
    """GET the error report (xlsx, in the user's language) of a finished import with failed rows."""
    found = owned(request)
    if isinstance(found, Response):
        return found
    v, job = found
    if job.waiting or not job.has_report:
        t = translator(v.lang)
        return page(request, "error.html", {"message": "not_found", "detail": t("import_no_report")}, status=404)
    path = imports.write_report(v.ws, job.token, v.lang)
    name = f"{text(v.form.label, v.lang)}-{translator(v.lang)('import_report_name')}-{job.created_at:%Y%m%d-%H%M}.xlsx"
    return FileResponse(path, media_type=XLSX_TYPE, headers={
        "content-disposition": attachment(name, f"{v.form.id}-import-errors.xlsx"), "cache-control": "no-store"})


@form_view
def resume(request: Request, form: FormData) -> Response:
    """POST: a failed import runs again, after the last row it finished; back to its page."""
    found = owned(request)
    if isinstance(found, Response):
        return found
    v, job = found
    if job.status == "failed":
        imports.resume(v.ws, job.token)
    return RedirectResponse(f"{v.base}/imports/{job.token}", status_code=303)
