"""The Starlette application: routes, sessions, CSRF, security headers, and engine errors mapped to HTTP."""

from __future__ import annotations

import functools
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import imports, public_forms
from engine.errors import FormworkError
from engine.files import policy as upload_policy
from engine.jobs.runner import InProcessRunner
from engine.org.sessions import Policy
from engine.workspace import Workspace
from web.api import aggregates, bulk as api_bulk, openapi, records as api_records, reference
from web.api.auth import bearer_token, token_refusal, unauthorized
from web.cookies import SecureCookies
from web.endpoints import CHECKS_IN_THREAD, PENDING_CHECK, workspace
from web.errors import api_error, method_not_allowed
from web.form_limits import FormRefused, refusal as form_refusal
from web.i18n import choose_language, translator
from web.render import page
from web.session import csrf_ok, current_user
from web.sessions import ServerSessions
from web.views.printing import routes as printing_routes
from web.views import auth, forms, live, pickers, public_form, record_detail, record_link, records, settings, uploads
from web.views import public_live
from web.views import batch, calendar, gallery, kanban, listing, saved, thumbnails
from web.views import home as home_view
from web.views import search as search_view
from web.views import admin_home, home_conditions
from web.views import pipeline as pipeline_views
from web.views import admin
from web.views import permissions
from web.views import export, export_jobs
from web.views.imports import routes as import_routes, upload as import_upload
from web.views.reports import routes as report_routes
from web.views.reports import exports as report_exports
from web.views import admin_automations, admin_jobs, admin_mail, hooks, notifications, tracking
from web.views import workflow_admin, workflow_api, workflow_inbox, workflow_record, workflow_task
from web.views.designer import form_settings, formula_help, preview as design_preview, properties, rules
from web.views.designer import print_design
from web.views.designer import public_panel as design_public_panel
from web.views.designer import canvas as design_canvas, publish as design_publish
from web.views.designer import app_forms as design_app_forms, apps as design_apps, history as design_history
from web.views.designer import report_design, report_routes as design_report_routes

