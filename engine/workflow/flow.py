"""One instance being moved inside one write transaction: its state, record, steps, events and tasks.

Every change to an instance happens with its row locked (`open_flow` bumps `row_version` first), so two
transactions moving the same instance queue up instead of each advancing it from a stale view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.definitions.model import NodeDef, WorkflowDef
from engine.errors import NotFound
from engine.records import reading
from engine.records.model import Actor
from engine.storage.system import outbox
from engine.workflow.errors import InstanceNotFound, valid_id
from engine.workflow.tables import wf_instances, wf_steps, wf_tasks

if TYPE_CHECKING:
    from engine.workspace import Workspace

ACTIVE = ("running", "rejected")
WF_STATE_MAX = 40  # the width of every form table's wf_state column


@dataclass
class Flow:
    """An instance under change: the definition it runs on, where it is, and the record it moves."""

    ws: Workspace
    conn: sa.Connection
    wf: WorkflowDef
    instance_id: int
    form_id: str
    record_id: int
    submitter_id: int | None
    status: str
    current: list[str]
    path: list[str]
    now: datetime
    record: dict[str, Any]
    actor_id: int | None = None  # who set this move off (None: the clock)
    last_actors: tuple[int, ...] = ()  # who passed the node just left (for `{previous: true}`)
    new_tasks: list[int] = field(default_factory=list)
    entries: int = 0  # nodes entered in this transaction (a guard against a definition that loops)

    @property
    def title(self) -> str:
        rt = self.ws.records.runtime(self.form_id)
        value = self.record.get(rt.form.title_field())
        return str(value)[:200] if value not in (None, "") else f"#{self.record_id}"

    def node(self, node_id: str) -> NodeDef:
        return self.wf.node(node_id)

    def reload_record(self) -> None:
        self.record = load_record(self.ws, self.conn, self.form_id, self.record_id)

    def write_values(self, values: Mapping[str, Any], *, user_id: int | None, fmt: str = "json",
                     version: int | None = None) -> None:
        """Write field values through the record service in this transaction, on the workflow's authority."""
        if not values:
            return
        writer = Actor(user_id=user_id, department_id=self.record.get("department_id"), system=True)
        self.ws.records.update(writer, self.form_id, self.record_id, values, fmt=fmt, via="workflow",
                               version=self.record["version"] if version is None else version, conn=self.conn)
        self.reload_record()

    def set_fields(self, values: Mapping[str, Any], *, user_id: int | None) -> None:
        """A node's `set` values, leaving out those the record already holds (no empty history entry)."""
        self.write_values({k: v for k, v in values.items() if self.record.get(k) != v}, user_id=user_id)

    def step(self, action: str, node: str | None, actor_id: int | None, *, comment: str = "",
             signature: str | None = None, detail: Mapping[str, Any] | None = None) -> None:
        """Add an entry to the instance's timeline."""
        self.conn.execute(sa.insert(wf_steps).values(
            instance_id=self.instance_id, form=self.form_id, record_id=self.record_id, node=node, actor_id=actor_id,
            action=action, comment=comment or None, signature=signature, detail=dict(detail) if detail else None,
            at=self.now))

    def emit(self, event: str, node: str | None, actor_id: int | None, outcome: str | None = None,
             **extra: Any) -> None:
        """One outbox event `workflow.<event>` (the automation consumer turns it into runs)."""
        payload = {"form": self.form_id, "id": self.record_id, "ids": [self.record_id], "workflow": self.wf.id,
                   "instance": self.instance_id, "node": node, "actor": actor_id, "via": "workflow",
                   "outcome": outcome, **extra}
        self.conn.execute(outbox.insert(), {
            "topic": f"workflow.{event}", "form": self.form_id, "record_id": self.record_id, "created_at": self.now,
            "attempts": 0, "dispatched_at": None, "payload": payload})

    def add_task(self, node: NodeDef, user_id: int, kind: str, *, added_by: int | None = None,
                 due: bool = True) -> int:
        """An open task at `node` for one user (due after the node's timeout when it has one)."""
        due_at = self.now + timedelta(hours=node.timeout.hours) if due and node.timeout else None
        task_id = int(self.conn.execute(sa.insert(wf_tasks).values(
            instance_id=self.instance_id, node=node.id, user_id=user_id, kind=kind, status="open",
            created_at=self.now, due_at=due_at, added_by=added_by, round=max(1, self.path.count(node.id)),
        ).returning(wf_tasks.c.id)).scalar_one())
        self.new_tasks.append(task_id)
        return task_id

    def open_tasks(self, node: str | None = None) -> list[dict[str, Any]]:
        """The instance's open tasks (of one node)."""
        clauses = [wf_tasks.c.instance_id == self.instance_id, wf_tasks.c.status == "open"]
        if node is not None:
            clauses.append(wf_tasks.c.node == node)
        return [dict(r) for r in self.conn.execute(sa.select(wf_tasks).where(*clauses).order_by(wf_tasks.c.id))
                .mappings()]

    def cancel_open(self, node: str | None = None) -> list[int]:
        """Close the open tasks (of one node) as cancelled; returns their users."""
        found = self.open_tasks(node)
        if found:
            self.conn.execute(sa.update(wf_tasks).where(wf_tasks.c.id.in_([t["id"] for t in found]),
                                                        wf_tasks.c.status == "open")
                              .values(status="cancelled", acted_at=self.now, acted_by=self.actor_id))
        return [int(t["user_id"]) for t in found]

    def save(self) -> None:
        """Write the instance's state and the record's `wf_state`."""
        ended = self.status not in ACTIVE
        self.conn.execute(sa.update(wf_instances).where(wf_instances.c.id == self.instance_id).values(
            status=self.status, current=list(self.current), path=list(self.path), title=self.title,
            ended_at=self.now if ended else None, active_key=None if ended else active_key(self.form_id, self.record_id)))
        rt = self.ws.records.runtime(self.form_id)
        self.conn.execute(sa.update(rt.main).where(rt.main.c.id == self.record_id).values(
            wf_state=wf_state(self.status, self.current)))
        self.record["wf_state"] = wf_state(self.status, self.current)


