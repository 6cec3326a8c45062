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
    (a GET gets b"")."""
    async def endpoint(request: Request) -> Response:
        body = await request.body() if request.method in WITH_BODY else b""
        return await run_in_threadpool(view, request, body)
    return functools.update_wrapper(endpoint, view)
