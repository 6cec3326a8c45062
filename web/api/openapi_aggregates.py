"""The group-by and aggregate paths of a form in the OpenAPI document: GET /api/v1/{form}/groupby and /aggregate,
with the form's groupings and measures listed (to a reader with limited access: those of the fields they see)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.definitions.model import FormDef
from engine.i18n import text
from engine.permissions.access import FormAccess
from engine.reports.adhoc import MAX_FIELDS, MAX_GROUPS, MAX_MEASURES, choices
from engine.reports.buckets import BUCKETS

Schema = dict[str, Any]
Op = Callable[..., Schema]
Responses = Callable[..., Schema]
I18N_TEXT = {"type": "object", "required": ["zh", "en"], "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_GROUPING = {"type": "string", "pattern": rf"^{NAME}\.{NAME}(:({'|'.join(BUCKETS)}))?$",
                 "description": "a field through a relation (client.grade), a date one with a bucket"}
PATH_MEASURE = {"type": "string", "pattern": rf"^(sum|avg|min|max):{NAME}\.{NAME}$",
                "description": "a number field through a relation (sum:client.revenue)"}
DECIMAL = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$", "description": "a decimal, as a string"}
VALUES = {"count": {"type": "integer", "minimum": 0}, "integer": {"type": ["integer", "null"]}, "decimal": DECIMAL, "float": {"type": ["number", "null"]}}
MEMBER = {"type": "object", "required": ["value", "label"], "additionalProperties": False, "properties": {
    "value": {"type": ["string", "integer", "boolean", "null"],
              "description": "what a list filter takes: an option's value, an id (user, department, record), a "
                             "date bucket's first day (YYYY-MM-DD), the text; null for records with no value"},
    "label": {**I18N_TEXT, "description": "what a person reads (an option's label, a name, 2024 Q1…)"},
    "color": {"type": "string", "description": "an option's colour, when it has one"}}}
GROUPBY_INTRO = (f"Counts, sums, averages, minimums and maximums of the records you may read, grouped by up to "
                 f"{MAX_FIELDS} fields (`field=status&field=ordered_on:month`), computed by the report engine under "
                 "your data scope; `filter` and `q` work as in the list. Each group gives every grouping's member "
                 "(`value` and `label` in Chinese and English) and its measures; `totals` are over every record. "
                 f"More than {MAX_GROUPS:,} groups: 400 `too_many_groups` (narrow the filter or use a coarser date "
                 "bucket). A field you may not see: 403 naming it.")
AGGREGATE_INTRO = ("The measures over every record you may read under `filter` and `q` (your data scope applies). "
                   "A field you may not see: 403 naming it.")


def aggregate_paths(form: FormDef, access: FormAccess | None, op: Op, responses: Responses,
                    json: Callable[[Schema], Schema], list_params: list[Schema]) -> Schema:
    """{"/api/v1/{form}/groupby": {get}, "/api/v1/{form}/aggregate": {get}} built with the document's helpers;
    `list_params` are the list's parameters (its `filter` and `q` are taken)."""
    tag = text(form.label, "en")
    groupings, measures = choices(form, access.visible if access is not None else lambda _: True)
    chosen = [p for p in list_params if p["name"] in ("filter", "q")]
    values = {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]},
              "properties": {name: VALUES[kind] for name, kind in measures.items()},
              "description": "by measure, as asked: counts and measures of whole numbers are integers, averages "
                             "numbers, other sums, minimums and maximums decimal strings (null over no records)"}
    measure = _param("measure", False, measures, PATH_MEASURE, MAX_MEASURES,
                     "count (the default), or sum:FIELD, avg:FIELD, min:FIELD, max:FIELD of a number field; repeat "
                     "for several")
    grouped = {"type": "object", "required": ["fields", "measures", "groups", "totals"], "additionalProperties": False,
               "properties": {
                   "fields": {"type": "array", "items": {
                       "type": "object", "required": ["field", "label"], "additionalProperties": False,
                       "properties": {"field": {"type": "string"}, "label": I18N_TEXT}}},
                   "measures": {"type": "array", "items": {"type": "string"}},
                   "groups": {"type": "array", "maxItems": MAX_GROUPS, "items": {
                       "type": "object", "required": ["keys", "values"], "additionalProperties": False,
                       "properties": {"keys": {"type": "object", "additionalProperties": MEMBER,
                                               "description": "by grouping, as asked (status, ordered_on:month)"},
                                      "values": values}}},
                   "totals": values}}
    overall = {"type": "object", "required": ["measures", "values"], "additionalProperties": False,
               "properties": {"measures": {"type": "array", "items": {"type": "string"}}, "values": values}}
    field = _param("field", True, dict.fromkeys(groupings), PATH_GROUPING, MAX_FIELDS,
                   f"a field to group by, a date one optionally by {', '.join(BUCKETS)} (ordered_on:month); repeat "
                   "for several")
    return {
        f"/api/v1/{form.id}/groupby": {"get": op(
            "groupBy", f"Group {tag} records and aggregate each group",
            responses({"200": {"description": "the groups and the totals", **json(grouped)}}, "400"),
            description=GROUPBY_INTRO, parameters=[field, measure, *chosen])},
        f"/api/v1/{form.id}/aggregate": {"get": op(
            "aggregate", f"Aggregate {tag} records", responses(
                {"200": {"description": "the measures", **json(overall)}}, "400"),
            description=AGGREGATE_INTRO, parameters=[measure, *chosen])},
    }


def _param(name: str, required: bool, listed: dict[str, Any], other: Schema, most: int, description: str) -> Schema:
    """A repeated query parameter: the form's own choices listed, paths through relations by pattern."""
    item: Schema = {"anyOf": [{"type": "string", "enum": list(listed)}, other]}
    return {"name": name, "in": "query", "required": required, "style": "form", "explode": True,
            "schema": {"type": "array", "items": item, "minItems": 1 if required else 0, "maxItems": most},
            "description": description}
