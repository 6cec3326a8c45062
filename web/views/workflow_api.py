"""The workflow API: a record's workflow, submit / withdraw / urge, a task and its actions, and the inbox boxes —
JSON over the same engine calls the pages make (sessions need the CSRF header, bearer tokens do not)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.errors import FieldError, NotFound, QueryInvalid, RecordInvalid
from engine.records.model import Record
from engine.workflow.errors import TaskNotFound, WorkflowError
from engine.workflow.views import FlowState
from web.api.input import MAX_ID, check_text, read_json, strict_keys
from web.api.records import _input_check, record_json
from web.endpoints import body_view, workspace
from web.views.workflow_input import BadInput, actor, comment_of, signature_of

RECORD_OPS = ("submit", "withdraw", "urge")
TASK_ACTIONS = ("approve", "reject", "return", "transfer", "add_signer", "resubmit", "withdraw")
ACT_KEYS = ("comment", "signature", "values", "version", "to_node", "to_user")
INBOX_PARAMS = ("form", "q", "status", "offset", "limit")


def plain(request: Request, value: Any) -> Any:
    """An engine view (dataclasses, records, times, mappings) as JSON-ready data."""
    if isinstance(value, Record):
        return record_json(request, value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(request, getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(request, v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(request, v) for v in value]
    return value


def _invalid(key: str, expected: str) -> RecordInvalid:
    return RecordInvalid({key: [FieldError("invalid_type", {"label": key, "expected": expected})]})


def _record(request: Request) -> tuple[str, int]:
    """The form id and record id of the path (NotFound for an unknown form or an impossible id)."""
    form_id, raw = str(request.path_params["form"]), str(request.path_params["id"])
    if form_id not in workspace(request).definitions.forms or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise NotFound(form_id, raw)
    return form_id, int(raw)


def _task_id(request: Request) -> int:
    raw = str(request.path_params["task"])
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise TaskNotFound(raw)
    return int(raw)


def _body(raw: bytes, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object posted (empty allowed), refusing unknown keys and a bad comment or signature."""
    body = read_json(raw, what="body")
    if not isinstance(body, dict):
        raise _invalid("body", "a JSON object")
    strict_keys(body, allowed)
    for key in ("comment", "signature", "to_node"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise _invalid(key, "text")
    try:
        body["comment"] = comment_of(body.get("comment"))
        body["signature"] = signature_of(body.get("signature"))
    except BadInput as exc:
        if exc.key == "wf_bad_signature":
            raise _invalid("signature", f"a PNG image as a data URL (data:image/png;base64,…) of at most "
                                        f"{exc.params['kb']} KB") from None
        raise RecordInvalid({"comment": [FieldError("too_long", {"label": "comment", **exc.params})]}) from None
    return body


def _flow(request: Request, form_id: str, record_id: int) -> FlowState:
    """The record's workflow as the caller sees it: NotFound / PermissionDenied for a record they may not read
    (before saying that the form has no workflow)."""
    ws = workspace(request)
    flow = ws.workflows.state(actor(request), form_id, record_id)
    if flow is None:
        ws.records.get(actor(request), form_id, record_id)
        raise WorkflowError("wf_no_workflow", form=form_id)
    return flow


def _state(request: Request, form_id: str, record_id: int) -> dict[str, Any]:
    ws = workspace(request)
    flow = _flow(request, form_id, record_id)
    steps = ws.workflows.steps(form_id, record_id) if flow.instance_id is not None else []
    return {"workflow": plain(request, flow), "steps": plain(request, steps)}


def record_workflow(request: Request) -> Response:
    """GET the record's workflow: status, nodes with who acted and who waits, the caller's task, the steps."""
    form_id, record_id = _record(request)
    return JSONResponse(_state(request, form_id, record_id))


@body_view
def record_op(request: Request, raw: bytes) -> Response:
    """POST submit (201 with the instance id), withdraw or urge the record's workflow."""
    form_id, record_id = _record(request)
    op = str(request.path_params["op"])
    if op not in RECORD_OPS:
        raise NotFound(form_id, f"{record_id}/workflow/{op}")
    ws, who = workspace(request), actor(request)
    flow = _flow(request, form_id, record_id)
    body = _body(raw, ("comment", "signature") if op == "submit" else ("comment",) if op == "withdraw" else ())
    if op == "submit":
        instance = ws.workflows.submit(who, form_id, record_id, comment=body["comment"], signature=body["signature"])
        return JSONResponse({"instance": instance, **_state(request, form_id, record_id)}, status_code=201)
    if flow.instance_id is None:
        raise WorkflowError("wf_not_running", instance="—", status="—")
    urged = None
    if op == "withdraw":
        ws.workflows.withdraw(who, flow.instance_id, comment=body["comment"])
    else:
        urged = ws.workflows.urge(who, flow.instance_id)
    return JSONResponse({**({"urged": urged} if urged is not None else {}), **_state(request, form_id, record_id)})


def task_item(request: Request) -> Response:
    """GET a task: the record as the node shows it, what the caller may do, the flow and the steps."""
    view = workspace(request).workflows.task_view(actor(request), _task_id(request))
    return JSONResponse(plain(request, view))


def _act_args(request: Request, form_id: str, body: dict[str, Any]) -> dict[str, Any]:
    values = body.get("values")
    if values is not None:
        if not isinstance(values, dict):
            raise _invalid("values", "an object")
        _input_check(request).check(form_id, values)
    version, to_user = body.get("version"), body.get("to_user")
    for key, number in (("version", version), ("to_user", to_user)):
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_ID):
            raise _invalid(key, "a whole number ≥ 1")
    return {"comment": body["comment"], "signature": body["signature"], "values": values or None, "version": version,
            "to_node": body.get("to_node") or None, "to_user": to_user, "fmt": "json"}


