"""The values a filter can pick from: a choice field's options, workspace members, departments, related records."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.definitions.palette import COLORS
from engine.fields.registry import field_type
from engine.fields.screen import DEPARTMENT, USER
from engine.i18n import text
from engine.org.departments import department_choices
from engine.org.users import list_users
from engine.records.model import Actor, Query
from engine.workspace import Workspace
from web.views.filters import kind_type
from web.views.pickers import chosen_labels

RELATION_OPTIONS = 500


def option_pairs(f: FieldDef, lang: str) -> list[tuple[str, str]]:
    """(value, label) of a choice field's options (or of a formula's choice result)."""
    options = getattr(kind_type(f), "options", None)
    if not callable(options):
        return []
    return [(value, text(label, lang)) for value, label in options(f)]


def option_colours(f: FieldDef, values: list[str]) -> dict[str, str]:
    """value → the CSS class of its badge ("app-color-blue", or "plain" for one without a colour), when some option
    of the field has a colour of the palette; {} when none has (the filter then offers a plain list)."""
    colour_of = getattr(kind_type(f), "option_colour", None)
    if not callable(colour_of):
        return {}
    colours = {value: str(colour_of(f, value)) for value in values}
    if not any(c in COLORS for c in colours.values()):
        return {}
    return {value: f"app-color-{c}" if c in COLORS else "plain" for value, c in colours.items()}


def picker_options(ws: Workspace, actor: Actor, lang: str, f: FieldDef) -> list[tuple[str, str]]:
    """(id, label) of every active member or department, or of the first RELATION_OPTIONS related records."""
    ref = field_type(f.type).refers_to(f)
    if ref is None:
        return []
    if ref.kind == USER:
        with ws.reading() as conn:
            return [(str(u["id"]), str(u["display_name"])) for u in list_users(conn) if u["active"]]
    if ref.kind == DEPARTMENT:
        with ws.reading() as conn:
            return [(str(d.id), d.label) for d in department_choices(conn, lang)]
    records = ws.records.list(actor, ref.form, Query(limit=RELATION_OPTIONS, with_children=False)).records
    titles = ws.records.titles(ref.form, [r.id for r in records])
    return sorted(((str(i), t) for i, t in titles.items()), key=lambda pair: pair[1])


def picked_labels(ws: Workspace, lang: str, form: FormDef, values: dict[str, Any], actor: Actor) -> dict[str, str]:
    """'field:id' → label of the members, departments and records some conditions name (records the actor may
    read)."""
    found = chosen_labels(ws, lang, form, values, actor)
    return {f"{field_id}:{value}": label for field_id, pairs in found.items() for value, label in pairs}
