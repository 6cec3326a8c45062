"""File, image and signature fields: the upload endpoint, downloads, and turning posted file ids into references."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from engine.bidi import without_controls
from engine.definitions.model import FieldDef
from engine.errors import FieldValueError
from engine.files.policy import check_upload, holds_files
from engine.files.store import StoredFile
from engine.org.users import user_by_id
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.session import actor_of, current_user
from web.views.file_access import file_store, may_download, may_read_file
from web.views.pickers import find_field

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
STATUS = {"file_too_large": 413, "file_type_not_allowed": 415}
PNG_DATA_URL = "data:image/png;base64,"


def _media_field(request: Request) -> FieldDef | None:
    from web.views.records import _form_or_404

    form = _form_or_404(request)
    f = find_field(form, request.path_params["field"]) if form is not None else None
    return f if f is not None and holds_files(f) else None


async def upload(request: Request) -> Response:
    """POST one file (multipart field `file`) for a field; 201 with its reference, or an error naming the problem."""
    f = await run_in_threadpool(_upload_field, request)
    if isinstance(f, Response):
        return f
    async with request.form(max_files=1) as form:
        given = form.get("file")
        if not isinstance(given, UploadFile):
            return JSONResponse({"error": translator(choose_language(request))("upload_failed")}, status_code=400)
        data = await given.read()
        filename = given.filename or ""
    return await run_in_threadpool(_store, request, f, data, filename)


def _upload_field(request: Request) -> FieldDef | Response:
    """The media field an upload is for, or the refusal: no such field, or the user may not fill the form."""
    lang = choose_language(request)
    t = translator(lang)
    f = _media_field(request)
    if f is None:
        return JSONResponse({"error": t("no_such_field")}, status_code=404)
    actor = actor_of(current_user(request) or {}, lang)
    access = _ws(request).records.guard(actor, request.path_params["form"]).access
    if not (access.can("create") or access.can("update")):  # only someone who may fill the form uploads for it
        return JSONResponse({"error": t("no_permission")}, status_code=403)
    return f


def _store(request: Request, f: FieldDef, data: bytes, filename: str) -> Response:
    """Check the upload against the field and keep it: 201 with its reference, or the problem."""
    lang = choose_language(request)
    try:
        kind = check_upload(f, data)
    except FieldValueError as exc:
        return JSONResponse({"error": exc.error.message(lang)}, status_code=STATUS.get(exc.error.code, 400))
    user = current_user(request) or {}
    stored = file_store(_ws(request)).save(data, filename, kind, user.get("id"))
    return JSONResponse({**stored.ref(), "url": f"/files/{stored.id}", "image": stored.is_image}, status_code=201)


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


def download(request: Request) -> Response:
    """GET a stored file: a download, except real images which may show inline; never sniffed by the browser."""
    store = file_store(_ws(request))
    stored = store.get(request.path_params["id"])
    path = store.path(stored) if stored is not None and may_download(request, stored) else None
    if stored is None or path is None:  # someone else's file is as missing as an unknown one
        t = translator(choose_language(request))
        return Response(t("file_missing"), status_code=404, media_type="text/plain")
    inline = stored.content_type in INLINE_TYPES and request.query_params.get("download") is None
    name = without_controls(stored.name) or "file"  # a name saved before names were cleaned must not mislead
    return FileResponse(path, media_type=stored.content_type, filename=name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"cache-control": "private, max-age=3600"})


class MediaInput:
    """Turns what a form posts for media fields into references: file ids looked up, a drawn signature stored."""

    def __init__(self, ws: Workspace, user_id: int | None):
        self.ws, self.store, self.user_id = ws, file_store(ws), user_id

    def files(self, ids: list[str]) -> list[dict[str, Any]] | None:
        """References of the posted file ids (an unknown id stays bare, and the engine reports it). A file the user
        could not download counts as unknown: an id learnt elsewhere does not become one's own by attaching it."""
        found = {i: s for i, s in self.store.many(ids).items() if self._may_use(s)}
        refs = [found[i].ref() if i in found else {"id": i} for i in dict.fromkeys(ids) if i]
        return refs or None

    def _may_use(self, stored: StoredFile) -> bool:
        if self.user_id is not None and stored.created_by == self.user_id:
            return True
        with self.ws.statement() as conn:
            user = user_by_id(conn, self.user_id) if self.user_id is not None else None
        return user is not None and may_read_file(self.ws, user, stored)

    def signature(self, f: FieldDef, kept: str, drawn: str) -> Any:
        """A newly drawn signature (PNG data URL) stored as a file, else the kept one, else None."""
        if drawn.startswith(PNG_DATA_URL):
            try:
                data = base64.b64decode(drawn[len(PNG_DATA_URL):], validate=True)
                kind = check_upload(f, data)
            except (binascii.Error, ValueError, FieldValueError):
                return drawn[:40]  # not a PNG: the engine answers that a signature must be a file reference
            return self.store.save(data, f"{f.id}.png", kind, self.user_id).ref()
        refs = self.files([kept]) if kept else None
        return refs[0] if refs else None
