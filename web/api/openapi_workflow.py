"""The workflow part of the OpenAPI document: the inbox boxes, a task and its actions, and for every form with a
workflow its record's workflow and submit / withdraw / urge (web/views/workflow_api.py serves them)."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import Definitions, FormDef
from engine.i18n import text
from engine.records.query import MAX_LIMIT
from engine.workflow.inbox import BOXES, STATUSES
from web.api.input import MAX_ID

TASK_ACTIONS = ("approve", "reject", "return", "transfer", "add_signer", "resubmit", "withdraw")
RECORD_OPS = ("submit", "withdraw", "urge")
TAG = "Workflow"
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
OBJECT = {"type": "object"}
TEXT = {"type": "string", "maxLength": 2000}
SIGNATURE = {"type": ["string", "null"], "description": "a PNG as a data URL (data:image/png;base64,…)"}
ACT_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "comment": {**TEXT, "type": ["string", "null"]}, "signature": SIGNATURE,
    "values": {"type": ["object", "null"], "description": "the fields editable at the node, as in a PATCH"},
    "version": {**ID, "type": ["integer", "null"]}, "to_node": {"type": ["string", "null"]},
    "to_user": {**ID, "type": ["integer", "null"]}}}


def _ok(description: str, *codes: str, status: str = "200") -> dict[str, Any]:
    errors = {code: {"$ref": f"#/components/responses/E{code}"} for code in ("401", "403", "404", *codes)}
    return {status: {"description": description, "content": {"application/json": {"schema": OBJECT}}}, **errors}


def _op(operation_id: str, summary: str, responses: dict[str, Any], *, write: bool = False,
        **extra: Any) -> dict[str, Any]:
    from web.api.openapi import READ_SECURITY, WRITE_SECURITY

    return {"tags": [TAG], "operationId": operation_id, "summary": summary,
            "security": WRITE_SECURITY if write else READ_SECURITY, "responses": responses, **extra}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": False, "content": {"application/json": {"schema": schema}}}


def common_paths() -> dict[str, Any]:
    """The inbox and the task paths (the same whatever the definitions)."""
    task = {"name": "task", "in": "path", "required": True, "schema": ID}
    return {
        "/api/v1/inbox/{box}": {"get": _op("inbox", "A box of the caller's inbox, with the to-do and unread-cc counts",
                                           _ok("a page of the box", "400", "422"), parameters=[
            {"name": "box", "in": "path", "required": True, "schema": {"type": "string", "enum": list(BOXES)}},
            _query("form", {"type": "string"}, "only items of this form"),
            _query("q", {"type": "string"}, "search the record titles"),
            _query("status", {"type": "string", "enum": list(STATUSES)}, "the instances' status"),
            _query("offset", {"type": "integer", "minimum": 0, "maximum": 999_999_999}, "items to skip"),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}, "page size")])},
        "/api/v1/workflow/tasks/{task}": {"parameters": [task], "get": _op(
            "getTask", "A to-do item: the record as its node shows it, the allowed actions, the flow and the steps",
            _ok("the item"))},
        "/api/v1/workflow/tasks/{task}/{action}": {"parameters": [
            task, {"name": "action", "in": "path", "required": True, "schema": {"type": "string",
                                                                               "enum": list(TASK_ACTIONS)}}],
            "post": _op("actOnTask", "Act on a to-do item (the node says which actions it allows)",
                        _ok("what the action did", "409", "422"), write=True, requestBody=_body(ACT_BODY))},
    }


def form_paths(form: FormDef) -> dict[str, Any]:
    """A record's workflow and its operations, for a form that has a workflow."""
    from web.api.openapi import _name

    base, name, label = f"/api/v1/{form.id}/{{id}}/workflow", _name(form), text(form.label, "en")
    record_id = {"name": "id", "in": "path", "required": True, "schema": ID}
    op = {"name": "op", "in": "path", "required": True, "schema": {"type": "string", "enum": list(RECORD_OPS)}}
    body = {"type": "object", "additionalProperties": False,
            "properties": {"comment": {**TEXT, "type": ["string", "null"]}, "signature": SIGNATURE},
            "description": "submit takes a comment and a signature, withdraw a comment, urge nothing"}
    responses = {**_ok("withdrawn or urged", "409", "422"), **_ok("submitted", status="201")}
    return {
        base: {"parameters": [record_id], "get": _op(f"get{name}Workflow", f"A {label} record's workflow",
                                                     _ok("status, nodes, the caller's task and the steps", "422"))},
        base + "/{op}": {"parameters": [record_id, op], "post": _op(
            f"run{name}Workflow", f"Submit, withdraw or urge a {label} record's workflow", responses, write=True,
            requestBody=_body(body))},
    }


def workflow_paths(defs: Definitions, readable: set[str] | None = None) -> dict[str, Any]:
    """Every workflow path of the document (of the forms in `readable`, when given)."""
    paths = common_paths()
    for form_id in dict.fromkeys(w.form for w in defs.workflows.values()):
        if form_id in defs.forms and (readable is None or form_id in readable):
            paths.update(form_paths(defs.forms[form_id]))
    return paths
