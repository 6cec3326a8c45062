"""Labels of options a form no longer has: a record keeps a value whose option a later version removed (after a
rollback, say), and pages show that option's last label from the form's history, never the stored code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import FormDef
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
from engine.fields.registry import field_type
from engine.fields.types.options import OptionsMixin
from engine.i18n import text
from engine.lifecycle import LifecycleError, history
from engine.workspace import Workspace


def retired_options(ws: Workspace, form: FormDef) -> dict[str, dict[str, Any]]:
    """field id → option value → label, from every stored version of the form (the newest label of a value wins)."""
    try:
        versions = history(ws, form.source.file)
    except LifecycleError:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for row in versions:  # newest first
        try:
            data = safe_data(row["text"]) if isinstance(row["text"], str) else None
        except YamlSyntaxError:
            continue
        fields = data.get("fields") if isinstance(data, Mapping) else None
        for f in fields if isinstance(fields, list) else []:
            options = f.get("options") if isinstance(f, Mapping) else None
            for option in options if isinstance(options, list) else []:
                value, label = (option.get("value"), option.get("label") or option.get("value")) \
                    if isinstance(option, Mapping) else (option, option)
                found.setdefault(str(f.get("id")), {}).setdefault(str(value), label)
    return found


def kept_options(ws: Workspace, form: FormDef, values: Mapping[str, Any], lang: str) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices of the option fields whose value is not among their options (a removed option, an
    `allow_other` text, a free tag): the options, then each such value by its last label (else as stored), so
    an edit form shows it chosen by name and saving keeps it. Only fields that hold such a value are given."""
    found: dict[str, list[tuple[str, str]]] = {}
    retired: dict[str, dict[str, Any]] | None = None
    for f in form.fields:
        ftype, value = field_type(f.type), values.get(f.id)
        if not isinstance(ftype, OptionsMixin) or value is None or value == "":
            continue
        known = set(ftype.option_values(f))
        extra = [str(v) for v in (value if isinstance(value, list) else [value]) if str(v) not in known]
        if not extra:
            continue
        retired = retired_options(ws, form) if retired is None else retired
        labels = retired.get(f.id, {})
        found[f.id] = [(v, text(label, lang)) for v, label in ftype.options(f)] + \
            [(v, text(labels[v], lang) if v in labels else v) for v in dict.fromkeys(extra)]
    return found
