"""Labels of options a form no longer has: a record keeps a value whose option a later version removed (after a
rollback, say), and pages show that option's last label from the form's history, never the stored code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import FormDef
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
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