def active_key(form_id: str, record_id: int) -> str:
    return f"{form_id}:{record_id}"


def wf_state(status: str, current: Sequence[str]) -> str:
    """What the record's `wf_state` column says: running:<nodes> while running, else the status."""
    if status == "running":
        return ("running:" + ",".join(current))[:WF_STATE_MAX]
    return status


def load_record(ws: Workspace, conn: sa.Connection, form_id: str, record_id: int, *,
                include_deleted: bool = False) -> dict[str, Any]:
    """The record's values with subform rows and lookups, read in `conn` (a live one unless `include_deleted`)."""
    rt = ws.records.runtime(form_id)
    clauses = [rt.main.c.id == record_id] + ([] if include_deleted else [rt.main.c.deleted_at.is_(None)])
    row = conn.execute(sa.select(rt.main).where(*clauses)).first()
    if row is None:
        raise NotFound(form_id, record_id)
    values = reading.row_values(rt, row)
    reading.load_children(conn, rt, [values])
    reading.resolve_lookups(rt, [values], reading.RelatedCache(conn, ws.records.runtimes))
    return values


def lock_instance(conn: sa.Connection, instance_id: int) -> dict[str, Any]:
    """Take the instance's row lock (one conditional update) and read it; InstanceNotFound if absent."""
    if not valid_id(instance_id):
        raise InstanceNotFound(instance_id)
    bumped = conn.execute(sa.update(wf_instances).where(wf_instances.c.id == instance_id)
                          .values(row_version=wf_instances.c.row_version + 1)).rowcount
    row = conn.execute(sa.select(wf_instances).where(wf_instances.c.id == instance_id)).mappings().first() \
        if bumped else None
    if row is None:
        raise InstanceNotFound(instance_id)
    return dict(row)


def open_flow(ws: Workspace, conn: sa.Connection, wf: WorkflowDef, row: Mapping[str, Any], actor_id: int | None) -> Flow:
    """A Flow over a locked instance row."""
    # an instance whose record went to the recycle bin (by the engine) can still be cancelled or withdrawn
    record = load_record(ws, conn, str(row["form"]), int(row["record_id"]), include_deleted=True)
    return Flow(ws, conn, wf, int(row["id"]), str(row["form"]), int(row["record_id"]), row["submitter_id"],
                str(row["status"]), list(row["current"] or []), list(row["path"] or []), ws.now(), record,
                actor_id=actor_id)
