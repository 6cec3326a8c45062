"""Who is signed in, and the CSRF token that every unsafe request must carry."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import Request

from engine.org.account import session_stamp
from engine.org.users import user_by_id
from engine.records.model import Actor
from web.endpoints import workspace
from web.form_limits import read_form

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def csrf_ok(request: Request) -> bool:
    """True when an unsafe request carries the session's token (form field or header)."""
    if request.method not in UNSAFE:
        return True
    expected = request.session.get("csrf")
    if not expected:
        return False
    given = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded",
                                                                          "multipart/form-data")):
        form = await read_form(request)  # FormRefused past a limit: the Guard answers it
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
        await form.close()  # uploaded parts are spooled to temporary files; the endpoint parses its own copy
    return bool(given) and hmac.compare_digest(str(given), str(expected))


def sign_in(request: Request, user: dict[str, Any]) -> None:
    """Start a fresh session for the user (the old session's contents are dropped)."""
    lang = user.get("language") or request.session.get("lang")  # the user's saved preference wins
    request.session.clear()
    request.session.update(user_id=int(user["id"]), csrf=secrets.token_urlsafe(32), stamp=session_stamp(user))
    if lang:
        request.session["lang"] = lang
    request.scope.pop("formwork.user", None)


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


def current_user(request: Request) -> dict[str, Any] | None:
    """The signed-in (or bearer-token) active user, or None; a session from before a password change is over."""
    cached = request.scope.get("formwork.user")
    if cached is not None:
        return dict(cached)
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if not isinstance(user_id, int):
        return None
    with workspace(request).statement() as conn:  # two reads; no snapshot needed
        user = user_by_id(conn, user_id)
    if user is None or not user["active"] or request.session.get("stamp") != session_stamp(user):
        return None
    request.scope["formwork.user"] = user
    return user


def actor_of(user: dict[str, Any], lang: str) -> Actor:
    """The engine's view of a signed-in user."""
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"),
                 roles=frozenset(user.get("roles", [])), is_admin=bool(user.get("is_admin")), language=lang,
                 timezone=user.get("timezone") or None)
