"""Server-side sessions: the middleware that puts a request's session in `scope["session"]` and keeps it.

A signed-in browser's cookie `formwork_session` holds nothing but a random id (256 bits); the `sessions` table holds
its SHA-256, the user and the session's data (CSRF token, language, list notices, submit tokens — see
engine/org/sessions.py). Signing out deletes the row, so a copied cookie stops working at once.

Signed-out visitors get no row: bots fetching /login would otherwise fill the table. What a visitor needs before
signing in — the sign-in form's CSRF token and a chosen language, nothing else and never an identity — travels in a
small signed cookie `formwork_visitor`, dropped at sign-in. Identity only ever comes from a session row.

`scope["session"]` stays a plain dict, so views read and write `request.session` as before. Its data is written
back only when a request changed it (only the keys it changed, merged into what is stored); the row's last use is
written at most once a minute. All database work runs in the thread pool, never on the event loop.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import itsdangerous
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.org import sessions as store
from engine.org.sessions import Policy, Session

if TYPE_CHECKING:
    from engine.workspace import Workspace

SESSION_COOKIE = "formwork_session"
VISITOR_COOKIE = "formwork_visitor"
VISITOR_KEYS = ("csrf", "lang")  # all a signed-out visitor's cookie may carry
VISITOR_MAX_AGE = 14 * 24 * 3600
NO_SESSION = ("/static/",)  # paths that never use a session: no cookie read, no database work
STATE = "formwork.session"
FLAGS = "Path=/; HttpOnly; SameSite=Lax"  # SecureCookies adds Secure when the site is served over HTTPS


@dataclass
class SessionState:
    """What the middleware knows about a request's session, and what sign-in and sign-out changed in it."""

    session: Session | None = None  # the signed-in session the request uses
    baseline: dict[str, Any] = field(default_factory=dict)  # its data (or the visitor's) before the view ran
    issued: str | None = None  # a new session id for the cookie (sign-in)
    drop_cookie: bool = False  # the session cookie names no live session (any more)
    visitor_cookie: bool = False  # the request came with a visitor cookie


def state_of(scope: Scope) -> SessionState:
    """The request's session state (an empty one where the middleware did not run, as for static files)."""
    state = scope.get(STATE)
    if not isinstance(state, SessionState):
        state = scope[STATE] = SessionState()
    return state


def _cookie(name: str, value: str, max_age: int) -> str:
    if max_age <= 0:
        return f"{name}=; {FLAGS}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    return f"{name}={value}; {FLAGS}; Max-Age={max_age}"


class ServerSessions:
    """ASGI middleware: load the session the cookie names (checking idle timeout and lifetime), hand the view its
    data as `scope["session"]`, and on the response save what changed and set or clear cookies."""

    def __init__(self, app: ASGIApp, ws: Workspace, policy: Policy, secret: str):
        self.app, self.ws, self.policy = app, ws, policy
        self.signer = itsdangerous.TimestampSigner(secret, salt="formwork.visitor")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NO_SESSION):
            if scope["type"] == "http":
                scope["session"] = {}
            await self.app(scope, receive, send)
            return
        cookies = HTTPConnection(scope).cookies
        state = scope[STATE] = SessionState(visitor_cookie=VISITOR_COOKIE in cookies)
        session_id = cookies.get(SESSION_COOKIE)
        if session_id:
            state.session = await run_in_threadpool(self._open, session_id)
            state.drop_cookie = state.session is None
        state.baseline = state.session.data if state.session else self._visitor(cookies.get(VISITOR_COOKIE))
        scope["session"] = copy.deepcopy(state.baseline)

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._finish(scope, state, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _open(self, session_id: str) -> Session | None:
        """The live session for the cookie's id; its last use is written down at most once a minute."""
        now = self.ws.now()
        with self.ws.statement() as conn:
            session = store.load(conn, session_id, now, self.policy)
        if session is not None and store.needs_touch(session, now):
            with self.ws.writing() as conn:
                store.touch(conn, session.key, now)
        return session

    def _visitor(self, raw: str | None) -> dict[str, Any]:
        """The signed-out visitor's data from their signed cookie ({} when absent, forged or too old)."""
        if not raw:
            return {}
        try:
            data = json.loads(base64.b64decode(self.signer.unsign(raw, max_age=VISITOR_MAX_AGE)))
        except (itsdangerous.BadData, ValueError):
            return {}
        return {k: data[k] for k in VISITOR_KEYS if isinstance(data, dict) and isinstance(data.get(k), str)}

    async def _finish(self, scope: Scope, state: SessionState, headers: MutableHeaders) -> None:
        """Keep what the request changed; set the cookie of a new session, clear that of an ended one."""
        data: dict[str, Any] = scope["session"]
        if state.issued:
            lifetime = int(self.policy.lifetime.total_seconds())  # the row ends then anyway
            headers.append("set-cookie", _cookie(SESSION_COOKIE, state.issued, lifetime))
        elif state.drop_cookie:
            headers.append("set-cookie", _cookie(SESSION_COOKIE, "", 0))
        if state.session is not None:
            if state.visitor_cookie:
                headers.append("set-cookie", _cookie(VISITOR_COOKIE, "", 0))
            changed = {k: v for k, v in data.items() if k not in state.baseline or state.baseline[k] != v}
            removed = [k for k in state.baseline if k not in data]
            if changed or removed:
                await run_in_threadpool(self._save, state.session.key, changed, removed)
            return
        visitor = {k: data[k] for k in VISITOR_KEYS if isinstance(data.get(k), str)}
        if visitor == state.baseline:
            return
        if visitor:
            value = self.signer.sign(base64.b64encode(json.dumps(visitor).encode())).decode()
            headers.append("set-cookie", _cookie(VISITOR_COOKIE, value, VISITOR_MAX_AGE))
        elif state.visitor_cookie:
            headers.append("set-cookie", _cookie(VISITOR_COOKIE, "", 0))

    def _save(self, key: str, changed: dict[str, Any], removed: list[str]) -> None:
        with self.ws.writing() as conn:
            store.save(conn, key, changed, removed, self.ws.now())
