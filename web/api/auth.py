"""Bearer-token authentication for /api/: `Authorization: Bearer fw_…` acts as the token's user, without cookies."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.org.tokens import TokenRefused, needs_touch, touch_token
from web.endpoints import workspace

CHALLENGE = {"www-authenticate": 'Bearer realm="formwork"'}


def unauthorized(code: str, zh: str, en: str) -> JSONResponse:
    """A 401 JSON error that tells the client how to authenticate."""
    return JSONResponse({"error": {"code": code, "message": {"zh": zh, "en": en}}}, status_code=401, headers=CHALLENGE)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header ('' for another scheme or an empty token), None without one."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_refusal(request: Request, token: str) -> Response | None:
    """Authenticate the request by its bearer token (the user is cached on the request), or a 401 saying why not."""
    ws = workspace(request)
    now = ws.now()
    try:
        with ws.statement() as conn:  # the marks, then (unless kept) the token: no snapshot across them is needed
            use = ws.identities.token(conn, token, now)
    except TokenRefused as exc:
        return unauthorized(exc.code, exc.error.message("zh"), exc.error.message("en"))
    if needs_touch(use.last_used, now):
        with ws.writing() as conn:
            touch_token(conn, use.token_id, now)
            ws.identities.token_touched(conn, token, now)
    request.scope["formwork.user"] = use.user
    request.scope["formwork.auth"] = "token"
    return None
