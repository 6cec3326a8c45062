"""The values a filter can pick from: a choice field's options, workspace members, departments, related records."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.i18n import text
from engine.org.users import list_users
from engine.records.model import Actor, Query
from engine.storage.database import read_transaction
from engine.storage.system import departments
from web.views.filters import kind_type
from web.views.pickers import DEPARTMENTS, PEOPLE, RELATIONS, chosen_labels

RELATION_OPTIONS = 500


def option_pairs(f: FieldDef, lang: str) -> list[tuple[str, str]]:
    """(value, label) of a choice field's options (or of a formula's choice result)."""
    options = getattr(kind_type(f), "options", None)
    if not callable(options):
        return []
    return [(value, text(label, lang)) for value, label in options(f)]


def picker_options(ws: Any, actor: Actor, lang: str, f: FieldDef) -> list[tuple[str, str]]:
    """(id, label) of every active member or department, or of the first RELATION_OPTIONS related records."""
    if f.type in PEOPLE:
        with read_transaction(ws.engine) as conn:
            return [(str(u["id"]), str(u["display_name"])) for u in list_users(conn) if u["active"]]
    if f.type in DEPARTMENTS:
        with read_transaction(ws.engine) as conn:
            rows = conn.execute(departments.select().order_by(departments.c.position, departments.c.id)).all()
        return [(str(d.id), text(d.name or d.key or f"#{d.id}", lang)) for d in rows]
    if f.type in RELATIONS:
        target = str(f.get("to"))
        records = ws.records.list(actor, target, Query(limit=RELATION_OPTIONS, with_children=False)).records
        titles = ws.records.titles(target, [r.id for r in records])
        return sorted(((str(i), t) for i, t in titles.items()), key=lambda pair: pair[1])
    return []


def picked_labels(ws: Any, lang: str, form: FormDef, values: dict[str, Any], actor: Actor) -> dict[str, str]:
    """'field:id' → label of the members, departments and records some conditions name (records the actor may
    read)."""
    found = chosen_labels(ws, lang, form, values, actor)
    return {f"{field_id}:{value}": label for field_id, pairs in found.items() for value, label in pairs}
