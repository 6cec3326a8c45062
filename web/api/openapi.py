"""The OpenAPI 3.1 document of /api/v1, generated from the form definitions and field types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine import __version__
from engine.definitions.model import Definitions, FormDef
from engine.fields.registry import field_type
from engine.i18n import text
from engine.permissions.access import FormAccess, full_access
from engine.records.query import COUNT_CAP, MAX_LIMIT
from web.api.input import MAX_ID
from web.api.openapi_aggregates import aggregate_paths
from web.api.openapi_bulk import bulk_paths
from web.api.openapi_workflow import workflow_paths
from web.api.validation import values_input_schema
from web.endpoints import workspace
from web.i18n import choose_language
from web.session import actor_of, current_user

TEXT = {"type": "string"}
I18N_TEXT = {"type": "object", "required": ["zh", "en"], "properties": {"zh": TEXT, "en": TEXT}}
FIELD_ERROR = {"type": "object", "required": ["code", "message"], "properties": {"code": TEXT, "message": I18N_TEXT}}
ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "stable, machine-readable reason, e.g. invalid, conflict, "
                                                  "not_found, bad_filter, token_expired"},
        "message": I18N_TEXT,
        "fields": {"type": "object", "description": "per field path (e.g. items[2].quantity; '' for the record)",
                   "additionalProperties": {"type": "array", "items": FIELD_ERROR}},
        "expected_version": {"type": "integer"}, "current_version": {"type": "integer"},
    }}},
}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "A personal API token (fw_…), created on the Settings page. No CSRF token needed."},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "formwork_session",
                   "description": "The browser session after signing in."},
    "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                   "description": "With the session cookie, unsafe requests (POST, PATCH, DELETE) carry the "
                                  "session's CSRF token."},
}
READ_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": [], "csrfHeader": []}]
ERRORS = {
    "400": "the query is not valid (unknown field or operator, bad limit, cursor or flag; a field that cannot be "
           "grouped or measured, too many groups)",
    "401": "not signed in, or the API token is missing, invalid, expired or revoked",
    "403": "not allowed, or the CSRF token is missing (cookie sessions)",
    "404": "no such form or record",
    "409": "the record was changed by someone else: `current_version` says which version is stored",
    "413": "the request body is too large (32 MB for a bulk call): send the records in parts",
    "422": "the body or its values are not valid: `fields` lists every problem by field (code batch_too_large: "
           "more than 1,000 records in a bulk call)",
}


def _name(form: FormDef) -> str:
    return "".join(part.title() for part in form.id.split("_"))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def values_schema(form: FormDef, access: FormAccess | None = None) -> dict[str, Any]:
    """JSON Schema of a form's values as the API returns them (to a reader with `access`: its visible fields)."""
    seen = access or full_access(form.id)
    properties = {f.id: field_type(f.type).json_schema(f) for f in form.fields
                  if not field_type(f.type).layout_only and seen.visible(f.id)}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def input_schema(form: FormDef, access: FormAccess | None = None) -> dict[str, Any]:
    """JSON Schema of the values a client with `access` may send: the fields it may write."""
    schema = values_input_schema(form)
    if access is None or access.unrestricted:
        return schema
    return {**schema, "properties": {k: v for k, v in schema["properties"].items() if access.writable(k)}}


def record_schema(form: FormDef) -> dict[str, Any]:
    """A record as returned by the API."""
    properties = {
        "id": {"type": "integer"}, "version": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": ["integer", "null"]}, "owner_id": {"type": ["integer", "null"]},
        "department_id": {"type": ["integer", "null"]}, "values": _ref(f"{_name(form)}Values"),
    }
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


