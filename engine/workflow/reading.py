"""Reads for pages: the flow chart of a record's instance, its timeline, a task with its masked record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.definitions.model import NodeDef, WorkflowDef
from engine.errors import NotFound, PermissionDenied
from engine.org.users import display_names
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.workflow import access, graph
from engine.workflow.actions import task_actions
from engine.workflow.errors import TaskNotFound, valid_id
from engine.workflow.tables import wf_instances, wf_steps, wf_tasks
from engine.workflow.views import Act, Edge, FlowState, MyTask, NodeState, Person, Step, Task, TaskView

if TYPE_CHECKING:
    from engine.workspace import Workspace

SYSTEM = Actor.system_actor()


def _person(names: Mapping[int, str], user_id: Any) -> Person | None:
    return Person(int(user_id), names.get(int(user_id), f"#{user_id}")) if user_id is not None else None


def _latest(conn: sa.Connection, form_id: str, record_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(wf_instances).where(wf_instances.c.form == form_id, wf_instances.c.record_id == record_id)
                       .order_by(wf_instances.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def _rows(conn: sa.Connection, table: sa.Table, instance_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.select(table).where(table.c.instance_id == instance_id)
                                          .order_by(table.c.id)).mappings()]


def edges(wf: WorkflowDef) -> tuple[Edge, ...]:
    """The arrows of the flow chart."""
    found: list[Edge] = []
    for node in wf.nodes:
        if node.type == "condition":
            found.extend(Edge(node.id, b.next, b.label) for b in node.branches)
        else:
            found.extend(Edge(node.id, n) for n in node.next)
    return tuple(found)


def state(svc: Any, actor: Actor, form_id: str, record_id: int) -> FlowState | None:
    """FlowState of the record's latest instance (or of the form's workflow before a first submit)."""
    ws = svc.ws
    with read_transaction(ws.engine) as conn:
        row = _latest(conn, form_id, record_id)
        current_wf = ws.definitions.workflow_of(form_id)
        if row is None and current_wf is None:
            return None
        involved = row is not None and _involved(conn, actor, row)
        if not involved and not ws.records.allowed(actor, form_id, record_id, "read"):
            raise NotFound(form_id, record_id)
        if row is None:
            nodes = tuple(NodeState(n.id, n.type, n.label, "pending", n.sign) for n in current_wf.nodes)
            return FlowState(current_wf.id, current_wf.label, None, None, (), nodes, edges(current_wf),
                             can_submit=_may_submit(svc, actor, form_id, record_id))
        return flow_state(svc, conn, actor, row)


def _involved(conn: sa.Connection, actor: Actor, row: Mapping[str, Any]) -> bool:
    if actor.user_id is None:
        return bool(actor.system)
    if row["submitter_id"] == actor.user_id:
        return True
    return conn.execute(sa.select(wf_tasks.c.id).where(wf_tasks.c.instance_id == row["id"],
                                                       wf_tasks.c.user_id == actor.user_id).limit(1)).first() is not None


def _may_submit(svc: Any, actor: Actor, form_id: str, record_id: int) -> bool:
    try:
        svc._may_submit(actor, form_id, record_id)
    except (PermissionDenied, NotFound):
        return False
    return True


def flow_state(svc: Any, conn: sa.Connection, actor: Actor, row: Mapping[str, Any]) -> FlowState:
    """FlowState of one instance row."""
    wf = svc.snapshots.load(conn, str(row["def_hash"]))
    tasks, steps_ = _rows(conn, wf_tasks, int(row["id"])), _rows(conn, wf_steps, int(row["id"]))
    names = display_names(conn, [t["user_id"] for t in tasks] + [s["actor_id"] for s in steps_] + [row["submitter_id"]])
    status = str(row["status"])
    current = tuple(row["current"] or ())
    nodes = tuple(_node_state(n, status, current, list(row["path"] or ()), tasks, steps_, names) for n in wf.nodes)
    mine = next((t for t in tasks if t["status"] == "open" and t["user_id"] == actor.user_id), None)
    is_submitter = actor.user_id is not None and row["submitter_id"] == actor.user_id
    can_submit = (status in ("withdrawn", "cancelled") and _may_submit(svc, actor, str(row["form"]), int(row["record_id"]))
                  and svc.ws.definitions.workflow_of(str(row["form"])) is not None) or (status == "rejected" and is_submitter)
    can_withdraw = is_submitter and (status == "rejected" or status == "running" and svc.withdrawable(conn, int(row["id"])))
    return FlowState(wf.id, wf.label, int(row["id"]), status, current, nodes, edges(wf), _person(names, row["submitter_id"]),
                     row["started_at"], row["ended_at"], _my_task(svc, actor, wf, row, mine) if mine else None,
                     can_submit, can_withdraw, is_submitter and status == "running")


def _node_state(node: NodeDef, status: str, current: Sequence[str], path: Sequence[str],
                tasks: list[dict[str, Any]], steps_: list[dict[str, Any]], names: Mapping[int, str]) -> NodeState:
    own = [t for t in tasks if t["node"] == node.id]
    acted = [Act(_person(names, t["user_id"]), str(t["outcome"] or "cc"), t["acted_at"], t["comment"] or "",
                 t["signature"]) for t in own if t["status"] == "done"]
    for s in steps_:
        if s["node"] == node.id and s["action"] in ("auto_approved", "submitted"):
            acted.append(Act(_person(names, s["actor_id"]), str(s["action"]), s["at"], s["comment"] or "",
                             s["signature"]))
    acted.sort(key=lambda a: a.at.isoformat() if a.at else "")
    waiting = tuple(p for p in (_person(names, t["user_id"]) for t in own if t["status"] == "open") if p)
    closing = [a.outcome for a in acted if a.outcome not in ("transferred", "cc")]
    if node.id in current and status in ("running", "rejected"):
        shown = "current"
    elif closing and closing[-1] in ("rejected", "returned"):
        shown = "rejected"
    elif node.id in path:
        shown = "done"
    else:
        shown = "pending" if status in ("running", "rejected") else "skipped"
    return NodeState(node.id, node.type, node.label, shown, node.sign, tuple(acted), waiting)


def _my_task(svc: Any, actor: Actor, wf: WorkflowDef, row: Mapping[str, Any], task: Mapping[str, Any]) -> MyTask:
    node = wf.node(str(task["node"]))
    return MyTask(int(task["id"]), node.id, node.label, str(task["kind"]), task_actions(str(task["kind"]), node),
                  _targets(wf, node, list(row["path"] or ())),
                  access.node_access(svc.ws, actor, str(row["form"]), node), node.required)


def _targets(wf: WorkflowDef, node: NodeDef, path: list[str]) -> tuple[tuple[str, Any], ...]:
    if node.type == "start":
        return ()
    default = graph.default_reject_target(wf, node, path)
    ordered = [default] + [t for t in graph.reject_targets(wf, path, node.id) if t != default]
    return tuple((t, wf.node(t).label) for t in ordered)


def steps(svc: Any, form_id: str, record_id: int) -> list[Step]:
    """Every instance's timeline entries for the record, oldest first."""
    with read_transaction(svc.ws.engine) as conn:
        rows = [dict(r) for r in conn.execute(sa.select(wf_steps).where(
            wf_steps.c.form == form_id, wf_steps.c.record_id == record_id).order_by(wf_steps.c.id)).mappings()]
        hashes = dict(conn.execute(sa.select(wf_instances.c.id, wf_instances.c.def_hash).where(
            wf_instances.c.id.in_({r["instance_id"] for r in rows}))).all()) if rows else {}
        defs = {i: svc.snapshots.load(conn, str(h)) for i, h in hashes.items()}
        names = display_names(conn, [r["actor_id"] for r in rows])
    return [_step(r, defs.get(r["instance_id"]), names) for r in rows]


