"""The page of a per-record link /f/r/{token}: an anonymous visitor fills the fields the link offers for one record
(a ticket's satisfaction survey) or creates a record related to it (feedback on a campaign). It is a public form's
page — same frame, widgets, honeypot, page-token time check, rate limits and body limit — bound to one record;
a forged token answers 404 naming nothing, an expired link and an answered once-only link say so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from engine import public_forms
from engine.definitions.model import FormDef
from engine.errors import Conflict, RecordInvalid
from engine.fields.registry import field_type
from engine.fields.screen import BareFiles, PostedForm
from engine.i18n import text
from engine.record_links import visits
from engine.record_links.answers import AlreadyAnswered
from engine.record_links.visits import ANSWERED, EXPIRED, LinkExpired, Visit
from engine.records.model import Actor
from engine.records.values import Errors
from web.endpoints import workspace
from web.form_limits import read_form
from web.i18n import translator
from web.views.public_form import _html, _lang, _limits, _message, _not_found
from web.zones import user_tz

REFUSALS = {ANSWERED: ("record_link_answered", 409), EXPIRED: ("record_link_expired", 410)}


async def record_link(request: Request) -> Response:
    """GET the page; POST a plain HTML form (no JavaScript needed)."""
    data = await read_form(request) if request.method == "POST" else None
    return await run_in_threadpool(_record_link, request, data)


def _record_link(request: Request, data: FormData | None) -> Response:
    ws = workspace(request)
    ws.refresh()  # no signed-in user to learn of a publish elsewhere by
    lang = _lang(request, data)
    visit = visits.open_link(ws, str(request.path_params["token"]), lang)
    if visit is None:
        return _not_found(request, False)
    if visit.state in REFUSALS:
        return _refused(request, visit.state, lang)
    if data is None:
        return _page(request, visit, {}, {}, lang)
    address = request.client.host if request.client else "unknown"
    wait = _limits(request).take(address, visit.limit_key, ws.now())
    if wait is not None:
        t = translator(lang)
        minutes = max(1, int(wait + 59) // 60)
        return _message(request, t("public_too_many_title"), t("public_too_many").format(minutes=minutes), 429,
                        {"retry-after": str(int(wait) + 1)}, lang)
    return _post(request, visit, data, lang)


def _post(request: Request, visit: Visit, data: FormData, lang: str) -> Response:
    ws, t = workspace(request), translator(lang)
    posted = PostedForm(data, user_tz(request), BareFiles())
    raw = {f.id: field_type(f.type).read_posted(f, posted, f.id) for f in visit.fields}
    problem = public_forms.page_problem(ws, visit.token, str(data.get("page_token") or ""))
    if problem == "forged":
        return _message(request, t("public_refused_title"), t("public_refused"), 400, lang=lang)
    if problem is not None:  # too fast or too old: the page again, with what was typed and a fresh token
        return _page(request, visit, raw, {}, lang, t(f"public_{problem}"), status=422)
    if str(data.get(public_forms.HONEYPOT) or ""):
        return _sent(request, visit, lang)  # a robot: told it worked, nothing is stored
    try:
        visits.answer(ws, visit, raw)
    except RecordInvalid as exc:
        return _page(request, visit, raw, exc.errors, lang, t("public_fix_errors"), status=422)
    except Conflict:
        return _page(request, visit, raw, {}, lang, t("record_link_conflict"), status=409)
    except AlreadyAnswered:
        return _refused(request, ANSWERED, lang)
    except LinkExpired:
        return _refused(request, EXPIRED, lang)
    return _sent(request, visit, lang)


def _refused(request: Request, state: str, lang: str) -> HTMLResponse:
    t = translator(lang)
    key, status = REFUSALS[state]
    return _message(request, t(f"{key}_title"), t(key), status, lang=lang)


def _sent(request: Request, visit: Visit, lang: str) -> HTMLResponse:
    t = translator(lang)
    return _message(request, t("public_sent_title"), text(visits.success(visit), lang), 200, lang=lang)


def _page(request: Request, visit: Visit, values: Mapping[str, Any], errors: Errors, lang: str, notice: str = "",
          status: int = 200) -> HTMLResponse:
    ws = workspace(request)
    return _html(request, "record_link.html", {
        "visit": visit, "title": visits.title(visit), "values": values, "errors": errors, "lang": lang,
        "notice": notice, "shown_ids": {f.id for f in visit.fields}, "choices": {},
        "page_token": public_forms.sign_page(ws, visit.token), "honeypot": public_forms.HONEYPOT,
        "type_of": lambda f: field_type(f.type),
    }, status)


def record_links_panel(request: Request, form: FormDef, record_id: int, actor: Actor) -> list[dict[str, Any]]:
    """The record's links (label, address, expiry, once) for its page: only for users who may edit the record."""
    ws = workspace(request)
    if not form.record_links or not ws.records.allowed(actor, form.id, record_id, "update"):
        return []
    base = str(ws.settings.values.get("base_url") or request.base_url)
    found = visits.urls(ws, form, record_id, base)
    return [{"id": link.id, "label": link.label, "url": found[link.id], "expires_days": link.expires_days,
             "once": link.once} for link in form.record_links]


ROUTES = [
    Route("/f/r/{token}", record_link, methods=["GET", "POST"]),
]