STATIC = Path(__file__).parent / "static"
PUBLIC_PATHS = ("/login", "/static/", "/lang/", "/hooks/", "/t/", "/f/")
# inbound webhooks and public forms: the secret in the URL is the credential; no session CSRF (a public form's page
# carries its own signed token, web/views/public_form.py)
SECRET_URL_PATHS = ("/hooks/", "/f/")
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def security_headers(given: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The security headers to add to a response: those it does not set itself; a response with its own content
    security policy (a public form page, which other sites may embed; the print page, with its template's styles)
    keeps it, and its `frame-ancestors` is the framing rule."""
    own = {k.lower().decode("latin-1") for k, _ in given}
    skipped = own | ({"x-frame-options"} if "content-security-policy" in own else set())
    return {k: v for k, v in SECURITY_HEADERS.items() if k not in skipped}


MB = 1024 * 1024
BODY_LIMIT = 4 * MB  # forms and API calls; uploads may send what their field allows
BULK_BODY_LIMIT = 32 * MB  # a bulk API call: up to 1,000 records
PUBLIC_BODY_LIMIT = MB  # a public form post (/f/{token}): anyone may send it


def body_limit(request: Request) -> int:
    """The largest request body accepted here: an upload's field limit or the import file limit (plus form
    overhead), else BODY_LIMIT."""
    parts = request.url.path.split("/")
    if parts[1] == "f":  # a public form's page: more when its link takes files
        form = public_forms.find(workspace(request).definitions, parts[2]) if len(parts) == 3 else None
        return public_forms.body_limit(form, PUBLIC_BODY_LIMIT) if form is not None else PUBLIC_BODY_LIMIT
    if len(parts) == 6 and parts[1] == "apps" and parts[4] == "upload":  # /apps/{app}/{form}/upload/{field}
        form = workspace(request).definitions.forms.get(parts[3])
        f = form.field(parts[5]) if form is not None else None
        if f is not None and upload_policy.holds_files(f):
            return upload_policy.max_bytes(f) + MB
    if _importing(request):  # a file to import: up to the `import_max_mb` setting
        return int(imports.max_mb(workspace(request)) * MB) + MB
    if len(parts) == 5 and parts[1:3] == ["api", "v1"] and parts[4] == "bulk":  # /api/v1/{form}/bulk
        return BULK_BODY_LIMIT
    return BODY_LIMIT


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it is (or says it will be) larger than `limit`."""
    declared = dict(scope.get("headers") or []).get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _too_large(request: Request) -> Response:
    message = {"zh": "请求内容太大", "en": "The request is too large"}
    if request.url.path.startswith("/f/"):
        return public_form.too_large(request)
    if request.url.path.startswith("/api/") or request.headers.get("hx-request"):
        return JSONResponse({"error": {"code": "too_large", "message": message}}, status_code=413)
    return PlainTextResponse(f"{message['zh']} / {message['en']}", status_code=413)


def _importing(request: Request) -> bool:
    """Whether the request posts a file to import (/apps/{app}/{form}/import)."""
    parts = request.url.path.split("/")
    return len(parts) == 5 and parts[1] == "apps" and parts[4] == "import"


def _file_too_large(request: Request) -> Response:
    """A file to import over the `import_max_mb` setting: the upload step again, with the import's message (413)."""
    declared = dict(request.scope.get("headers") or []).get(b"content-length", b"")
    return import_upload.too_large(request, int(declared) if declared.isdigit() else None)


class Guard:
    """Every request: security headers; sign-in required outside public paths; CSRF on unsafe methods."""

    def __init__(self, app: ASGIApp, api_routes: Sequence[BaseRoute] = ()):
        self.app = app
        self._api_routes = api_routes  # the routes an /api/ path can match, in the router's order

    def _checks_in_thread(self, scope: Scope) -> bool:
        """Whether the endpoint that will answer runs the Guard's pending check in its own thread (body_view)."""
        for route in self._api_routes:  # as the router picks: the first full match
            if route.matches(scope)[0] is Match.FULL:
                return bool(getattr(getattr(route, "endpoint", None), CHECKS_IN_THREAD, False))
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        replay = receive
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            limit = body_limit(request)
            # A body larger than the usual limit (a file, an import, a batch) is read only for someone signed in.
            early = await self._identity_refusal(request) if limit > BODY_LIMIT else None
            if early is not None:
                await early(scope, receive, send)
                return
            body = await _read_body(scope, receive, limit)  # once; the endpoint gets it replayed
            if body is None:
                refusal = await run_in_threadpool(_file_too_large, request) if _importing(request) else None
                await (refusal or _too_large(request))(scope, receive, send)
                return

            async def replay() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}
            request = Request(scope, replay)
        try:
            response = await self._refusal(request)
        except FormRefused as exc:  # the CSRF check reads the form first: a form past a limit stops here
            response = await form_refusal(request, exc)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend((k.encode(), v.encode()) for k, v in security_headers(headers).items())
            await send(message)

        if response is not None:
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, replay, send_with_headers)

    async def _identity_refusal(self, request: Request) -> Response | None:
        """Refused for who is asking — no valid API token, or not signed in outside the public paths — without
        reading the body; None when the caller may go on."""
        path = request.url.path
        api = path.startswith("/api/") and path != "/api/docs"  # the reference is a page: sign-in redirects
        token = bearer_token(request) if api else None
        if token is not None:
            return await run_in_threadpool(token_refusal, request, token)
        if path.startswith(SECRET_URL_PATHS) or path.startswith(PUBLIC_PATHS):
            return None
        if await run_in_threadpool(current_user, request) is None:
            if api:
                return unauthorized("not_signed_in", "请先登录或使用 API 令牌", "Sign in or send an API token")
            return RedirectResponse(f"/login?next={path}", status_code=303)
        return None

    async def _refusal(self, request: Request) -> Response | None:
        """Why the request may not reach its endpoint (None: it may); the database is read in the thread pool."""
        path = request.url.path
        api = path.startswith("/api/") and path != "/api/docs"
        token = bearer_token(request) if api else None
        if token is not None:  # no cookie a third-party site could ride on: no CSRF check
            if token and "formwork.user" not in request.scope and self._checks_in_thread(request.scope):
                # the endpoint checks the token first thing in its own thread: one trip to the pool, not two
                request.scope[PENDING_CHECK] = functools.partial(token_refusal, request, token)
                return None
            return await self._identity_refusal(request)
        if path.startswith(SECRET_URL_PATHS):
            return None
        refusal = await self._identity_refusal(request)
        if refusal is not None:
            return refusal
        if not await csrf_ok(request):
            if api:
                return JSONResponse({"error": {"code": "csrf", "message": {
                    "zh": "缺少或错误的 CSRF 令牌", "en": "Missing or wrong CSRF token"}}}, status_code=403)
            return await run_in_threadpool(page, request, "error.html", {"message": "forbidden"}, 403)
        return None