def _step(row: Mapping[str, Any], wf: WorkflowDef | None, names: Mapping[int, str]) -> Step:
    label = wf.node_label(str(row["node"])) if row["node"] and wf is not None else None
    return Step(int(row["id"]), int(row["instance_id"]), row["node"], label, _person(names, row["actor_id"]),
                str(row["action"]), row["at"], row["comment"] or "", row["signature"], dict(row["detail"] or {}))


def field_access(svc: Any, actor: Actor, form_id: str, record_id: int) -> Mapping[str, str] | None:
    """The node's field access for the actor's open task on the record's active instance."""
    with read_transaction(svc.ws.engine) as conn:
        row = conn.execute(sa.select(wf_tasks.c.node, wf_instances.c.def_hash).join(
            wf_instances, wf_instances.c.id == wf_tasks.c.instance_id).where(
            wf_instances.c.form == form_id, wf_instances.c.record_id == record_id,
            wf_instances.c.status.in_(("running", "rejected")), wf_tasks.c.status == "open",
            wf_tasks.c.user_id == actor.user_id, wf_tasks.c.kind != "cc")).first()
        if row is None:
            return None
        wf = svc.snapshots.load(conn, str(row.def_hash))
    return access.node_access(svc.ws, actor, form_id, wf.node(str(row.node)))


