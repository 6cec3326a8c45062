"""The public form page /f/{token}: anonymous visitors fill the fields a form's share link offers. A plain HTML form
post works without JavaScript (a signed page token, not a session, is its CSRF and time check); JSON posts are
taken from the link's allowed origins (CORS). Nothing on the page leads into the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from engine import public_forms
from engine.definitions.model import FormDef, PublicDef
from engine.errors import RecordInvalid
from engine.fields.registry import field_type
from engine.fields.screen import BareFiles, PostedForm
from engine.files.policy import accept_attribute
from engine.i18n import LANGUAGES, text
from engine.public_limits import PostLimits
from engine.records.values import Errors
from engine.workspace import Workspace
from web.api.input import read_json
from web.endpoints import workspace
from web.form_limits import read_form
from web.i18n import choose_language, translator
from web.render import environment
from web.views.form_layout import form_layout
from web.views import public_uploads
from web.views.live import dom_id, region_errors
from web.views.widgets import input_value, options_of
from web.zones import user_tz

JSON_LIMIT = 256 * 1024
# the app's policy, except that any website may show the page in a frame (the designer's embed snippet)
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors *; "
            "form-action 'self'; base-uri 'none'")


def _limits(request: Request) -> PostLimits:
    return PostLimits.for_workspace(workspace(request))


def _lang(request: Request, data: FormData | None = None) -> str:
    """The visitor's language: `?lang=` (or the posted `_lang`), else the browser's."""
    chosen = request.query_params.get("lang") or (str(data.get("_lang") or "") if data is not None else "")
    return chosen if chosen in LANGUAGES else choose_language(request)


def _html(request: Request, name: str, context: dict[str, Any], status: int = 200,
          headers: Mapping[str, str] | None = None) -> HTMLResponse:
    lang = context.get("lang") or _lang(request)
    tz = user_tz(request)
    base = {"request": request, "lang": lang, "t": translator(lang), "label": lambda v: text(v, lang),
            "input_value": lambda f, v: input_value(f, v, tz), "dom_id": dom_id,
            "options_of": lambda f, choices: options_of(f, choices, lang), "tz": tz}
    html = environment.get_template(name).render({**base, **context})
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    response.headers["cache-control"] = "no-store"
    response.headers["x-robots-tag"] = "noindex"
    response.headers["content-security-policy"] = PAGE_CSP
    return response


def _message(request: Request, title: str, body: str, status: int, headers: Mapping[str, str] | None = None,
             lang: str | None = None) -> HTMLResponse:
    return _html(request, "public_message.html", {"title": title, "body": body, "lang": lang or _lang(request)},
                 status, headers)


def _not_found(request: Request, as_json: bool) -> Response:
    if as_json:
        return JSONResponse({"error": {"code": "not_found", "message": {"zh": "不存在", "en": "Not found"}}},
                            status_code=404)
    t = translator(_lang(request))
    return _message(request, t("public_not_found_title"), t("public_not_found"), 404)


def _form_page(request: Request, form: FormDef, values: Mapping[str, Any], errors: Errors, lang: str,
               notice: str = "", status: int = 200, kept: Mapping[str, list[tuple[str, str]]] | None = None
               ) -> HTMLResponse:
    ws = workspace(request)
    public = form.public
    assert public is not None
    ids = {f.id for f in public_forms.shown_fields(form)}
    hidden, required = public_forms.live_state(ws, form, values)  # as the live rules will say while typing
    return _html(request, "public_form.html", {
        "form": form, "values": values, "errors": errors, "lang": lang, "notice": notice,
        "layout": form_layout(form, lambda f: f.id in ids), "shown": ids, "hidden": hidden, "required": required,
        "choices": {},
        "page_token": public_forms.page_token(ws, public), "honeypot": public_forms.HONEYPOT,
        "type_of": lambda f: field_type(f.type), "uploads": {f.id: f for f in public_forms.upload_fields(form)},
        "kept": kept or {}, "accept_of": accept_attribute,
    }, status)


def _cors(request: Request, public: PublicDef) -> dict[str, str]:
    origin = (request.headers.get("origin") or "").rstrip("/")
    if origin and origin in public.origins:
        return {"access-control-allow-origin": origin, "vary": "Origin",
                "access-control-allow-methods": "POST, OPTIONS",
                "access-control-allow-headers": "content-type", "access-control-max-age": "600"}
    return {"vary": "Origin"}


def _json_error(status: int, code: str, zh: str, en: str, headers: Mapping[str, str],
                extra: Mapping[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": {"zh": zh, "en": en}, **(extra or {})}},
                        status_code=status, headers=dict(headers))


async def public_form(request: Request) -> Response:
    """GET the page; POST a plain form or JSON; OPTIONS answers a CORS preflight."""
    data: FormData | None = None
    body = b""
    if request.method == "POST":
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
        else:
            data = await read_form(request)  # FormRefused past a limit: its handler answers
    try:
        return await run_in_threadpool(_public_form, request, data, body)
    finally:
        if data is not None:
            await data.close()  # the files it held


def _public_form(request: Request, data: FormData | None, body: bytes) -> Response:
    ws = workspace(request)
    ws.refresh()  # no signed-in user to learn of a publish elsewhere by
    as_json = request.method == "POST" and data is None
    form = public_forms.find(ws.definitions, str(request.path_params["token"]))
    if form is None or form.public is None:
        return _not_found(request, as_json or request.method == "OPTIONS")
    public = form.public
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=_cors(request, public))
    lang = _lang(request, data)
    t = translator(lang)
    if not public.enabled:
        if as_json:
            return _json_error(403, "closed", "这个表单目前不接受填写", "This form is not taking answers",
                               _cors(request, public))
        return _message(request, t("public_off_title"), t("public_off"), 403, lang=lang)
    if request.method == "GET":
        return _form_page(request, form, public_forms.prefill(form, request.query_params), {}, lang)
    address = request.client.host if request.client else "unknown"
    wait = _limits(request).take(address, public.token, ws.now())
    if wait is not None:
        minutes = max(1, int(wait + 59) // 60)
        headers = {"retry-after": str(int(wait) + 1)}
        if as_json:
            return _json_error(429, "too_many", f"提交太频繁,请 {minutes} 分钟后再试",
                               f"Too many posts; try again in {minutes} minutes", {**_cors(request, public), **headers})
        return _message(request, t("public_too_many_title"), t("public_too_many").format(minutes=minutes), 429,
                        headers, lang)
    if as_json:
        return _post_json(request, ws, form, public, body)
    assert data is not None
    return _post_form(request, ws, form, public, data, lang)


def _post_form(request: Request, ws: Workspace, form: FormDef, public: PublicDef, data: FormData,
               lang: str) -> Response:
    t = translator(lang)
    posted = PostedForm(data, user_tz(request), BareFiles())
    raw = {f.id: field_type(f.type).read_posted(f, posted, f.id) for f in public_forms.shown_fields(form)}
    problem = public_forms.token_problem(ws, public, str(data.get("page_token") or ""))
    if problem == "forged":
        return _message(request, t("public_refused_title"), t("public_refused"), 400, lang=lang)
    if problem is not None:  # too fast or too old: the page again, with what was typed and a fresh token
        return _form_page(request, form, raw, {}, lang, t(f"public_{problem}"), status=422)
    if str(data.get(public_forms.HONEYPOT) or ""):
        return _sent(request, public, lang)  # a robot: told it worked, nothing is stored
    files = public_uploads.receive(ws, form, public, data)
    errors = {**region_errors(form, raw), **files.errors}
    try:
        if errors:
            raise RecordInvalid(errors)
        public_forms.create(ws, form, raw, files=files.refs)
    except RecordInvalid as exc:
        return _form_page(request, form, raw, exc.errors, lang, t("public_fix_errors"), status=422,
                          kept=files.marks)
    return _sent(request, public, lang)


def _sent(request: Request, public: PublicDef, lang: str) -> Response:
    t = translator(lang)
    if public.redirect:  # a page, not a 303: the page's form-action policy would stop a redirect to another site
        return _html(request, "public_sent.html", {"lang": lang, "title": t("public_sent_title"),
                                                   "redirect": public.redirect})
    return _message(request, t("public_sent_title"), text(public.success or public_forms.SUCCESS, lang), 200,
                    lang=lang)


def _post_json(request: Request, ws: Workspace, form: FormDef, public: PublicDef, body: bytes) -> Response:
    cors = _cors(request, public)
    if "access-control-allow-origin" not in cors:
        return _json_error(403, "origin", "此网站不能提交这个表单", "This website may not post to this form", cors)
    if len(body) > JSON_LIMIT:
        return _json_error(413, "too_large", "提交的内容太大", "The body is too large", cors)
    try:
        payload = read_json(body or b"null", what="body")  # the API's limits: depth, storable text
    except RecordInvalid:
        payload = None
    if not isinstance(payload, dict):
        return _json_error(400, "bad_json", "请求内容须为 JSON 对象", "The body must be a JSON object", cors)
    if payload.get(public_forms.HONEYPOT):
        return JSONResponse({"ok": True, "message": public.success or public_forms.SUCCESS}, status_code=201,
                            headers=cors)
    try:
        public_forms.create(ws, form, payload, fmt="json")
    except RecordInvalid as exc:
        fields = {path: [{"zh": e.message("zh"), "en": e.message("en")} for e in errors]
                  for path, errors in exc.errors.items()}
        return _json_error(422, "invalid", "请修改标出的内容", "Correct the fields listed", cors, {"fields": fields})
    return JSONResponse({"ok": True, "message": public.success or public_forms.SUCCESS}, status_code=201,
                        headers=cors)


def too_large(request: Request) -> Response:
    """A public post past the body limit: 413, in words the visitor reads (or JSON for a JSON post)."""
    t = translator(_lang(request))
    if request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse({"error": {"code": "too_large", "message": {
            "zh": "提交的内容太大", "en": "The body is too large"}}}, status_code=413)
    return _message(request, t("public_refused_title"), t("public_too_large"), 413)


ROUTES = [
    Route("/f/{token}", public_form, methods=["GET", "POST", "OPTIONS"]),
]
