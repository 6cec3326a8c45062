"""Sign in, sign out and language switching."""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.org.users import authenticate
from engine.storage.database import read_transaction
from web.render import page
from web.session import sign_in, sign_out


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target or urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


async def login(request: Request) -> Response:
    """GET shows the sign-in form; POST checks the password and starts a new session."""
    if request.method == "GET":
        return page(request, "login.html", {"next": request.query_params.get("next", "/"), "error": None})
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    with read_transaction(request.app.state.ws.engine) as conn:
        user = authenticate(conn, username, password)
    if user is None:
        return page(request, "login.html", {"next": form.get("next", "/"), "error": "bad_login", "username": username},
                    status=401)
    sign_in(request, user)
    return RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


async def language(request: Request) -> Response:
    """Switch the interface language, then go back."""
    code = request.path_params["code"]
    if code in ("zh", "en"):
        request.session["lang"] = code
    return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