def _responses(ok: dict[str, Any], *codes: str) -> dict[str, Any]:
    return {**ok, **{code: {"$ref": f"#/components/responses/E{code}"} for code in ("401", "403", "404", *codes)}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _list_params() -> list[dict[str, Any]]:
    return [
        {"name": n, "in": "query", "required": False, "schema": s, "description": d} for n, s, d in (
            ("q", {"type": "string"}, "quick search over the form's text fields"),
            ("sort", {"type": "string"}, "field ids to sort by, comma separated; a leading - sorts descending"),
            ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}, "page size"),
            ("after", {"type": "string"}, "`next_cursor` of the previous page (same filters and sort)"),
            ("filter", {"type": "string"}, 'JSON list of {"field", "op", "value"}, e.g. '
                                           '[{"field":"amount","op":"gt","value":"1000"}]; all must hold'),
            ("total", {"type": "string", "enum": ["0", "1", "capped"]},
             f"1: also count the matching records; capped: count at most {COUNT_CAP:,} (`total_exact` false when "
             "more match: a fast count for big lists)"),
            ("deleted", {"type": "string", "enum": ["0", "1"]}, "1: list the recycle bin"),
        )
    ]


EXPORT_CONTENT = {
    "text/csv": {"schema": {"type": "string", "description": "UTF-8 with a byte-order mark; a header row of field "
                                                             "labels, then one row per record"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "contentEncoding": "binary"}},
}


EXPORT_JOB = {"type": "object", "required": ["job", "status", "rows_total"],
              "properties": {"job": {"type": "string"}, "status": {"type": "string"},
                             "rows_total": {"type": "integer"}}}


def _export_params() -> list[dict[str, Any]]:
    """The export's parameters: the format, and the list's search, sort and filter."""
    chosen = {p["name"]: p for p in _list_params()}
    return [{"name": "format", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["csv", "xlsx"], "default": "csv"},
             "description": "csv (UTF-8 with BOM) or xlsx; one column per field you may see. More records than "
                            "the export_background_rows setting: 202 with {job, status}; GET status until it "
                            "gives the download URL"},
            *(chosen[n] for n in ("q", "sort", "filter"))]


OPERATION_NEEDS = {"list": "read", "get": "read", "export": "export", "groupBy": "read", "aggregate": "read",
                   "bulkCreate": "create+import",
                   "bulkUpdate": "update+import", "create": "create", "update": "update", "delete": "delete",
                   "restore": "delete"}


READ_VERBS = ("list", "get", "export", "groupBy", "aggregate")


