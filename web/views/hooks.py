"""Inbound webhooks: POST JSON to an automation's secret URL; the automation runs in the background."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.automation.switches import is_enabled, switched
from engine.automation.triggers import receive_webhook
from engine.automation.webhooks import token_matches
from engine.errors import RecordInvalid
from web.api.input import read_json
from web.endpoints import body_view, workspace


def _error(status: int, code: str, zh: str, en: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": {"zh": zh, "en": en}}}, status_code=status)


@body_view
def receive(request: Request, raw: bytes) -> Response:
    """POST /hooks/{automation}/{token}: 202 with the job key; the body must be a JSON object or array."""
    ws = workspace(request)
    automation = ws.definitions.automations.get(request.path_params["automation"])
    secret = str(ws.settings.secret or "")
    if automation is None or automation.trigger.on != "webhook" or not secret \
            or not token_matches(secret, automation.id, request.path_params["token"]):
        return _error(404, "not_found", "没有这个 Webhook 地址", "No webhook at this address")
    with ws.reading() as conn:
        if not is_enabled(automation, switched(conn)):
            return _error(409, "disabled", "这个自动化已停用", "This automation is switched off")
    try:
        body = read_json(raw or b"null", what="body")  # the API's limits: size, depth, storable text
    except RecordInvalid as exc:
        problem = next(e for errors in exc.errors.values() for e in errors)
        return _error(400, "bad_json", problem.message("zh"), problem.message("en"))
    if not isinstance(body, (dict, list)):
        return _error(400, "bad_json", "请求内容须为 JSON 对象或数组", "The body must be a JSON object or array")
    delivery = request.headers.get("idempotency-key") or request.headers.get("x-request-id")
    key = receive_webhook(ws, automation, body, delivery[:200] if delivery else None)
    return JSONResponse({"accepted": True, "job": key}, status_code=202)
