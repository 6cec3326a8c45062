"""How views stay off the event loop, and the workspace they work on.

The engine is synchronous (SQLAlchemy), so a view that touches the database or files is a plain `def`: Starlette
runs it in its thread pool and one slow request never stalls the others. A view that needs the request body
awaits it on the loop and runs the rest in the pool; `form_view` and `body_view` do exactly that, so such a view
is a plain function of the request and its input.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from web.form_limits import read_form

if TYPE_CHECKING:
    from engine.workspace import Workspace

Endpoint = Callable[[Request], Awaitable[Response]]
WITH_BODY = ("POST", "PUT", "PATCH", "DELETE")
# scope key: a check the Guard left to the endpoint's thread (an API token's), returning the response to send instead
# (a refusal) or None; only endpoints marked CHECKS_IN_THREAD get one
PENDING_CHECK = "formwork.pending_check"
CHECKS_IN_THREAD = "checks_in_thread"


def workspace(request: Request) -> Workspace:
    """The workspace the application serves (create_app put it on the app's state)."""
    return cast("Workspace", request.app.state.ws)


def form_view(view: Callable[[Request, FormData], Response]) -> Endpoint:
    """An endpoint that reads the posted form on the event loop, then runs `view(request, form)` in the thread
    pool (a GET gets an empty form)."""
    async def endpoint(request: Request) -> Response:
        form = await read_form(request) if request.method in WITH_BODY else FormData()
        return await run_in_threadpool(view, request, form)
    return functools.update_wrapper(endpoint, view)


def body_view(view: Callable[[Request, bytes], Response]) -> Endpoint:
    """An endpoint that reads the raw body on the event loop, then runs `view(request, body)` in the thread pool
    (a GET gets b""), after the check the Guard left pending, in the same trip to the pool."""
    async def endpoint(request: Request) -> Response:
        body = await request.body() if request.method in WITH_BODY else b""
        return await run_in_threadpool(_checked, view, request, body)
    wrapped = functools.update_wrapper(endpoint, view)
    setattr(wrapped, CHECKS_IN_THREAD, True)
    return wrapped


def _checked(view: Callable[[Request, bytes], Response], request: Request, body: bytes) -> Response:
    check: Callable[[], Response | None] | None = request.scope.pop(PENDING_CHECK, None)
    refusal = check() if check is not None else None
    return refusal if refusal is not None else view(request, body)
