"""From committed changes to automation jobs: the outbox consumer (record and workflow events) and inbound
webhooks. A job per (automation, event, record) — keyed, so relaying an event twice queues nothing twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.automation.switches import is_enabled, switched
from engine.definitions.model import AutomationDef, Definitions
from engine.jobs import queue
from engine.jobs.service import OutboxEvent
from engine.storage.database import write_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace

RECORD_TOPICS = {"record.create": "created", "record.update": "updated", "record.delete": "deleted"}
QUIET_CHANNELS = {"sample_data"}  # installing sample data does not set off automations
KIND = "automation.run"


def job_key(automation_id: str, *parts: Any) -> str:
    return ":".join(["auto", automation_id, *(str(p) for p in parts)])


def _changed_to(expected: Any, change: Any) -> bool:
    return isinstance(change, list) and len(change) == 2 and str(change[1]) == str(expected)


def matches(automation: AutomationDef, on: str, payload: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
    """Whether an event of kind `on` (created, updated…) for one record sets off this automation."""
    trigger = automation.trigger
    if trigger.on != on:
        return False
    via = str(payload.get("via") or "")
    allowed = trigger.get("via")
    if allowed is not None and via not in allowed:
        return False
    if allowed is None and via in QUIET_CHANNELS:
        return False
    if payload.get("automation") == automation.id:
        return False  # an automation's own writes do not set it off again
    if on == "updated":
        fields = trigger.get("fields")
        if fields and not any(f in changes for f in fields):
            return False
        for field_id, value in (trigger.get("to") or {}).items():
            if not _changed_to(value, changes.get(field_id)):
                return False
    return True


def consume(ws: Workspace) -> Any:
    """The outbox consumer for a workspace: enqueue a run for each automation an event sets off."""
    def consumer(conn: sa.Connection, event: OutboxEvent, now: datetime) -> None:
        defs: Definitions = ws.definitions
        if not defs.automations:
            return
        on = RECORD_TOPICS.get(event.topic)
        workflow_event = event.topic.removeprefix("workflow.") if event.topic.startswith("workflow.") else None
        if on is None and workflow_event is None:
            return
        switches = switched(conn)
        payload = event.payload
        ids = payload.get("ids") or ([payload["id"]] if payload.get("id") is not None else [])
        for automation in defs.automations.values():
            if automation.form != event.form or not is_enabled(automation, switches):
                continue
            if workflow_event is not None:
                if automation.trigger.on != "workflow" or automation.trigger.get("event") != workflow_event:
                    continue
            for record_id in ids:
                changes = payload.get("changes") if len(ids) == 1 else (payload.get("changes_by_id") or {}).get(str(record_id))
                changes = changes or {}
                if workflow_event is None and not matches(automation, str(on), payload, changes):
                    continue
                queue.enqueue(conn, job_key(automation.id, f"e{event.id}", record_id), KIND, {
                    "automation": automation.id, "trigger": on or f"workflow.{workflow_event}", "form": event.form,
                    "record_id": record_id, "changes": changes, "actor": payload.get("actor"),
                    "via": payload.get("via"), "depth": payload.get("depth", 0),
                    **({"workflow": {k: v for k, v in payload.items() if k not in ("ids", "changes")}}
                       if workflow_event else {}),
                }, now=now, label=f"{automation.id} · {event.form} #{record_id}")
    return consumer


def receive_webhook(ws: Workspace, automation: AutomationDef, body: Any, delivery: str | None) -> str:
    """Queue a run for an inbound webhook call; the same delivery id (header) queues it once. Returns the job key."""
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    ident = hashlib.sha256((delivery or "").encode() + b"|" + raw).hexdigest()[:24] if delivery else None
    now = ws.now()
    key = job_key(automation.id, "hook", ident or f"{now.strftime('%Y%m%d%H%M%S%f')}-{hashlib.sha256(raw).hexdigest()[:12]}")
    with write_transaction(ws.engine) as conn:
        queue.enqueue(conn, key, KIND, {"automation": automation.id, "trigger": "webhook", "form": automation.form,
                                        "record_id": None, "body": body, "depth": 0},
                      now=now, label=f"{automation.id} · webhook")
    return key
