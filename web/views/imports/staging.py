"""An uploaded file between the steps: the engine keeps it (staged, the owner checked); the choices made on the
mapping step stay in the user's server-side session until the import starts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine import imports
from engine.imports import ImportOptions, Staged
from web.i18n import translator
from web.render import page
from web.views.imports.access import Visit, visit

SESSION_KEY = "import_options"
KEPT = 5  # uploads whose choices the session remembers (the newest)


def staged_or_refusal(request: Request) -> tuple[Visit, Staged] | Response:
    """The visit and the staged upload of the URL when it is the user's; else the visit's refusal, or a 404 page
    saying to upload it again."""
    v = visit(request)
    if isinstance(v, Response):
        return v
    found = imports.staged(v.ws, v.user_id, str(request.path_params["stage"]))
    if found is None:
        t = translator(v.lang)
        return page(request, "error.html", {"message": "not_found", "detail": t("import_gone")}, status=404)
    return v, found


def chosen(request: Request, token: str) -> ImportOptions | None:
    """The choices made for the staged upload (None before the mapping step was sent)."""
    payload = (request.session.get(SESSION_KEY) or {}).get(token)
    return ImportOptions.from_payload(payload) if isinstance(payload, dict) else None


def remember(request: Request, token: str, options: ImportOptions) -> None:
    """Keep the choices for the preview and start steps."""
    kept = {k: v for k, v in (request.session.get(SESSION_KEY) or {}).items() if k != token}
    kept = dict(list(kept.items())[-(KEPT - 1):])
    kept[token] = options.as_payload()
    request.session[SESSION_KEY] = kept


def forget(request: Request, token: str) -> None:
    """Drop the choices once the import started."""
    kept = dict(request.session.get(SESSION_KEY) or {})
    if kept.pop(token, None) is not None:
        request.session[SESSION_KEY] = kept
