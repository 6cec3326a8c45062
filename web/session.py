"""Who is signed in, and the CSRF token that every unsafe request must carry."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import Request

from engine.org import sessions
from engine.records.model import Actor
from web.endpoints import workspace
from web.form_limits import read_form
from web.sessions import state_of

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
    # compared as bytes: compare_digest refuses text outside ASCII, and a forged token may hold anything
    return bool(given) and hmac.compare_digest(str(given).encode("utf-8", "surrogatepass"),
                                               str(expected).encode("utf-8", "surrogatepass"))


def _client(request: Request) -> tuple[str | None, str | None]:
    """The client's address and user agent, as a session records them."""
    return (request.client.host if request.client else None), request.headers.get("user-agent")


def sign_in(request: Request, user: dict[str, Any]) -> None:
    """Start a fresh session for the user: a new id (whatever the browser sent is never reused) and a new CSRF
    token; the session the request came with, if any, ends."""
    ws, state = workspace(request), state_of(request.scope)
    lang = user.get("language") or request.session.get("lang")  # the user's saved preference wins
    data = {"csrf": secrets.token_urlsafe(32), **({"lang": lang} if lang else {})}
    with ws.writing() as conn:
        if state.session is not None:
            sessions.end(conn, state.session.key)
        state.issued, state.session = sessions.create(conn, int(user["id"]), data, ws.now(), *_client(request))
    state.baseline = dict(data)
    request.session.clear()
    request.session.update(data)
    request.scope.pop("formwork.user", None)


def sign_out(request: Request) -> None:
    """End the session: its row is deleted, so a copy of the cookie no longer works; the chosen language stays."""
    state = state_of(request.scope)
    if state.session is not None:
        with workspace(request).writing() as conn:
            sessions.end(conn, state.session.key)
    lang = request.session.get("lang")
    state.session, state.issued, state.drop_cookie, state.baseline = None, None, True, {}
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.scope.pop("formwork.user", None)


def session_key(request: Request) -> str | None:
    """The stored key of the request's session (None when signed out)."""
    session = state_of(request.scope).session
    return session.key if session is not None else None


def current_user(request: Request) -> dict[str, Any] | None:
    """The signed-in (or bearer-token) active user, or None."""
    cached = request.scope.get("formwork.user")
    if cached is not None:
        return dict(cached)
    session = state_of(request.scope).session
    if session is None:
        return None
    ws = workspace(request)
    with ws.statement() as conn:
        user = ws.identities.user(conn, session.user_id)
    if user is None or not user["active"]:
        return None
    request.scope["formwork.user"] = user
    return user


def actor_of(user: dict[str, Any], lang: str) -> Actor:
    """The engine's view of a signed-in user."""
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"),
                 roles=frozenset(user.get("roles", [])), is_admin=bool(user.get("is_admin")), language=lang,
                 timezone=user.get("timezone") or None, viewer=user.get("viewer"))
