"""What every /admin page shares: administrators only, the client's address for the audit log, and reading
ids from posted forms without ever failing on bad input."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Concatenate, ParamSpec

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from engine.org.users import user_by_id
from web.endpoints import workspace
from web.render import page
from web.session import current_user

P = ParamSpec("P")
View = Callable[Concatenate[Request, P], Response]


def admin_only(view: View[P]) -> View[P]:
    """Wrap a view (a plain function of the request and maybe its input) so that anyone but an administrator
    gets the 403 page (GET and POST alike)."""
    def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        user = current_user(request)
        if not user or not user.get("is_admin"):
            return page(request, "error.html", {"message": "no_permission"}, status=403)
        return view(request, *args, **kwargs)
    functools.update_wrapper(guarded, view)
    return guarded


def admin_id(request: Request) -> int:
    """The signed-in administrator's user id (admin_only has checked there is one)."""
    user = current_user(request)
    assert user is not None
    return int(user["id"])


def address_of(request: Request) -> str | None:
    """The client's address, as the audit log records it."""
    return request.client.host if request.client else None


def path_id(request: Request) -> int:
    """The `{id:int}` of the URL."""
    return int(request.path_params["id"])


def int_or_none(raw: Any) -> int | None:
    """A posted id: a whole number, or None for empty or anything else (the engine reports unknown ids)."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def int_list(raw: Iterable[Any]) -> list[int]:
    """Posted ids (checkboxes, multi-selects), bad ones dropped."""
    return [i for i in (int_or_none(r) for r in raw) if i is not None]


def no_store(response: Response) -> Response:
    """Keep a page that shows a password from every cache."""
    response.headers["cache-control"] = "no-store"
    return response


def user_or_404(request: Request, user_id: int) -> dict[str, Any]:
    """The user with this id, or the 404 page."""
    with workspace(request).reading() as conn:
        user = user_by_id(conn, user_id)
    if user is None:
        raise HTTPException(404)
    return user
