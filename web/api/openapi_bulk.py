"""The bulk paths of a form in the OpenAPI document: POST and PATCH /api/v1/{form}/bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.definitions.model import FormDef
from engine.i18n import text
from engine.records.bulk import MAX_BATCH
from web.api.input import MAX_ID

Schema = dict[str, Any]
Op = Callable[..., Schema]
Responses = Callable[..., Schema]
WHOLE = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
FIELD_ERRORS = {"type": "object", "description": "per field path ('' for the record as a whole)",
                "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}}
ATOMIC = {"type": "boolean", "default": False,
          "description": "true: all or nothing. Any failure writes nothing and answers 422 with every failure in "
                         "`fields`, keyed `[index].path`"}
INTRO = (f"Up to {MAX_BATCH:,} records in one call and one transaction, through the same checks, defaults, formulas, "
         "serial numbers, history and events as single writes. Needs the {right} right and the import right. "
         "By default each record succeeds or fails on its own (uniqueness is checked within the batch too); "
         "the answer has a result per record, in order.")


def _name(form: FormDef) -> str:
    return "".join(part.title() for part in form.id.split("_"))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(form: FormDef, update: bool) -> Schema:
    """The 200 body: counts and a result per record (the written record, or its errors)."""
    result = {"type": "object", "required": ["index"], "additionalProperties": False, "properties": {
        "index": {"type": "integer", "minimum": 0, "description": "the record's position in the request"},
        "id": {"type": "integer"}, "version": {"type": "integer"}, "record": _ref(_name(form)),
        "errors": FIELD_ERRORS,
        **({"current_version": {"type": "integer", "description": "with a version conflict: the stored version"}}
           if update else {}),
    }}
    return {"type": "object", "required": ["written", "failed", "results"], "additionalProperties": False,
            "properties": {"written": {"type": "integer"}, "failed": {"type": "integer"},
                           "results": {"type": "array", "items": result}}}


def _request(form: FormDef, update: bool) -> Schema:
    item: Schema = {"type": "object", "additionalProperties": False, "properties": {"values": _ref(f"{_name(form)}Input")}}
    if update:
        item = {**item, "required": ["id", "version"],
                "properties": {"id": WHOLE, "version": {**WHOLE, "description": "the version you read; another is "
                                                                                "that record's conflict"},
                               **item["properties"]}}
    return {"type": "object", "required": ["records"], "additionalProperties": False, "properties": {
        "records": {"type": "array", "maxItems": MAX_BATCH, "items": item}, "atomic": ATOMIC}}


def bulk_paths(form: FormDef, op: Op, responses: Responses, json: Callable[[Schema], Schema]) -> Schema:
    """{"/api/v1/{form}/bulk": {post, patch}} built with the document's own `op`, `responses` and `json` helpers."""
    tag = text(form.label, "en")

    def operation(verb: str, update: bool, summary: str, right: str) -> Schema:
        return op(verb, summary, responses({"200": {"description": "a result per record", **json(_answer(form, update))}},
                                          "413", "422"),
                  description=INTRO.format(right=right), requestBody={"required": True, **json(_request(form, update))})

    return {f"/api/v1/{form.id}/bulk": {
        "post": operation("bulkCreate", False, f"Create up to {MAX_BATCH:,} {tag} records", "create"),
        "patch": operation("bulkUpdate", True, f"Change up to {MAX_BATCH:,} {tag} records, each at its version",
                           "update"),
    }}
