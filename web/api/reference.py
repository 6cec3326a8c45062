"""/api/docs: a server-rendered reference of the API, generated from the OpenAPI document (no CDN): its Markdown
descriptions rendered (markdown-it-py, raw HTML off, then sanitised by nh3), a contents list and a search box
(web/static/js/api-docs.js) that filters operations. In Chinese the page reads the document through
web/texts/api_reference_zh.py: forms and fields by their Chinese labels, summaries and descriptions translated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.model import Definitions, FormDef
from engine.i18n import text
from engine.records.bulk import MAX_BATCH
from web.api.openapi import _name, cached_document
from web.api.schema_text import type_text
from web.endpoints import workspace
from web.i18n import choose_language
from web.render import page
from web.texts.api_reference_zh import SUMMARIES, zh_sentence

METHODS = ("get", "post", "patch", "delete")
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_html(source: Any) -> Markup:
    """A description's Markdown as safe HTML (an inline one-liner without its <p>)."""
    rendered = nh3.clean(_MARKDOWN.render(str(source or "")), link_rel="noopener noreferrer").strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return Markup(rendered)


class Words:
    """The document's words in the reader's language: English as written, or Chinese through the table."""

    def __init__(self, defs: Definitions, lang: str) -> None:
        self.lang = lang
        self.by_tag: dict[str, FormDef] = {text(f.label, "en"): f for f in defs.forms.values()}
        self.by_schema: dict[str, FormDef] = {_name(f): f for f in defs.forms.values()}
        self.form_names = {f.id: text(f.label, "zh") for f in defs.forms.values()}

    def prose(self, english: Any) -> str:
        if self.lang != "zh" or not english:
            return str(english or "")
        return zh_sentence(str(english), self.form_names) or str(english)

    def tag(self, tag: str) -> str:
        form = self.by_tag.get(tag)
        if self.lang != "zh":
            return tag
        return text(form.label, "zh") if form is not None else {"Workflow": "流程"}.get(tag, tag)

    def summary(self, tag: str, operation_id: str, english: str) -> str:
        """A form's operation's summary from its verb (the operationId without the form's name)."""
        form = self.by_tag.get(tag) or self._named_in(operation_id)
        if self.lang != "zh" or form is None:
            return self.prose(english)
        template = SUMMARIES.get(operation_id.replace(_name(form), "", 1))
        return template.format(form=text(form.label, "zh"), batch=f"{MAX_BATCH:,}") if template else self.prose(english)

    def _named_in(self, operation_id: str) -> FormDef | None:
        """The form whose name an operationId holds (getContractWorkflow), the longest name when several fit."""
        names = [n for n in self.by_schema if n in operation_id]
        return self.by_schema[max(names, key=len)] if names else None

    def field_title(self, schema_name: str, field_id: str, english: str) -> str:
        form = self.by_schema.get(schema_name.removesuffix("Values"))
        field = form.field(field_id) if form is not None and self.lang == "zh" else None
        return text(field.label, "zh") if field is not None else english


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


def _operations(doc: dict[str, Any], words: Words) -> dict[str, list[Operation]]:
    by_tag: dict[str, list[Operation]] = {}
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                by_tag.setdefault(words.tag(op["tags"][0]), []).append(_operation(doc, path, method, item, op, words))
    return by_tag


def _operation(doc: dict[str, Any], path: str, method: str, item: dict[str, Any], op: dict[str, Any],
               words: Words) -> Operation:
    params = [{"name": p["name"], "in": p["in"], "type": type_text(p["schema"]),
               "description": markdown_html(words.prose(p.get("description")))}
              for p in [*item.get("parameters", []), *op.get("parameters", [])]]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    responses = [(code, markdown_html(words.prose(_response_text(doc, r)))) for code, r in op["responses"].items()]
    summary = words.summary(op["tags"][0], op["operationId"], str(op.get("summary") or ""))
    return Operation(method.upper(), path, op["operationId"], markdown_html(summary),
                     markdown_html(words.prose(op.get("description"))), params, _body_text(body) if body else None,
                     responses, writes=len(op["security"][1]) != 1)


def _body_text(schema: dict[str, Any]) -> str:
    fields = [f"{k}{'*' if k in schema.get('required', []) else ''}: {type_text(v)}"
              for k, v in schema.get("properties", {}).items()]
    return "{" + ", ".join(fields) + "}"


def _response_text(doc: dict[str, Any], response: dict[str, Any]) -> str:
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return str(response.get("description", ""))


def _schemas(doc: dict[str, Any], words: Words) -> list[tuple[str, list[tuple[str, str, Markup]]]]:
    result = []
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Values"):
            rows = [(field_id, type_text(s), markdown_html(words.field_title(name, field_id, str(s.get("title", ""))) + (
                f" — {words.prose(s['description'])}" if s.get("description") else "")))
                    for field_id, s in schema["properties"].items()]
            result.append((name, rows))
    return result


def docs(request: Request) -> Response:
    """GET /api/docs."""
    doc = cached_document(request)
    words = Words(workspace(request).definitions, choose_language(request))
    operations = _operations(doc, words)
    return page(request, "api_docs.html", {
        "doc": doc, "intro": markdown_html(words.prose(doc["info"].get("description"))), "operations": operations,
        "count": sum(len(ops) for ops in operations.values()), "schemas": _schemas(doc, words)})
