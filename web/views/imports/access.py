"""What every import page needs first: the form of the URL, the `import` right on it, the signed-in actor, and the
page of a refusal (a message on the step's page, never a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import imports
from engine.definitions.model import FormDef
from engine.imports import ImportRefused
from engine.locale_format import moment
from engine.records.model import Actor
from engine.workspace import Workspace
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.listing import base_url
from web.views.records import _form_or_404
from web.zones import user_tz

# A refusal's HTTP status: a file too big is 413, one of the wrong kind 415, a missing import 404, the rest 400.
STATUS = {"too_big": 413, "wrong_type": 415, "not_found": 404, "no_right": 403, "no_right_update": 403}


@dataclass(frozen=True)
class Visit:
    """One request to an import page: the workspace, the form (as the user sees it), who asks and in which language."""

    ws: Workspace
    form: FormDef
    actor: Actor
    user_id: int
    lang: str

    @property
    def base(self) -> str:
        return base_url(self.form)

    @property
    def start(self) -> str:
        return f"{self.base}/import"


def visit(request: Request) -> Visit | Response:
    """The visit of an import page, or the refusal to send: no such form (404), no import right (403)."""
    form = _form_or_404(request)
    lang = choose_language(request)
    t = translator(lang)
    if form is None:
        return page(request, "error.html", {"message": "not_found", "detail": t("not_found")}, status=404)
    user = current_user(request) or {}
    actor = actor_of(user, lang)
    ws = workspace(request)
    if not imports.may_import(ws, actor, form.id):
        return page(request, "error.html", {"message": "no_permission", "detail": t("import_no_right")}, status=403)
    return Visit(ws, form, actor, int(user.get("id") or 0), lang)


def refusal_status(exc: ImportRefused) -> int:
    """The HTTP status of an import refused before it started."""
    return STATUS.get(exc.code, 400)


def when(tz: tzinfo, at: datetime | None, lang: str) -> str:
    """A moment in the user's time zone and as their language writes it (engine.locale_format)."""
    return moment(at.astimezone(tz), lang) if at else ""


def past(request: Request, v: Visit) -> list[dict[str, Any]]:
    """The user's own imports into the form, newest first, as the past-imports table shows them."""
    return [{"url": f"{v.base}/imports/{j.token}", "created_at": when(user_tz(request), j.created_at, v.lang),
             "filename": j.filename,
             "status": j.status, "dry_run": j.dry_run, "written": j.written, "updated": j.updated,
             "skipped": j.skipped, "errors": j.errors} for j in imports.imports_of(v.ws, v.user_id, v.form.id)]
