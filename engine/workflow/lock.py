"""The record lock: while a record's workflow runs, people change it only through their to-do items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import Definitions
from engine.i18n import LANGUAGES, I18n, text
from engine.records.model import Actor
from engine.workflow.errors import RecordLocked

# Channels that write on the engine's own behalf: a running workflow does not stop them.
PASSING_CHANNELS = frozenset({"workflow", "automation", "system", "rollup", "sample_data", "email"})
RUNNING = "running:"


def running_nodes(wf_state: str | None) -> list[str]:
    """The active node ids a record's `wf_state` names ([] when no workflow runs)."""
    if not wf_state or not wf_state.startswith(RUNNING):
        return []
    return [n for n in wf_state[len(RUNNING):].split(",") if n]


def check_record_lock(defs: Definitions, form_id: str, record: Mapping[str, Any], actor: Actor, via: str) -> None:
    """RecordLocked when a user channel (web, api, import, batch…) writes a record in a running approval."""
    nodes = running_nodes(record.get("wf_state"))
    if not nodes or actor.system or via in PASSING_CHANNELS:
        return
    wf = defs.workflow_of(form_id)
    labels: list[I18n] = [wf.node_label(n) if wf is not None else n for n in nodes]
    node = {lang: " / ".join(text(label, lang) for label in labels) for lang in LANGUAGES}
    raise RecordLocked(form_id, int(record["id"]), node)

