"""/f/{token}/live: the public page's live rules. While a visitor types (JavaScript on), the page posts what it holds
and gets back which of the link's fields the form's rules hide or require now — nothing else: no other field, no
computed value, no record. Bound to the link and to a page it served (the signed page token), rate-limited per
address and per link like posts, only with more room (a visitor's typing asks many times)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import public_forms
from engine.fields.registry import field_type
from engine.fields.screen import BareFiles, PostedForm
from web.endpoints import workspace
from web.form_limits import read_form
from web.public_limits import RateLimits
from web.zones import user_tz

PER_ADDRESS = 600  # live checks from one address in the window (about one a second while typing)
PER_LINK = 20_000  # live checks of one link in the window


def _limits(request: Request) -> RateLimits:
    state = request.app.state
    if getattr(state, "public_live_limits", None) is None:
        state.public_live_limits = RateLimits(PER_ADDRESS, PER_LINK)
    limits: RateLimits = state.public_live_limits
    return limits


def _refused(status: int, code: str, zh: str, en: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": {"zh": zh, "en": en}}}, status_code=status,
                        headers={"cache-control": "no-store"})


async def public_live(request: Request) -> Response:
    """POST the page's fields: 200 {hidden: [...], required: [...]} of the link's shown fields."""
    data = await read_form(request)
    try:
        return await run_in_threadpool(_public_live, request, data)
    finally:
        await data.close()


def _public_live(request: Request, data: FormData) -> Response:
    ws = workspace(request)
    ws.refresh()  # no signed-in user to learn of a publish elsewhere by
    form = public_forms.find(ws.definitions, str(request.path_params["token"]))
    if form is None or form.public is None:
        return _refused(404, "not_found", "不存在", "Not found")
    public = form.public
    if not public.enabled:
        return _refused(403, "closed", "这个表单目前不接受填写", "This form is not taking answers")
    if public_forms.token_problem(ws, public, str(data.get("page_token") or "")) in ("forged", "expired"):
        return _refused(400, "page_token", "请重新打开表单链接", "Open the form's link again")
    address = request.client.host if request.client else "unknown"
    wait = _limits(request).take(address, public.token, ws.now())
    if wait is not None:
        return JSONResponse({"error": {"code": "too_many", "message": {"zh": "请求太频繁", "en": "Too many requests"}}},
                            status_code=429, headers={"retry-after": str(int(wait) + 1), "cache-control": "no-store"})
    posted = PostedForm(data, user_tz(request), BareFiles())
    raw = {f.id: field_type(f.type).read_posted(f, posted, f.id) for f in public_forms.shown_fields(form)}
    hidden, required = public_forms.live_state(ws, form, raw)
    return JSONResponse({"hidden": sorted(hidden), "required": sorted(required)},
                        headers={"cache-control": "no-store", "x-robots-tag": "noindex"})


ROUTES = [
    Route("/f/{token}/live", public_live, methods=["POST"]),
]
