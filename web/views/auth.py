"""Sign in, sign out and language switching."""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.audit import record_audit
from engine.org.signin import sign_in as check_sign_in
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import current_user, sign_in, sign_out


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target or urlparse(target).netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:  # browsers read `/\evil.example` as `//evil.example`
        return "/"
    return target


@form_view
def login(request: Request, form: FormData) -> Response:
    """GET shows the sign-in form; POST checks the password and starts a new session."""
    if request.method == "GET":
        return page(request, "login.html", {"next": request.query_params.get("next", "/"), "error": None})
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    ws = workspace(request)
    address = request.client.host if request.client else None
    with ws.writing() as conn:
        outcome = check_sign_in(conn, username, password, address, ws.now())
    if outcome.user is None:
        throttled = outcome.refused == "throttled"
        minutes = max(1, (outcome.retry_after + 59) // 60)
        message = translator(choose_language(request))("sign_in_throttled").format(minutes=minutes) \
            if throttled else None
        return page(request, "login.html", {"next": form.get("next", "/"), "error": "bad_login", "username": username,
                                            "throttled": message},
                    status=429 if throttled else 401)
    sign_in(request, outcome.user)
    return RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)


def logout(request: Request) -> Response:
    """End the session: its row is deleted, so a copy of the cookie stops working too."""
    user = current_user(request)
    if user is not None:
        ws = workspace(request)
        with ws.writing() as conn:
            record_audit(conn, ws.now(), "sign_out", actor_id=int(user["id"]),
                         address=request.client.host if request.client else None)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


def language(request: Request) -> Response:
    """Switch the interface language, then go back."""
    code = request.path_params["code"]
    if code in ("zh", "en"):
        request.session["lang"] = code
    return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
