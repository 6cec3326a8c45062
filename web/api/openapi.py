"""The OpenAPI 3.1 document of /api/v1, generated from the form definitions and field types."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from engine import __version__
from engine.definitions.model import Definitions, FormDef
from engine.fields.registry import field_type
from engine.i18n import text

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"},
        "message": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}},
        "expected_version": {"type": "integer"}, "current_version": {"type": "integer"},
    }}},
}


def _name(form: FormDef) -> str:
    return "".join(part.title() for part in form.id.split("_"))


def values_schema(form: FormDef, writable_only: bool) -> dict[str, Any]:
    """JSON Schema of a form's values (all fields, or only those a client may send)."""
    properties = {}
    for f in form.fields:
        ftype = field_type(f.type)
        if ftype.layout_only or writable_only and (ftype.computed or f.formula):
            continue
        properties[f.id] = ftype.json_schema(f)
    return {"type": "object", "properties": properties, "additionalProperties": not writable_only}


def record_schema(form: FormDef) -> dict[str, Any]:
    """A record as returned by the API."""
    return {"type": "object", "required": ["id", "version", "values"], "properties": {
        "id": {"type": "integer"}, "version": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": ["integer", "null"]}, "owner_id": {"type": ["integer", "null"]},
        "department_id": {"type": ["integer", "null"]},
        "values": {"$ref": f"#/components/schemas/{_name(form)}Values"},
    }}


def _responses(ok: dict[str, Any]) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {**ok, "400": {"description": "bad query", **error}, "401": {"description": "not signed in", **error},
            "404": {"description": "no such form or record", **error},
            "422": {"description": "invalid values", **error}}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def form_paths(form: FormDef) -> dict[str, Any]:
    """The paths of one form."""
    name, tag = _name(form), text(form.label, "en")
    record_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    list_params = [
        {"name": n, "in": "query", "required": False, "schema": s, "description": d} for n, s, d in (
            ("q", {"type": "string"}, "quick search"),
            ("sort", {"type": "string"}, "fields to sort by, comma separated; a leading - sorts descending"),
            ("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "page size"),
            ("after", {"type": "string"}, "next_cursor of the previous page"),
            ("filter", {"type": "string"}, 'JSON list of {"field", "op", "value"}'),
            ("total", {"type": "string", "enum": ["0", "1"]}, "1: also count the matching records"),
            ("deleted", {"type": "string", "enum": ["0", "1"]}, "1: list the recycle bin"),
        )
    ]
    page = {"type": "object", "properties": {"records": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                                             "next_cursor": {"type": ["string", "null"]},
                                             "total": {"type": ["integer", "null"]}}}
    create = {"type": "object", "properties": {"values": {"$ref": f"#/components/schemas/{name}Input"}}}
    update = {"type": "object", "required": ["version"], "properties": {
        "version": {"type": "integer"}, "values": {"$ref": f"#/components/schemas/{name}Input"}}}
    base = f"/api/v1/{form.id}"
    return {
        base: {
            "get": {"tags": [tag], "operationId": f"list{name}", "parameters": list_params,
                    "responses": _responses({"200": {"description": "a page", "content": {"application/json": {"schema": page}}}})},
            "post": {"tags": [tag], "operationId": f"create{name}",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": create}}},
                     "responses": _responses({"201": {"description": "created", **_json(name)}})},
        },
        base + "/{id}": {
            "parameters": [record_id],
            "get": {"tags": [tag], "operationId": f"get{name}", "responses": _responses({"200": {"description": "the record", **_json(name)}})},
            "patch": {"tags": [tag], "operationId": f"update{name}",
                      "requestBody": {"required": True, "content": {"application/json": {"schema": update}}},
                      "responses": _responses({"200": {"description": "updated", **_json(name)},
                                               "409": {"description": "changed by someone else", **_json("Error")}})},
            "delete": {"tags": [tag], "operationId": f"delete{name}",
                       "parameters": [{"name": "version", "in": "query", "required": False, "schema": {"type": "integer"}}],
                       "responses": _responses({"204": {"description": "moved to the recycle bin"},
                                                "409": {"description": "changed by someone else", **_json("Error")}})},
        },
        base + "/{id}/restore": {
            "parameters": [record_id],
            "post": {"tags": [tag], "operationId": f"restore{name}",
                     "responses": _responses({"200": {"description": "restored", **_json(name)}})},
        },
    }


def document(defs: Definitions) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR}
    for form in defs.forms.values():
        paths.update(form_paths(form))
        name = _name(form)
        schemas[name] = record_schema(form)
        schemas[f"{name}Values"] = values_schema(form, writable_only=False)
        schemas[f"{name}Input"] = values_schema(form, writable_only=True)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Formwork API", "version": __version__,
                 "description": "Records of every form. Sign in first; unsafe requests carry the X-CSRF-Token header."},
        "paths": paths,
        "components": {"schemas": schemas},
    }


async def openapi_json(request: Request) -> Response:
    """GET /api/openapi.json."""
    return JSONResponse(document(request.app.state.ws.definitions))


async def docs(request: Request) -> Response:
    """GET /api/docs: a plain, dependency-free listing of the API's operations."""
    doc = document(request.app.state.ws.definitions)
    rows = "".join(
        f"<tr><td><code>{method.upper()}</code></td><td><code>{path}</code></td><td>{op.get('operationId', '')}</td></tr>"
        for path, item in doc["paths"].items() for method, op in item.items() if method != "parameters"
    )
    html = (f"<!doctype html><meta charset=utf-8><title>Formwork API</title><link rel=stylesheet href=/static/app.css>"
            f"<main><h1>Formwork API {__version__}</h1><p>OpenAPI 3.1: <a href=/api/openapi.json>/api/openapi.json</a></p>"
            f"<div class=table-wrap><table class=records><tr><th>method</th><th>path</th><th>operation</th></tr>{rows}"
            f"</table></div></main>")
    return HTMLResponse(html)
