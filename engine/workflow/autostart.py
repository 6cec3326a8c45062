"""auto_start: a record created by a person (web, api, public form) starts its form's workflow, as its creator.

The outbox consumer queues one keyed job per record; the job submits inside its fenced transaction, and one
active instance per record makes a repeated run harmless."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.jobs import queue
from engine.jobs.context import JobContext
from engine.jobs.service import OutboxEvent
from engine.org.users import user_by_id
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.workflow.errors import WorkflowConflict
from engine.workflow.tables import wf_instances

if TYPE_CHECKING:
    from engine.workspace import Workspace

KIND = "workflow.autostart"
CHANNELS = ("web", "api", "public")


def consume(ws: Workspace) -> Any:
    """The outbox consumer: queue a start for each record created through a person's channel."""
    def consumer(conn: sa.Connection, event: OutboxEvent, now: datetime) -> None:
        if event.topic != "record.create" or event.form is None:
            return
        wf = ws.definitions.workflow_of(event.form)
        payload = event.payload
        if wf is None or not wf.auto_start or payload.get("via") not in CHANNELS or payload.get("actor") is None:
            return
        for record_id in payload.get("ids") or []:
            queue.enqueue(conn, f"wf:start:{event.form}:{record_id}", KIND,
                          {"form": event.form, "record_id": int(record_id), "actor": int(payload["actor"])},
                          now=now, label=f"{wf.id} · {event.form} #{record_id}")
    return consumer


def run_autostart(job: JobContext) -> dict[str, Any]:
    """The job: submit the record as its creator, unless it already went through a workflow."""
    ws, payload = job.host, job.payload
    form_id, record_id = str(payload["form"]), int(payload["record_id"])
    with read_transaction(ws.engine) as conn:
        started = conn.execute(sa.select(wf_instances.c.id).where(
            wf_instances.c.form == form_id, wf_instances.c.record_id == record_id).limit(1)).scalar()
        user = user_by_id(conn, int(payload["actor"]))
    if started is not None:
        return {"skipped": f"instance #{started} exists"}
    if user is None or not user["active"]:
        return {"skipped": "the creator is no longer active"}
    actor = Actor(user_id=int(user["id"]), department_id=user.get("department_id"),
                  roles=frozenset(user.get("roles", [])), is_admin=bool(user.get("is_admin")))
    try:
        instance = ws.workflows.submit_fenced(actor, form_id, record_id, fence=job.fenced(), on_create=True)
    except WorkflowConflict:
        return {"skipped": "a workflow is already running"}
    return {"instance": instance}