def form_paths(form: FormDef, access: FormAccess | None = None) -> dict[str, Any]:
    """The paths of one form: with `access`, only the operations it allows."""
    name, tag = _name(form), text(form.label, "en")
    record_id = {"name": "id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    version = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    page = {"type": "object", "required": ["records", "next_cursor", "total"], "additionalProperties": False,
            "properties": {"records": {"type": "array", "items": _ref(name)}, "next_cursor": {"type": ["string", "null"]},
                           "total": {"type": ["integer", "null"]},
                           "total_exact": {"type": "boolean", "description": "false: `total` is the cap, more match"}}}
    create = {"type": "object", "additionalProperties": False, "properties": {"values": _ref(f"{name}Input")}}
    update = {"type": "object", "required": ["version"], "additionalProperties": False,
              "properties": {"version": version, "values": _ref(f"{name}Input")}}
    base = f"/api/v1/{form.id}"

    def op(verb: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
        security = READ_SECURITY if verb in READ_VERBS else WRITE_SECURITY
        return {"tags": [tag], "operationId": f"{verb}{name}", "summary": summary, "security": security,
                "responses": responses, **extra}

    paths = {
        base: {
            "get": op("list", f"List {tag} records", _responses({"200": {"description": "a page", **_json(page)}}, "400"),
                      parameters=_list_params()),
            "post": op("create", f"Create a {tag} record",
                       _responses({"201": {"description": "created", **_json(_ref(name))}}, "422"),
                       requestBody={"required": True, **_json(create)}),
        },
        base + "/export": {
            "get": op("export", f"Export {tag} records as CSV or Excel", _responses(
                {"200": {"description": "the file (an attachment)", "content": EXPORT_CONTENT},
                 "202": {"description": "more records than the export_background_rows setting: a background job; "
                                        "GET `status` (/api/v1/exports/{job}) until it gives `download`",
                         **_json(EXPORT_JOB)}}, "400"),
                parameters=_export_params()),
        },
        **bulk_paths(form, op, lambda ok, *codes: _responses(ok, *codes), _json),
        **aggregate_paths(form, access, op, lambda ok, *codes: _responses(ok, *codes), _json, _list_params()),
        base + "/{id}": {
            "parameters": [record_id],
            "get": op("get", f"Get a {tag} record", _responses({"200": {"description": "the record", **_json(_ref(name))}})),
            "patch": op("update", f"Change a {tag} record", _responses(
                {"200": {"description": "updated", **_json(_ref(name))}}, "409", "422"),
                requestBody={"required": True, **_json(update)}),
            "delete": op("delete", f"Move a {tag} record to the recycle bin",
                         _responses({"204": {"description": "moved to the recycle bin"}}, "409", "422"),
                         parameters=[{"name": "version", "in": "query", "required": False, "schema": version,
                                      "description": "refuse (409) if the record's version is not this one"}]),
        },
        base + "/{id}/restore": {
            "parameters": [record_id],
            "post": op("restore", f"Restore a {tag} record from the recycle bin",
                       _responses({"200": {"description": "restored", **_json(_ref(name))}}, "422")),
        },
    }
    return _allowed(paths, access)


def _allowed(paths: dict[str, Any], access: FormAccess | None) -> dict[str, Any]:
    """The paths without the operations `access` does not allow (and without paths left with none)."""
    if access is None or access.unrestricted:
        return paths
    kept: dict[str, Any] = {}
    for path, item in paths.items():
        ops = {k: v for k, v in item.items() if not isinstance(v, dict) or "operationId" not in v
               or all(access.can(need) for need in OPERATION_NEEDS[_verb(v["operationId"])].split("+"))}
        if any(isinstance(v, dict) and "operationId" in v for v in ops.values()):
            kept[path] = ops
    return kept


def _verb(operation_id: str) -> str:
    return next(verb for verb in OPERATION_NEEDS if operation_id.startswith(verb))


Accesses = Callable[[str], FormAccess]


def document(defs: Definitions, access_of: Accesses | None = None) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document; with `access_of` (form id → the viewer's access), only the forms the viewer
    may read, and in them only the fields they may read (values) or write (input)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR, "FieldError": FIELD_ERROR}
    readable = set()
    for form in defs.forms.values():
        access = access_of(form.id) if access_of else None
        if access is not None and not access.can("read"):
            continue
        readable.add(form.id)
        paths.update(form_paths(form, access))
        name = _name(form)
        schemas[name] = record_schema(form)
        schemas[f"{name}Values"] = values_schema(form, access)
        schemas[f"{name}Input"] = input_schema(form, access)
    paths.update(workflow_paths(defs, readable))
    responses = {f"E{code}": {"description": description, **_json(_ref("Error"))} for code, description in ERRORS.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Formwork API", "version": __version__,
                 "description": "Records of every form. Authenticate with `Authorization: Bearer <token>` (a personal "
                                "API token from Settings), or with the browser session plus the X-CSRF-Token header "
                                "on unsafe requests. Errors are JSON: `{error: {code, message: {zh, en}, fields?}}`."},
        "security": READ_SECURITY,
        "paths": paths,
        "components": {"schemas": schemas, "responses": responses, "securitySchemes": SECURITY_SCHEMES},
    }


CACHED_VIEWS = 64  # documents kept per definitions version: one per distinct set of roles that asked


def cached_document(request: Request) -> dict[str, Any]:
    """The document the signed-in user may see, of the workspace's current definitions (rebuilt after a publish).

    It depends only on the user's roles (or being an administrator), so it is cached per set of roles."""
    ws = workspace(request)
    defs = ws.definitions
    actor = actor_of(current_user(request) or {"id": 0}, choose_language(request))
    key = ("admin",) if actor.is_admin else tuple(sorted(actor.roles))
    cached = getattr(request.app.state, "openapi", None)
    if cached is None or cached[0] is not defs:
        cached = (defs, {})
        request.app.state.openapi = cached
    views: dict[tuple[str, ...], dict[str, Any]] = cached[1]
    if key not in views:
        if len(views) >= CACHED_VIEWS:
            views.pop(next(iter(views)))
        views[key] = document(defs, None if actor.is_admin else lambda f: ws.records.guard(actor, f).access)
    return views[key]


def openapi_json(request: Request) -> Response:
    """GET /api/openapi.json."""
    return JSONResponse(cached_document(request))
