"""The live form's related-record defaults: picking a client fills the fields that default from it (数据联动).

The record preview computes the defaults under the viewer's access (engine.records.linked_defaults); this module
marks the fields on a new record's page and sends, with each live answer, the widget each would hold. The browser
(record-form.js) swaps it in while the user has not typed into that field, and again when the client changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from engine.definitions.default_from import defaults_from
from engine.definitions.model import FormDef
from engine.records.preview import Preview
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.views.pickers import chosen_labels


def fill_slots(form: FormDef, state: Preview, editable_ids: set[str], new: bool) -> dict[str, str]:
    """Field id → the relation value its default was last taken for, for each field a new record's page fills."""
    if not new:
        return {}
    return {f.id: relation_key(state.values.get(spec.relation)) for f, spec in defaults_from(form)
            if f.id in editable_ids}


def relation_key(value: Any) -> str:
    """The chosen related record as the page compares it ('' for none)."""
    return "" if value in (None, "", []) else str(value)


def with_linked(values: Mapping[str, Any], state: Preview) -> dict[str, Any]:
    """`values` with the empty fields given their related-record defaults (a new record opened with its client)."""
    filled = dict(values)
    for field_id, value in state.linked.items():
        if filled.get(field_id) in (None, "", []) and value is not None:
            filled[field_id] = value
    return filled


def fill_fragment(request: Request, form: FormDef, state: Preview, editable_ids: set[str]) -> str:
    """Out-of-band pieces carrying the widget of each field a related-record default fills ('' when none)."""
    slots = fill_slots(form, state, editable_ids, new=True)
    linked = {k: v for k, v in state.linked.items() if k in slots}
    if not linked:
        return ""
    lang = choose_language(request)
    actor = actor_of(current_user(request) or {}, lang)
    choices = chosen_labels(request.app.state.ws, lang, form, dict(linked), actor)
    fills = [(f, linked[f.id], slots[f.id]) for f, _ in defaults_from(form) if f.id in linked]
    response = page(request, "_linked_fill.html", {"form": form, "fills": fills, "choices": choices})
    return bytes(response.body).decode("utf-8")
