"""Helpers the form templates call: a value as an input shows it, the options of a choice field, and the
partial that draws a field's input."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from engine.definitions.model import FieldDef
from engine.fields.registry import field_type
from engine.i18n import text

WIDGETS = "widgets"
FALLBACK_WIDGET = f"{WIDGETS}/text.html"


def widget_templates(f: FieldDef) -> list[str]:
    """The partial drawing the field's input (`widgets/<widget>.html`), then the plain text input as a fallback."""
    return [f"{WIDGETS}/{field_type(f.type).widget_name(f)}.html", FALLBACK_WIDGET]


def input_value(f: FieldDef, value: Any, tz: tzinfo) -> Any:
    """What an input's value attribute holds for a typed (or re-posted raw) value."""
    return field_type(f.type).input_value(f, value, tz)


def options_of(f: FieldDef, choices: dict[str, list[tuple[Any, str]]], lang: str) -> list[tuple[Any, str]]:
    """(value, text) pairs of a choice field: its options (with kept values that are no longer options, when the
    page gives them), or the users/departments/records it can point to."""
    if f.id in choices:  # the records/people it points to, or its options with a stored value that is not one
        return choices[f.id]
    found = []
    for o in f.get("options") or []:
        if isinstance(o, dict):
            found.append((str(o.get("value")), text(o.get("label") or str(o.get("value")), lang)))
        else:
            found.append((str(o), str(o)))
    return found


def differs(f: FieldDef, saved: Any, mine: Any, tz: tzinfo) -> bool:
    """True when the saved value and the posted one show differently."""
    a, b = input_value(f, saved, tz), input_value(f, mine, tz)
    return (sorted(map(str, a)) if isinstance(a, list) else str(a)) != \
        (sorted(map(str, b)) if isinstance(b, list) else str(b))
