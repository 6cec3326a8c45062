"""GET /files/{id}/thumb/{size}: a small copy of a stored picture for gallery cards, under the download route's access
rule (someone else's file is as missing as an unknown one: 404), cached on disk and in the browser. A file that is
not a readable picture gets a drawn "no preview" placeholder, never an error page inside an <img>."""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from engine.files.thumbnails import MEDIA_TYPE, SIZES, Thumbnails
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.views.file_access import file_store, may_download

CACHE = "private, max-age=86400"  # a stored file never changes; private: it is someone's file, like the download
PLACEHOLDER_CACHE = "private, max-age=300"


def thumbnails(ws: Workspace) -> Thumbnails:
    """The workspace's thumbnail cache: `<home>/thumbnails`, beside the file store's `<home>/files`."""
    return Thumbnails(ws.settings.home_path / "thumbnails")


def thumbnail(request: Request) -> Response:
    """GET a stored file's picture fitted within one of SIZES pixels, as WebP (a plain def: Starlette runs it in a
    thread, as decoding a picture takes a while)."""
    t = translator(choose_language(request))
    size = request.path_params["size"]
    if size not in {str(s) for s in SIZES}:
        sizes = ", ".join(map(str, SIZES))
        return Response(t("thumb_size_bad").format(sizes=sizes), status_code=400, media_type="text/plain")
    ws = request.app.state.ws
    store = file_store(ws)
    stored = store.get(request.path_params["id"])
    path = store.path(stored) if stored is not None and may_download(request, stored) else None
    if stored is None or path is None:  # exactly as the download route answers
        return Response(t("file_missing"), status_code=404, media_type="text/plain")
    return _answer(request, stored.id, stored.content_type, path, int(size))


def _answer(request: Request, file_id: str, content_type: str, path: Path, size: int) -> Response:
    """The cached copy, or the placeholder when the file has no picture to show."""
    made = thumbnails(request.app.state.ws).get(file_id, content_type, path, size)
    if made is None:
        t = translator(choose_language(request))
        return Response(placeholder(t("thumb_none"), size), media_type="image/svg+xml",
                        headers={"cache-control": PLACEHOLDER_CACHE, "vary": "Accept-Language"})
    return FileResponse(made, media_type=MEDIA_TYPE, headers={"cache-control": CACHE})


def placeholder(words: str, size: int) -> str:
    """A grey 4:3 picture with a picture icon and `words`, as SVG (no script, no outside reference)."""
    height = size * 3 // 4
    cx, cy = size // 2, height // 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" viewBox="0 0 {size} {height}">'
            f'<rect width="100%" height="100%" fill="#f1f5f9"/>'
            f'<rect x="{cx - 18}" y="{cy - 30}" width="36" height="28" rx="3" fill="none" stroke="#94a3b8" '
            f'stroke-width="2"/><path d="M{cx - 14} {cy - 6} l9 -10 7 7 5 -4 7 7" fill="none" stroke="#94a3b8" '
            f'stroke-width="2"/><text x="{cx}" y="{cy + 18}" text-anchor="middle" font-family="sans-serif" '
            f'font-size="13" fill="#64748b">{escape(words)}</text></svg>')