def not_found(request: Request, exc: Exception) -> Response:
    """404 for pages and the API alike (a plain function: Starlette runs it in the thread pool)."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"code": "not_found", "message": {"zh": "不存在", "en": "Not found"}}},
                            status_code=404)
    lang = choose_language(request)
    return page(request, "error.html", {"message": "not_found", "detail": translator(lang)("not_found")}, status=404)


def _job_runner(ws: Workspace) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A lifespan running the workspace's jobs in a background thread (the embedded default, without Redis)."""
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner = InProcessRunner(ws.jobs)
        runner.start()
        try:
            yield
        finally:
            runner.stop()
    return lifespan


def create_app(ws: Workspace, *, run_jobs: bool = False) -> Starlette:
    """The web application over a workspace; with `run_jobs`, background jobs run in this process (no Redis)."""
    routes = [
        Route("/", home_view.home),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/lang/{code}", auth.language),
        Route("/search", search_view.search),
        *report_routes.ROUTES,  # before the form routes: /apps/{app}/reports/{id} is not a record
        Route("/apps/{app}/reports/{report}/export.xlsx", report_exports.export_xlsx),
        Route("/apps/{app}/reports/{report}/export.pdf", report_exports.export_pdf),
        Route("/apps/{app}/{form}", listing.record_list),
        Route("/apps/{app}/{form}/filter-input", listing.filter_input),
        Route("/apps/{app}/{form}/views", saved.save, methods=["POST"]),
        Route("/apps/{app}/{form}/views/{view_id:int}/delete", saved.delete, methods=["POST"]),
        Route("/apps/{app}/{form}/batch", batch.batch_action, methods=["POST"]),
        Route("/apps/{app}/{form}/batch-value", batch.batch_value),
        Route("/apps/{app}/{form}/kanban", kanban.board),
        Route("/apps/{app}/{form}/kanban/move", kanban.move, methods=["POST"]),
        Route("/apps/{app}/{form}/calendar", calendar.month_view),
        Route("/apps/{app}/{form}/gallery", gallery.gallery),
        *pipeline_views.ROUTES,
        Route("/apps/{app}/{form}/new", forms.new_record, methods=["GET", "POST"]),
        Route("/apps/{app}/{form}/preview", live.preview, methods=["POST"]),
        Route("/regions", live.region_options),
        Route("/apps/{app}/{form}/pick/{field}", pickers.pick),
        Route("/apps/{app}/{form}/upload/{field}", uploads.upload, methods=["POST"]),
        Route("/files/{id}", uploads.download),
        Route("/files/{id}/thumb/{size}", thumbnails.thumbnail),
        Route("/apps/{app}/{form}/bin", listing.recycle_bin),
        Route("/apps/{app}/{form}/export", export.export_list),
        *import_routes.ROUTES,  # before /apps/{app}/{form}/{id}: "import" and "imports" are not record ids
        *printing_routes.ROUTES,  # before /apps/{app}/{form}/{id}
        Route("/apps/{app}/{form}/{id}", record_detail.record_page),
        Route("/apps/{app}/{form}/{id}/comments", record_detail.post_comment, methods=["POST"]),
        Route("/apps/{app}/{form}/{id}/edit", forms.edit_record, methods=["GET", "POST"]),
        Route("/apps/{app}/{form}/{id}/delete", records.delete_record, methods=["POST"]),
        Route("/apps/{app}/{form}/{id}/restore", records.restore_record, methods=["POST"]),
        *workflow_record.ROUTES,
        Route("/settings", settings.settings_page),
        Route("/settings/password", settings.password, methods=["POST"]),
        Route("/settings/language", settings.language, methods=["POST"]),
        Route("/settings/timezone", settings.timezone, methods=["POST"]),
        Route("/settings/tokens", settings.tokens, methods=["POST"]),
        Route("/settings/tokens/{id}/revoke", settings.revoke, methods=["POST"]),
        Route("/settings/sessions/others/end", settings.end_other_sessions, methods=["POST"]),
        Route("/settings/sessions/{key}/end", settings.end_session, methods=["POST"]),
        Route("/admin/permissions", permissions.matrix),
        Route("/admin/permissions/{role}/{form}", permissions.cell, methods=["GET", "POST"]),
        Route("/admin/roles", permissions.create, methods=["POST"]),
        Route("/admin/roles/{role}", permissions.members),
        Route("/admin/roles/{role}/delete", permissions.remove, methods=["POST"]),
        *admin.ROUTES,
        *home_conditions.ROUTES,
        *admin_home.ROUTES,
        *admin_automations.ROUTES,
        *admin_jobs.ROUTES,
        *admin_mail.ROUTES,
        *notifications.ROUTES,
        *workflow_inbox.ROUTES,
        *workflow_task.ROUTES,
        *workflow_admin.ROUTES,
        *tracking.ROUTES,
        *properties.ROUTES,
        *formula_help.ROUTES,
        *rules.ROUTES,
        *form_settings.ROUTES,
        *design_public_panel.ROUTES,
        *design_preview.ROUTES,
        *print_design.ROUTES,
        *design_canvas.ROUTES,
        *design_publish.ROUTES,
        *design_apps.ROUTES, *design_app_forms.ROUTES, *design_history.ROUTES,
        *report_design.ROUTES, *design_report_routes.ROUTES,
        Route("/hooks/{automation}/{token}", hooks.receive, methods=["POST"]),
        *public_form.ROUTES,
        *record_link.ROUTES,
        *public_live.ROUTES,
        Route("/api/openapi.json", openapi.openapi_json),
        Route("/api/docs", reference.docs),
        *export_jobs.ROUTES,
        *workflow_api.ROUTES,
        Route("/api/v1/{form}", api_records.collection, methods=["GET", "POST"]),
        Route("/api/v1/{form}/export", export.ApiExport),
        Route("/api/v1/{form}/bulk", api_bulk.ApiBulk),
        Route("/api/v1/{form}/groupby", aggregates.GroupBy),
        Route("/api/v1/{form}/aggregate", aggregates.Aggregate),
        Route("/api/v1/{form}/{id}", api_records.item, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/v1/{form}/{id}/restore", api_records.restore, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(SecureCookies, always=str(ws.settings.values.get("https", "")).strip().lower() in ("1", "true")),
        Middleware(ServerSessions, ws=ws, policy=Policy.from_settings(ws.settings.values),  # bad settings stop here
                   secret=ws.settings.secret or secrets.token_urlsafe(32)),
        Middleware(Guard, api_routes=[r for r in routes
                                      if not isinstance(r, Route) or r.path.startswith(("/api/", "/{"))]),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=_job_runner(ws) if run_jobs else None,
                    exception_handlers={FormworkError: api_error, FormRefused: form_refusal, 404: not_found,
                                        405: method_not_allowed})
    app.state.ws = ws
    return app
