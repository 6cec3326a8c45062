"""Timeouts: a ticker queues a keyed job for each open task whose due time passed; the job reminds, approves,
rejects or escalates, as the node says. The key names the task and its due time, so a tick seen twice queues
nothing twice, and a reminder that moves the due time on gets its own job next time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.definitions.model import NodeDef
from engine.errors import RecordInvalid
from engine.jobs import queue
from engine.jobs.context import JobContext
from engine.workflow import access, assignees, graph, moves, notices
from engine.workflow.flow import Flow, lock_instance, open_flow
from engine.workflow.tables import wf_tasks

if TYPE_CHECKING:
    from engine.workspace import Workspace

KIND = "workflow.timeout"


def job_key(task_id: int, due_at: datetime) -> str:
    return f"wf:timeout:{task_id}:{due_at.strftime('%Y%m%dT%H%M%S')}"


def ticker(ws: Workspace) -> Any:
    """The ticker for a workspace: queue a timeout job for each open task due by now."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        due = conn.execute(sa.select(wf_tasks.c.id, wf_tasks.c.due_at).where(
            wf_tasks.c.status == "open", wf_tasks.c.due_at.is_not(None), wf_tasks.c.due_at <= now)).all()
        for task_id, due_at in due:
            queue.enqueue(conn, job_key(int(task_id), due_at), KIND,
                          {"task": int(task_id), "due": due_at.isoformat()}, now=now, label=f"workflow task #{task_id}")
    return tick


def run_timeout(job: JobContext) -> dict[str, Any]:
    """The job: if the task is still open and still due at that time, do the node's timeout action."""
    ws = job.host
    task_id, due = int(job.payload["task"]), datetime.fromisoformat(str(job.payload["due"]))
    with job.transaction() as conn:
        instance_id = conn.execute(sa.select(wf_tasks.c.instance_id).where(wf_tasks.c.id == task_id)).scalar()
        if instance_id is None:
            return {"skipped": "the task is gone"}
        row = lock_instance(conn, int(instance_id))
        # read the task under the instance's lock: an action that closed it meanwhile is seen (no late reminder)
        task = dict(conn.execute(sa.select(wf_tasks).where(wf_tasks.c.id == task_id)).mappings().one())
        if task["status"] != "open" or task["due_at"] is None or task["due_at"] != due:
            return {"skipped": "the task was handled or its due time moved"}
        flow = open_flow(ws, conn, ws.workflows.snapshots.load(conn, str(row["def_hash"])), row, None)
        node = flow.node(str(task["node"]))
        if node.timeout is None:
            return {"skipped": "the node has no timeout"}
        done = ACTIONS.get(node.timeout.action, _remind)(flow, node, task)
        moves.settle(flow)
        return {"task": task_id, "action": node.timeout.action, "result": done}


def _close(flow: Flow, task: Mapping[str, Any]) -> bool:
    """Close the late task as timed out (one conditional update, like an action)."""
    return bool(flow.conn.execute(sa.update(wf_tasks).where(wf_tasks.c.id == task["id"], wf_tasks.c.status == "open")
                                  .values(status="done", outcome="timed_out", acted_at=flow.now)).rowcount)


def _remind(flow: Flow, node: NodeDef, task: Mapping[str, Any], *, why: str | None = None) -> str:
    assert node.timeout is not None
    every = node.timeout.remind_every
    next_due = task["due_at"] + timedelta(hours=every) if every else None
    flow.conn.execute(sa.update(wf_tasks).where(wf_tasks.c.id == task["id"]).values(
        reminded_at=flow.now, due_at=next_due))
    notices.send(flow, [int(task["user_id"])], "remind", node=node.label, link=notices.task_link(int(task["id"])))
    flow.step("reminded", node.id, None, detail={"user": task["user_id"], **({"instead_of": why} if why else {})})
    return "reminded"


def _approve(flow: Flow, node: NodeDef, task: Mapping[str, Any]) -> str:
    try:
        access.missing_required(flow.ws, flow.form_id, node, flow.record)
    except RecordInvalid:  # the clock cannot fill in the node's required fields: the task stays open, reminded
        return _remind(flow, node, task, why="approve")
    if not _close(flow, task):
        return "already handled"
    flow.step("timed_out", node.id, None, detail={"user": task["user_id"], "then": "approve"})
    flow.emit("timed_out", node.id, None, "approved", task=int(task["id"]))
    if task["kind"] == "resubmit" or (node.sign == "all" and moves.approvals_left(flow, node)):
        return "approved"
    moves.pass_node(flow, node, (int(task["user_id"]),))
    return "approved"


def _reject(flow: Flow, node: NodeDef, task: Mapping[str, Any]) -> str:
    if not _close(flow, task):
        return "already handled"
    target = graph.default_reject_target(flow.wf, node, flow.path)
    flow.step("timed_out", node.id, None, detail={"user": task["user_id"], "then": "reject", "to": target})
    flow.emit("timed_out", node.id, None, "rejected", task=int(task["id"]))
    flow.emit("rejected", node.id, None, "rejected", to=target)
    moves.send_back(flow, target)
    return "rejected"


def _escalate(flow: Flow, node: NodeDef, task: Mapping[str, Any]) -> str:
    assert node.timeout is not None
    who = assignees.Who(flow.record, flow.submitter_id, flow.last_actors)
    waiting = {int(t["user_id"]) for t in flow.open_tasks(node.id)}
    targets = [u for u in assignees.resolve(flow.conn, node.timeout.to, who) if u not in waiting]
    if not targets:  # nobody to escalate to: remind instead of closing the only task
        return _remind(flow, node, task, why="escalate")
    if not _close(flow, task):
        return "already handled"
    flow.step("escalated", node.id, None, detail={"from": task["user_id"], "to": targets})
    flow.emit("timed_out", node.id, None, "escalated", task=int(task["id"]), to=targets)
    for user_id in targets:
        moves.create_task(flow, node, user_id, str(task["kind"]), due=False)
    return "escalated"


ACTIONS = {"remind": _remind, "approve": _approve, "reject": _reject, "escalate": _escalate}
