"""Export the records a list shows (its filters, search and sort) as Excel or CSV, from the list page and the API.

GET /apps/{app}/{form}/export?format=xlsx|csv&f=…&q=…&sort=…&dir=…  (the list's own URL parameters)
GET /api/v1/{form}/export?format=csv|xlsx&q=…&sort=…&filter=…       (the API list's parameters)

Both need the export right (403 otherwise), write an `export` entry to the audit log, and send the file as an
attachment that is never cached. CSV is streamed as it is read; a workbook is built in a temporary file first (a
zip cannot be streamed), then sent in chunks. Every step runs in the thread pool, never on the event loop.
When more records match than the `export_background_rows` setting, the file is written by a background job
instead: the list page goes to the job's page (web.views.export_jobs), the API answers 202 with its status URL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from engine.bidi import without_controls
from engine.errors import QueryInvalid
from engine.i18n import text
from engine.records.export import PAGE_ROWS, Export, record_export, start_export
from engine.records.export_jobs import background_rows, queue_export
from engine.records.export_files import csv_chunks, write_xlsx
from engine.records.model import Actor, Query
from web.api.input import check_text
from web.api.records import _filters, _form_id
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.listing import request_state
from web.views.liststate import problem_text
from web.views.records import _form_or_404
from web.zones import user_tz

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
API_PARAMS = ("format", "q", "sort", "filter")
CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024  # a workbook up to this size stays in memory, a bigger one goes to a temporary file


def export_format(request: Request, default: str) -> str:
    """The `format` parameter (QueryInvalid unless it is xlsx or csv)."""
    fmt = request.query_params.get("format", default)
    if fmt not in FORMATS:
        raise QueryInvalid("bad_export_format", allowed=", ".join(FORMATS))
    return fmt


def export_list(request: Request) -> Response:
    """The list page's export: the records its URL's conditions, search and sort select."""
    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    lang = choose_language(request)
    fmt = export_format(request, "xlsx")
    state = request_state(request, form)
    if state.problems:
        detail = problem_text(state.problems[0], translator(lang), lang)
        return page(request, "error.html", {"message": "bad_query", "detail": detail}, status=400)
    query = state.query(PAGE_ROWS, user_tz(request))
    return send_export(request, form.id, query, fmt, actor_of(current_user(request) or {}, lang), lang)


class ApiExport(HTTPEndpoint):
    """/api/v1/{form}/export. An endpoint class, so the route takes every method: other methods get 405 with
    `Allow: GET, HEAD` here instead of reaching /api/v1/{form}/{id} as if `export` were a record id."""

    def get(self, request: Request) -> Response:
        """GET: the export (a plain method, so Starlette runs it in the thread pool)."""
        return export_api(request)


def export_api(request: Request) -> Response:
    """The API's export: `filter`, `q` and `sort` as in the API list (default format CSV)."""
    form_id = _form_id(request)
    params = request.query_params
    for name in API_PARAMS:
        if name in params:
            check_text(params[name], lambda: QueryInvalid("bad_text", label=name))
    fmt = export_format(request, "csv")
    sort = tuple((s.strip().lstrip("-"), s.strip().startswith("-")) for s in params.get("sort", "").split(",")
                 if s.strip().lstrip("-"))
    query = Query(filters=_filters(params.get("filter")), search=params.get("q") or None, sort=sort)
    lang = choose_language(request)
    return send_export(request, form_id, query, fmt, actor_of(current_user(request) or {}, lang), lang)


def send_export(request: Request, form_id: str, query: Query, fmt: str, actor: Actor, lang: str) -> Response:
    """Count and check (engine errors become 400/403 answers), audit, then send the file — or, for more records
    than the `export_background_rows` setting, queue a job writing it and point to the job's page."""
    ws = workspace(request)
    export: Export = start_export(ws.records, actor, form_id, query, lang)
    label = text(export.form.label, lang)
    filename = f"{without_controls(label)}-{ws.now().astimezone(ws.tz):%Y%m%d-%H%M}.{fmt}"
    address = request.client.host if request.client else None
    if export.total > background_rows(ws):
        token = queue_export(ws, actor, export, query, fmt, lang, filename, address)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"job": token, "status": f"/api/v1/exports/{token}", "rows_total": export.total},
                                status_code=202, headers={"location": f"/api/v1/exports/{token}"})
        return RedirectResponse(f"/exports/{token}", status_code=303)
    with ws.writing() as conn:
        record_export(conn, ws.now(), actor, form_id, fmt, export.total, query, address=address)
    headers = {"content-disposition": attachment(filename, f"{form_id}.{fmt}"), "cache-control": "no-store"}
    if fmt == "csv":
        return StreamingResponse(csv_chunks(export, lang), media_type=CSV_TYPE, headers=headers)
    spooled = _workbook(export, label)
    return StreamingResponse(_chunks(spooled), media_type=XLSX_TYPE, headers=headers)


def _workbook(export: Export, title: str) -> IO[bytes]:
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    write_xlsx(export, spooled, title)
    spooled.seek(0)
    return spooled


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK):
            yield chunk


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition for a download: an ASCII name for old clients and the UTF-8 one (RFC 6266)."""
    ascii_name = "".join(ch for ch in fallback if ch.isascii() and (ch.isalnum() or ch in "._-")) or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
