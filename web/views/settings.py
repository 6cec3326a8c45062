"""/settings: the signed-in user's password, language, time zone, personal API tokens and signed-in sessions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.audit import record_audit
from engine.errors import FieldError, RecordInvalid
from engine.org import sessions
from engine.org.account import change_password, set_language, set_timezone
from engine.org.tokens import EXPIRY_LABEL, create_token, list_tokens, revoke_token
from engine.org.users import user_by_id
from engine.zones import COMMON_ZONES
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import current_user, session_key, sign_in
from web.user_agents import describe_agent
from web.zones import user_tz

NOTICES = ("password", "language", "timezone", "revoked", "session_ended", "sessions_ended", "session_gone")


def _user_id(request: Request) -> int:
    user = current_user(request)
    assert user is not None  # the Guard lets only signed-in users reach /settings
    return int(user["id"])


def _render(request: Request, status: int = 200, errors: Mapping[str, list[FieldError]] | None = None,
            **extra: Any) -> Response:
    ws = workspace(request)
    with ws.reading() as conn:
        tokens = list_tokens(conn, _user_id(request))
        signed_in = sessions.list_sessions(conn, _user_id(request), ws.now(), _policy(request))
    notice = request.query_params.get("done")
    tz = user_tz(request)
    context = {"tokens": tokens, "now": ws.now(), "errors": errors or {}, "new_token": None, "values": {},
               "notice": notice if notice in NOTICES else None,
               "zones": COMMON_ZONES, "workspace_zone": str(ws.tz), **_sessions_context(request, signed_in),
               "valid_through": lambda at: (at.astimezone(tz) - timedelta(microseconds=1)).date().isoformat(),
               **extra}
    response = page(request, "settings.html", context, status=status)
    response.headers["cache-control"] = "no-store"  # the page may show a new token's secret
    return response


def _policy(request: Request) -> sessions.Policy:
    return sessions.Policy.from_settings(workspace(request).settings.values)


def _duration(minutes: int, t: Callable[[str], str]) -> str:
    """A duration in the largest whole unit that fits (7 days, 12 hours, 30 minutes)."""
    for size, key in ((24 * 60, "sessions_days"), (60, "sessions_hours")):
        if minutes % size == 0:
            return t(key).format(n=minutes // size)
    return t("sessions_minutes").format(n=minutes)


def _sessions_context(request: Request, signed_in: list[sessions.Session]) -> dict[str, Any]:
    """The user's sessions in words, this device first, and how long sessions last."""
    t, here, policy = translator(choose_language(request)), session_key(request), _policy(request)
    rows = [{"key": s.key, "device": describe_agent(s.user_agent, t), "address": s.address,
             "created_at": s.created_at, "last_seen_at": s.last_seen_at, "current": s.key == here}
            for s in signed_in]
    rows.sort(key=lambda row: not row["current"])  # stable: the others stay most recent first
    help_text = t("sessions_help").format(idle=_duration(int(policy.idle.total_seconds()) // 60, t),
                                          lifetime=policy.lifetime.days)
    return {"sessions": rows, "sessions_help": help_text}


def settings_page(request: Request) -> Response:
    """GET the settings page."""
    return _render(request)


@form_view
def password(request: Request, form: FormData) -> Response:
    """POST: change the password; the session is renewed and every other session of the user ends."""
    fields = [str(form.get(k, "")) for k in ("current_password", "new_password", "repeat_password")]
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            change_password(conn, _user_id(request), *fields)  # every session of the user ends; this one renews
            user = user_by_id(conn, _user_id(request))
            record_audit(conn, ws.now(), "password_changed", actor_id=_user_id(request), address=_address(request))
    except RecordInvalid as exc:
        return _render(request, 422, exc.errors)
    assert user is not None
    sign_in(request, user)
    return RedirectResponse("/settings?done=password", status_code=303)


@form_view
def language(request: Request, form: FormData) -> Response:
    """POST: save the interface language ('' follows the browser)."""
    code = str(form.get("language", "")) or None
    try:
        with workspace(request).writing() as conn:
            set_language(conn, _user_id(request), code)
    except RecordInvalid as exc:
        return _render(request, 422, exc.errors)
    if code:
        request.session["lang"] = code
    else:
        request.session.pop("lang", None)
    return RedirectResponse("/settings?done=language", status_code=303)


@form_view
def timezone(request: Request, form: FormData) -> Response:
    """POST: save the time zone dates and times are shown and typed in ('' follows the workspace)."""
    name = str(form.get("timezone", "")).strip() or None
    try:
        with workspace(request).writing() as conn:
            set_timezone(conn, _user_id(request), name)
    except RecordInvalid as exc:
        return _render(request, 422, exc.errors)
    return RedirectResponse("/settings?done=timezone", status_code=303)


def _expiry(raw: str, request: Request) -> datetime | None:
    """The end of the chosen day in the user's zone (a token is valid through its last day)."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise RecordInvalid({"expires_at": [FieldError("bad_format", {"label": EXPIRY_LABEL, "expected": "YYYY-MM-DD"})]})
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=user_tz(request))


@form_view
def tokens(request: Request, form: FormData) -> Response:
    """POST: create a token and show its secret this once."""
    name, expires = str(form.get("name", "")), str(form.get("expires_at", ""))
    ws = workspace(request)
    try:
        with ws.writing() as conn:
            new = create_token(conn, _user_id(request), name, ws.now(), _expiry(expires, request))
    except RecordInvalid as exc:
        return _render(request, 422, exc.errors, values={"name": name, "expires_at": expires})
    return _render(request, new_token=new)


def revoke(request: Request) -> Response:
    """POST: revoke one of the user's tokens."""
    try:
        token_id = int(request.path_params["id"])
        if not 0 < token_id < 2**63:
            raise ValueError(token_id)
    except ValueError:
        raise HTTPException(404) from None
    ws = workspace(request)
    with ws.writing() as conn:
        if not revoke_token(conn, _user_id(request), token_id, ws.now()):
            raise HTTPException(404)
    return RedirectResponse("/settings?done=revoked", status_code=303)


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def end_session(request: Request) -> Response:
    """POST: sign one of the user's other sessions out (this device signs out with the header's button)."""
    key = request.path_params["key"]
    if len(key) != 64 or key == session_key(request):
        raise HTTPException(404)
    ws, user_id = workspace(request), _user_id(request)
    with ws.writing() as conn:
        ended = sessions.end(conn, key, user_id)
        if ended is not None:
            record_audit(conn, ws.now(), "sign_out", actor_id=user_id, address=_address(request),
                         detail={"other_sessions": 1, "user_agent": ended.user_agent, "from": ended.address})
    done = "session_ended" if ended is not None else "session_gone"
    return RedirectResponse(f"/settings?done={done}#sessions", status_code=303)


def end_other_sessions(request: Request) -> Response:
    """POST: sign out everywhere but this device."""
    ws, user_id = workspace(request), _user_id(request)
    with ws.writing() as conn:
        count = sessions.end_all(conn, user_id, keep=session_key(request))
        record_audit(conn, ws.now(), "sign_out", actor_id=user_id, address=_address(request),
                     detail={"other_sessions": count})
    return RedirectResponse("/settings?done=sessions_ended#sessions", status_code=303)
