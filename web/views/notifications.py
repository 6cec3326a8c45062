"""/notifications: the signed-in user's notices (all or unread), opening one marks it read and goes to its record,
marking all read, and the unread count the header's bell shows and polls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.i18n import text
from engine.notifications import NoticeFilter, count_notifications, list_notifications, mark_all_read, mark_read, \
    unread_count
from web.endpoints import form_view, workspace
from web.i18n import choose_language
from web.render import environment, page
from web.session import current_user
from web.views.admin_access import int_or_none

PAGE = 20
SHOWS = ("all", "unread")


def _user_id(request: Request) -> int:
    """The signed-in user (the Guard lets no one else reach these pages)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    return int(user["id"])


def record_link(definitions: Any, form_id: str | None, record_id: int | None) -> str | None:
    """The page of the record a notice is about, if its form still exists."""
    form = definitions.forms.get(form_id) if form_id else None
    return f"/apps/{form.app}/{form.id}/{record_id}" if form is not None and record_id is not None else None


def notice_link(definitions: Any, notice: Any) -> str | None:
    """Where a notice leads: a workflow task's to-do page (its `source`), else the record's page."""
    source = str(notice.get("source") or "")
    if source.startswith("/inbox") and "//" not in source:
        return source
    return record_link(definitions, notice["form"], notice["record_id"])


def bell_count(request: Request) -> int:
    """The number on the bell for the signed-in user (0 when signed out)."""
    user = current_user(request)
    if user is None:
        return 0
    with workspace(request).statement() as conn:
        return unread_count(conn, int(user["id"]))


environment.globals["bell_count"] = bell_count  # every page's header shows it (base.html includes _bell.html)


def notifications_page(request: Request) -> Response:
    """GET a page of the user's notices, newest first: all of them or the unread ones."""
    ws, lang, user_id = workspace(request), choose_language(request), _user_id(request)
    show = request.query_params.get("show") if request.query_params.get("show") in SHOWS else "all"
    before = int_or_none(request.query_params.get("before"))
    flt = NoticeFilter(unread_only=show == "unread", before_id=before, limit=PAGE + 1)
    with ws.reading() as conn:
        found = list_notifications(conn, user_id, flt)
        counts = {"all": count_notifications(conn, user_id),
                  "unread": count_notifications(conn, user_id, unread_only=True)}
    shown, more = found[:PAGE], len(found) > PAGE
    items = [{**n, "link": notice_link(ws.definitions, n),
              "form_label": text(ws.definitions.forms[n["form"]].label, lang)
              if n["form"] in ws.definitions.forms else None} for n in shown]
    query = {"show": show} if show != "all" else {}
    context = {"items": items, "show": show, "counts": counts, "done": request.query_params.get("done") == "all",
               "here": f"/notifications?{urlencode(query)}" if query else "/notifications",
               "older": f"/notifications?{urlencode({**query, 'before': shown[-1]['id']})}" if more else None,
               "newest": f"/notifications?{urlencode(query)}" if before is not None else None}
    return page(request, "notifications.html", context)


def count(request: Request) -> Response:
    """GET {"unread": n}: what the bell polls."""
    return JSONResponse({"unread": bell_count(request)}, headers={"cache-control": "no-store"})


def _back(raw: Any) -> str:
    """Where to go back to after marking: a notifications page, never another site."""
    target = str(raw or "")
    return target if target.startswith("/notifications") and "//" not in target and "\\" not in target \
        else "/notifications"


@form_view
def read_one(request: Request, form: FormData) -> Response:
    """POST: mark the notice read and open its record (or go back to the list); another user's notice is 404."""
    ws, user_id = workspace(request), _user_id(request)
    with ws.writing() as conn:
        notice = mark_read(conn, user_id, int(request.path_params["id"]), ws.now())
    if notice is None:
        raise HTTPException(404)
    link = notice_link(ws.definitions, notice)
    return RedirectResponse(link if link and form.get("open") != "0" else _back(form.get("next")), status_code=303)


def read_all(request: Request) -> Response:
    """POST: mark every unread notice of the user read."""
    ws, user_id = workspace(request), _user_id(request)
    with ws.writing() as conn:
        mark_all_read(conn, user_id, ws.now())
    return RedirectResponse("/notifications?done=all", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/notifications", notifications_page),
    Route("/notifications/count", count),
    Route("/notifications/read-all", read_all, methods=["POST"]),
    Route("/notifications/{id:int}/read", read_one, methods=["POST"]),
]
