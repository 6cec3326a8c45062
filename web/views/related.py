"""Records that point at a record (an order's payments, a customer's orders) and new records pre-filled to do so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.fields.registry import field_type, record_target
from engine.records.model import Actor, Filter, Query
from engine.workspace import Workspace
from engine.zones import zone_or
from web.views.display import Formatter, list_columns

RELATED_ROWS = 10
RELATED_COLUMNS = 4


@dataclass
class RelatedList:
    """The records of `form` whose `field` points at the record: a first page, the total and their columns."""

    form: FormDef
    field: FieldDef
    columns: list[FieldDef]
    rows: list[tuple[Any, list[str]]]
    total: int
    titles: dict[int, str]


def pointing_fields(ws: Workspace, target: str) -> list[tuple[FormDef, FieldDef]]:
    """(form, relation field) pairs of every form with a relation to `target`, in definition order."""
    found = []
    for form in ws.definitions.forms.values():
        for f in form.fields:
            if record_target(f) == target and _operator(f) is not None:
                found.append((form, f))
    return found


def _operator(f: FieldDef) -> str | None:
    ftype = field_type(f.type)
    if "eq" in ftype.operators and not ftype.many:
        return "eq"
    return "contains" if "contains" in ftype.operators else None


def related_lists(ws: Workspace, actor: Actor, form: FormDef, record_id: int, lang: str) -> list[RelatedList]:
    """One list per relation pointing at the record: up to RELATED_ROWS newest records and the total; forms the
    actor may not read are left out (finance reads clients, not their feedback)."""
    lists = []
    for other, f in pointing_fields(ws, form.id):
        if not ws.records.guard(actor, other.id).access.can("read"):
            continue
        query = Query(filters=(Filter(f.id, str(_operator(f)), record_id),), sort=(("created_at", True),),
                      limit=RELATED_ROWS, with_total=True, with_children=False)
        page = ws.records.list(actor, other.id, query)
        columns = [c for c in list_columns(other, limit=RELATED_COLUMNS + 1) if c.id != f.id][:RELATED_COLUMNS]
        fmt = Formatter(ws, other, page.records, lang, zone_or(actor.timezone, ws.tz))
        rows = [(r, [fmt.cell(r, c) for c in columns]) for r in page.records]
        titles = ws.records.titles(other.id, [r.id for r in page.records])
        lists.append(RelatedList(other, f, columns, rows, page.total or 0, titles))
    return lists


def prefilled(ws: Workspace, form: FormDef, params: Mapping[str, str], actor: Actor) -> dict[str, Any]:
    """Initial relation values from a query string (`?customer=5`): only relation fields, only records the actor
    may read."""
    values: dict[str, Any] = {}
    for f in form.fields:
        raw = params.get(f.id, "")
        target = record_target(f)
        if target is None or not raw.isdigit() or len(raw) > 18 or target not in ws.definitions.forms:
            continue
        record_id = int(raw)
        if record_id not in ws.records.titles(target, [record_id], actor):
            continue
        values[f.id] = [record_id] if field_type(f.type).many else record_id
    return values
