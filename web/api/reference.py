"""/api/docs: a server-rendered reference of the API, generated from the OpenAPI document (no scripts, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web.api.openapi import cached_document
from web.api.schema_text import type_text
from web.render import page

METHODS = ("get", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    """One method on one path, ready for the template."""

    method: str
    path: str
    operation_id: str
    summary: str
    parameters: list[dict[str, Any]]
    body: str | None
    responses: list[tuple[str, str]]
    auth: str


def _operations(doc: dict[str, Any]) -> dict[str, list[Operation]]:
    by_tag: dict[str, list[Operation]] = {}
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [{"name": p["name"], "in": p["in"], "type": type_text(p["schema"]),
                       "description": p.get("description", "")} for p in [*item.get("parameters", []),
                                                                          *op.get("parameters", [])]]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = [(code, _response_text(doc, r)) for code, r in op["responses"].items()]
            auth = "bearer or session" if len(op["security"][1]) == 1 else "bearer, or session + X-CSRF-Token"
            by_tag.setdefault(op["tags"][0], []).append(Operation(
                method.upper(), path, op["operationId"], op.get("summary", ""), params,
                _body_text(body) if body else None, responses, auth))
    return by_tag


def _body_text(schema: dict[str, Any]) -> str:
    fields = [f"{k}{'*' if k in schema.get('required', []) else ''}: {type_text(v)}"
              for k, v in schema.get("properties", {}).items()]
    return "{" + ", ".join(fields) + "}"


def _response_text(doc: dict[str, Any], response: dict[str, Any]) -> str:
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return str(response.get("description", ""))


def _schemas(doc: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    result = []
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Values"):
            rows = [(field_id, type_text(s), str(s.get("title", "")) + (f" — {s['description']}" if s.get("description")
                                                                         else ""))
                    for field_id, s in schema["properties"].items()]
            result.append((name, rows))
    return result


def docs(request: Request) -> Response:
    """GET /api/docs."""
    doc = cached_document(request)
    return page(request, "api_docs.html", {"doc": doc, "operations": _operations(doc), "schemas": _schemas(doc)})
