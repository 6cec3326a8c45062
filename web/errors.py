"""Engine errors become HTTP answers here, in one place: JSON for the API, pages for people."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from engine.errors import (
    Conflict, DefinitionError, FormulaError, FormworkError, NotFound, PermissionDenied, QueryInvalid, RecordInvalid,
)
from engine.records.bulk import BatchTooLarge
from engine.workflow.errors import InstanceNotFound, TaskNotFound, WorkflowConflict, WorkflowError
from web.endpoints import workspace

STATUS = {BatchTooLarge: 422, RecordInvalid: 422, QueryInvalid: 400, Conflict: 409, NotFound: 404, PermissionDenied: 403,
          TaskNotFound: 404, InstanceNotFound: 404, WorkflowConflict: 409, WorkflowError: 422}


def status_of(exc: FormworkError) -> int:
    """The HTTP status for an engine error."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


def error_body(exc: FormworkError) -> dict[str, Any]:
    """{error: {code, message: {zh, en}, fields?: {path: [{code, message}]}, current?}}."""
    if isinstance(exc, RecordInvalid):
        return {"error": {"code": "invalid", "message": {"zh": "数据有误,请检查标出的字段", "en": "Some values are not valid"},
                          "fields": exc.as_dict()}}
    error = getattr(exc, "error", None)
    body: dict[str, Any] = {"code": error.code if error else "error",
                            "message": {"zh": error.message("zh"), "en": error.message("en")} if error else
                            {"zh": _said(exc, "zh"), "en": _said(exc, "en")}}
    if isinstance(exc, Conflict):
        body["expected_version"], body["current_version"] = exc.expected, exc.actual
    return {"error": body}


def api_error(request: Request, exc: Exception) -> Response:
    """Exception handler for engine errors: JSON under /api/, an error page in the user's language elsewhere (a
    plain function: the page reads the database, so Starlette runs it in the thread pool)."""
    assert isinstance(exc, FormworkError)
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(exc), status_code=status_of(exc))
    from web.i18n import choose_language
    from web.render import page

    lang = choose_language(request)
    error = getattr(exc, "error", None)
    key = {403: "no_permission", 404: "not_found", 409: "edit_conflict"}.get(status_of(exc), "bad_query")
    detail = error.message(lang) if error else _said(exc, lang) if isinstance(exc, (DefinitionError, FormulaError)) \
        else ""
    if isinstance(exc, PermissionDenied):
        detail = _denied_detail(request, exc, lang) or detail
    return page(request, "error.html", {"message": key, "detail": detail}, status=status_of(exc))


def _said(exc: FormworkError, lang: str) -> str:
    """The words of an engine error that has no catalogue code: definition problems and formula errors carry both
    languages; any other says it in English."""
    return exc.text(lang) if isinstance(exc, (DefinitionError, FormulaError)) else str(exc)


def _denied_detail(
request: Request, exc: PermissionDenied, lang: str) -> str:
    """Which right on which form is missing, in the user's language ('' when the refused target is not a form)."""
    from engine.i18n import text
    from web.i18n import translator

    form = workspace(request).definitions.forms.get(exc.target)
    t = translator(lang)
    operation = t(f"perm_op_{exc.action}")
    if form is None or operation == f"perm_op_{exc.action}":
        return ""
    return t("permission_denied_on_form").format(operation=operation, form=text(form.label, lang))


def method_not_allowed(request: Request, exc: Exception) -> Response:
    """405 with the Allow header: JSON under /api/, plain text elsewhere."""
    headers = dict(getattr(exc, "headers", None) or {})
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"code": "method_not_allowed", "message": {
            "zh": f"不支持 {request.method} 方法", "en": f"{request.method} is not allowed here"}}},
            status_code=405, headers=headers)
    return PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)
