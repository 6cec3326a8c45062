"""Email tracking, reached from messages without signing in: /t/o/<token>.gif counts an open and answers a 1×1
GIF; /t/c/<token> counts a click and redirects to the link's URL — only one of the message's own links, named
by a token signed with the workspace secret. A bad click token is a 404 page, never an error."""

from __future__ import annotations

import base64

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.mail import counters
from engine.mail.tracking import read_click_token, read_open_token, record_click, record_open, signing_key
from web.endpoints import workspace

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1×1 transparent GIF
NO_CACHE = {"cache-control": "no-cache, no-store, must-revalidate, private, max-age=0", "pragma": "no-cache",
            "expires": "0"}
MAX_TOKEN = 4000


def _key(request: Request) -> str | None:
    ws = workspace(request)
    with ws.reading() as conn:
        return signing_key(conn, str(ws.settings.secret or ""))


def opened(request: Request) -> Response:
    """GET the open pixel: counts an open of the message (a token that is not ours counts nothing)."""
    ws, token = workspace(request), str(request.path_params["token"])[:MAX_TOKEN]
    message_id = read_open_token(_key(request), token)
    if message_id is not None:
        with ws.writing() as conn:
            if record_open(conn, message_id, ws.now()):
                counters.touch(conn, message_id, ws.now())
    return Response(PIXEL, media_type="image/gif", headers=NO_CACHE)


def clicked(request: Request) -> Response:
    """GET a tracked link: counts the click and redirects (302) to the link's URL; 404 for a token not ours."""
    ws, token = workspace(request), str(request.path_params["token"])
    found = read_click_token(_key(request), token) if len(token) <= MAX_TOKEN else None
    if found is None:
        raise HTTPException(404)
    with ws.writing() as conn:
        url = record_click(conn, found[0], found[1], ws.now())
        if url is not None:
            counters.touch(conn, found[0], ws.now())
    if url is None:
        raise HTTPException(404)
    return RedirectResponse(url, status_code=302, headers=NO_CACHE)


ROUTES: list[BaseRoute] = [
    Route("/t/o/{token}.gif", opened),
    Route("/t/c/{token}", clicked),
]