def task_view(svc: Any, actor: Actor, task_id: int) -> TaskView:
    """The task, its record masked by the node (assignees read it whatever their role's scope), chart, timeline."""
    ws = svc.ws
    with read_transaction(ws.engine) as conn:
        found = conn.execute(sa.select(wf_tasks).where(wf_tasks.c.id == task_id)).mappings().first() \
            if valid_id(task_id) else None
        if found is None:
            raise TaskNotFound(task_id)
        task = dict(found)
        row = dict(conn.execute(sa.select(wf_instances).where(wf_instances.c.id == task["instance_id"])).mappings().one())
        form_id, record_id = str(row["form"]), int(row["record_id"])
        if task["user_id"] != actor.user_id and not (actor.is_admin or actor.system) \
                and not ws.records.allowed(actor, form_id, record_id, "read"):
            raise PermissionDenied(actor, "read", form_id)
        wf = svc.snapshots.load(conn, str(row["def_hash"]))
        flow = flow_state(svc, conn, actor, row)
        names = display_names(conn, [task["user_id"]])
    node = wf.node(str(task["node"]))
    fields = access.node_access(ws, actor, form_id, node)
    deleted = _deleted(ws, form_id, record_id)
    record = ws.records.get(SYSTEM, form_id, record_id, deleted=deleted)
    record = replace(record, values=access.masked(record.values, fields))
    mine = task["status"] == "open" and task["user_id"] == actor.user_id
    # a record in the recycle bin can only be withdrawn from the flow (see WorkflowService.act)
    actions = tuple(a for a in task_actions(str(task["kind"]), node) if a == "withdraw" or not deleted)
    return TaskView(_task(task, node, names), wf.id, wf.label, form_id, record, fields,
                    actions if mine else (),
                    _targets(wf, node, list(row["path"] or ())) if mine else (), node.required, flow,
                    tuple(steps(svc, form_id, record_id)))


def _deleted(ws: Workspace, form_id: str, record_id: int) -> bool:
    rt = ws.records.runtime(form_id)
    with read_transaction(ws.engine) as conn:
        return conn.execute(sa.select(rt.main.c.deleted_at).where(rt.main.c.id == record_id)).scalar() is not None


def _task(row: Mapping[str, Any], node: NodeDef, names: Mapping[int, str]) -> Task:
    user = _person(names, row["user_id"]) or Person(0, "")
    return Task(int(row["id"]), int(row["instance_id"]), node.id, node.label, user, str(row["kind"]),
                str(row["status"]), row["outcome"], row["created_at"], row["acted_at"], row["due_at"], row["read_at"],
                row["comment"] or "")

