"""/api/docs: a server-rendered reference of the API, generated from the OpenAPI document (no CDN): its Markdown
descriptions rendered (markdown-it-py, raw HTML off, then sanitised by nh3), a contents list and a search box
(web/static/js/api-docs.js) that filters operations; the page's words in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from web.api.openapi import cached_document
from web.api.schema_text import type_text
from web.render import page

METHODS = ("get", "post", "patch", "delete")
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_html(source: Any) -> Markup:
    """A description's Markdown as safe HTML (an inline one-liner without its <p>)."""
    rendered = nh3.clean(_MARKDOWN.render(str(source or "")), link_rel="noopener noreferrer").strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return Markup(rendered)


@dataclass(frozen=True)
class Operation:
    """One method on one path, ready for the template."""

    method: str
    path: str
    operation_id: str
    summary: Markup
    description: Markup
    parameters: list[dict[str, Any]]
    body: str | None
    responses: list[tuple[str, Markup]]
    writes: bool  # a session caller also sends X-CSRF-Token

    @property
    def search_text(self) -> str:
        """What the search box matches, lower-cased: method, path, id and the summary's words."""
        return " ".join((self.method, self.path, self.operation_id, str(self.summary.striptags()))).lower()


def _operations(doc: dict[str, Any]) -> dict[str, list[Operation]]:
    by_tag: dict[str, list[Operation]] = {}
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                by_tag.setdefault(op["tags"][0], []).append(_operation(doc, path, method, item, op))
    return by_tag


def _operation(doc: dict[str, Any], path: str, method: str, item: dict[str, Any], op: dict[str, Any]) -> Operation:
    params = [{"name": p["name"], "in": p["in"], "type": type_text(p["schema"]),
               "description": markdown_html(p.get("description"))}
              for p in [*item.get("parameters", []), *op.get("parameters", [])]]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    responses = [(code, markdown_html(_response_text(doc, r))) for code, r in op["responses"].items()]
    return Operation(method.upper(), path, op["operationId"], markdown_html(op.get("summary")),
                     markdown_html(op.get("description")), params, _body_text(body) if body else None, responses,
                     writes=len(op["security"][1]) != 1)


def _body_text(schema: dict[str, Any]) -> str:
    fields = [f"{k}{'*' if k in schema.get('required', []) else ''}: {type_text(v)}"
              for k, v in schema.get("properties", {}).items()]
    return "{" + ", ".join(fields) + "}"


def _response_text(doc: dict[str, Any], response: dict[str, Any]) -> str:
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return str(response.get("description", ""))


def _schemas(doc: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, Markup]]]]:
    result = []
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Values"):
            rows = [(field_id, type_text(s), markdown_html(str(s.get("title", "")) + (
                f" — {s['description']}" if s.get("description") else "")))
                    for field_id, s in schema["properties"].items()]
            result.append((name, rows))
    return result


def docs(request: Request) -> Response:
    """GET /api/docs."""
    doc = cached_document(request)
    operations = _operations(doc)
    return page(request, "api_docs.html", {
        "doc": doc, "intro": markdown_html(doc["info"].get("description")), "operations": operations,
        "count": sum(len(ops) for ops in operations.values()), "schemas": _schemas(doc)})
