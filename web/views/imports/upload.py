"""Step 1: the upload. GET shows the file input (accepted kinds, size limit, the template link) and the user's past
imports; POST receives the file, refuses what cannot be imported with a message on this page (4xx), keeps it in the
engine's staging area and goes on to the column matching."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import IO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from engine import imports
from engine.i18n import text
from engine.imports import ImportRefused
from web.form_limits import FormRefused, read_form
from web.i18n import translator
from web.render import page
from web.views.export import XLSX_TYPE, attachment
from web.views.imports.access import Visit, past, refusal_status, visit

MB = 1024 * 1024
CHUNK = MB  # bytes copied at a time


def size_text(mb: float) -> str:
    """A size limit as people read it: '100 MB', '1.5 MB'."""
    return f"{mb:g} MB"


def upload_page(request: Request, v: Visit, refusal: str = "", status: int = 200) -> Response:
    """The upload step, with a refusal's message when the last upload was refused."""
    context = {"form": v.form, "base": v.base, "accept": imports.ACCEPT, "max_size": size_text(imports.max_mb(v.ws)),
               "max_bytes": int(imports.max_mb(v.ws) * MB),
               "template_url": f"{v.start}/template.xlsx", "refusal": refusal, "past": past(request, v)}
    return page(request, "imports/upload.html", context, status=status)


def too_large(request: Request, size: int | None) -> Response:
    """The upload step refusing a body over the import limit, before it was read (the Guard calls it)."""
    v = visit(request)
    if isinstance(v, Response):
        return v
    limit = imports.max_mb(v.ws)
    size_mb = round(size / MB, 1) if size is not None else f"> {limit:g}"
    refusal = ImportRefused("too_big", size=size_mb, limit=f"{limit:g}").message(v.lang)
    return upload_page(request, v, refusal, 413)


def show(request: Request) -> Response:
    """GET the upload step."""
    v = visit(request)
    return v if isinstance(v, Response) else upload_page(request, v)


async def receive(request: Request) -> Response:
    """POST a file: refused (4xx, the message on the page) or staged, then on to the mapping step."""
    v = await run_in_threadpool(visit, request)
    if isinstance(v, Response):
        return v
    try:
        form = await read_form(request)
    except FormRefused as exc:
        return await run_in_threadpool(upload_page, request, v, exc.zh if v.lang == "zh" else exc.en, exc.status)
    given = form.get("file")
    if not isinstance(given, UploadFile) or not given.filename:
        await form.close()
        return await run_in_threadpool(upload_page, request, v, translator(v.lang)("import_no_file"), 400)
    try:
        return await run_in_threadpool(stage, request, v, given.file, given.filename)
    finally:
        await form.close()


def stage(request: Request, v: Visit, source: IO[bytes], filename: str) -> Response:
    """Check the uploaded file as the engine reads it and keep it for the next steps; the refusal otherwise."""
    with tempfile.TemporaryDirectory(prefix="formwork-import-") as folder:
        path = Path(folder) / "upload"
        source.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        try:
            imports.inspect_file(path, limit_mb=imports.max_mb(v.ws))
        except ImportRefused as exc:
            return upload_page(request, v, exc.message(v.lang), refusal_status(exc))
        token = imports.stage_upload(v.ws, v.user_id, path, Path(filename).name, move=True)
    return RedirectResponse(f"{v.start}/{token}/mapping", status_code=303)


async def endpoint(request: Request) -> Response:
    """/apps/{app}/{form}/import: GET the upload step, POST a file."""
    if request.method == "POST":
        return await receive(request)
    return await run_in_threadpool(show, request)


def template(request: Request) -> Response:
    """GET an xlsx whose header row names the form's importable fields, in the user's language."""
    v = visit(request)
    if isinstance(v, Response):
        return v
    path = imports.write_template(v.ws, v.form.id, v.lang, v.actor)
    name = f"{text(v.form.label, v.lang)}-{translator(v.lang)('import_template_name')}.xlsx"
    return FileResponse(path, media_type=XLSX_TYPE, headers={
        "content-disposition": attachment(name, f"{v.form.id}-import-template.xlsx"), "cache-control": "no-store"})