@body_view
def task_action(request: Request, raw: bytes) -> Response:
    """POST an action on a task: {comment, signature, values, version, to_node, to_user}, all optional."""
    ws, who = workspace(request), actor(request)
    task_id, action = _task_id(request), str(request.path_params["action"])
    view = ws.workflows.task_view(who, task_id)  # 404 / 403 first
    if action not in TASK_ACTIONS:
        raise WorkflowError("wf_action_not_allowed", action=action, allowed=", ".join(view.actions) or "—")
    body = _body(raw, ACT_KEYS)
    outcome = ws.workflows.act(who, task_id, action, **_act_args(request, view.form, body))
    return JSONResponse(plain(request, outcome))


def _inbox_query(request: Request) -> dict[str, Any]:
    params = request.query_params
    for name in INBOX_PARAMS:
        if name in params:
            check_text(params[name], lambda: QueryInvalid("bad_text", label=name))
    numbers = {}
    for name, default in (("offset", 0), ("limit", 50)):
        raw = params.get(name, str(default)).strip()
        if not raw.isdigit() or len(raw) > 9:
            raise QueryInvalid("bad_filter", message=f"{name} must be a whole number")
        numbers[name] = int(raw)
    return {"form": params.get("form") or None, "search": params.get("q") or None,
            "status": params.get("status") or None, **numbers}


def inbox(request: Request) -> Response:
    """GET a box of the caller's inbox (todo · done · started · cc) with every tab's count."""
    ws, who = workspace(request), actor(request)
    found = ws.workflows.inbox(who, str(request.path_params["box"]), **_inbox_query(request))
    return JSONResponse({**plain(request, found), "counts": ws.workflows.counts(who)})


ROUTES: list[BaseRoute] = [
    Route("/api/v1/inbox/{box}", inbox),
    Route("/api/v1/workflow/tasks/{task}", task_item),
    Route("/api/v1/workflow/tasks/{task}/{action}", task_action, methods=["POST"]),
    Route("/api/v1/{form}/{id}/workflow", record_workflow),
    Route("/api/v1/{form}/{id}/workflow/{op}", record_op, methods=["POST"]),
]
