"""What each task action does once the task is claimed: a registry from action name to its move."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import NodeDef
from engine.errors import Conflict
from engine.pipelines.moves import check_stages
from engine.records.model import Actor
from engine.storage.system import users
from engine.workflow import access, graph, moves
from engine.workflow.errors import TaskAlreadyHandled, WorkflowError, valid_id
from engine.workflow.flow import Flow
from engine.workflow.tables import wf_tasks

OUTCOMES = {"approve": "approved", "reject": "rejected", "return": "returned", "transfer": "transferred",
            "resubmit": "approved", "withdraw": "withdrawn"}
RESUBMIT_ACTIONS = ("resubmit", "withdraw")


@dataclass(frozen=True)
class Request:
    """What the actor asked for, with their comment, signature and the node's field values."""

    actor: Actor
    action: str
    comment: str = ""
    signature: str | None = None
    values: Mapping[str, Any] | None = None
    version: int | None = None
    to_node: str | None = None
    to_user: int | None = None
    fmt: str = "form"


def task_actions(kind: str, node: NodeDef) -> tuple[str, ...]:
    """The actions a task of this kind allows at its node."""
    return RESUBMIT_ACTIONS if kind == "resubmit" else graph.allowed_actions(node)


def claim(conn: sa.Connection, task_id: int, req: Request, now: datetime) -> bool:
    """The one conditional update that makes an action happen once: close the task if it is still open
    (add_signer keeps it open but still proves it is)."""
    clause = sa.and_(wf_tasks.c.id == task_id, wf_tasks.c.status == "open")
    if req.action == "add_signer":
        values: dict[str, Any] = {"round": wf_tasks.c.round}
    else:
        values = {"status": "done", "outcome": OUTCOMES.get(req.action, req.action), "comment": req.comment or None,
                  "signature": req.signature, "acted_at": now, "acted_by": req.actor.user_id}
    return bool(conn.execute(sa.update(wf_tasks).where(clause).values(**values)).rowcount)


def already_handled(conn: sa.Connection, task_id: int) -> TaskAlreadyHandled:
    """The error for a task someone else closed first, naming them and when."""
    row = conn.execute(sa.select(wf_tasks.c.acted_by, wf_tasks.c.user_id, wf_tasks.c.acted_at, wf_tasks.c.status)
                       .where(wf_tasks.c.id == task_id)).first()
    who = row.acted_by if row is not None and row.acted_by is not None else None
    name = conn.execute(sa.select(users.c.display_name).where(users.c.id == who)).scalar() if who else None
    if name is None:
        name = {"zh": "系统", "en": "the system"}
    return TaskAlreadyHandled(task_id, name, row.acted_at if row is not None else None)


def write_values(flow: Flow, node: NodeDef, req: Request) -> None:
    """The node's editable fields from the request, written as the actor (only those fields)."""
    if req.values:
        from engine.errors import RecordInvalid

        allowed = access.node_access(flow.ws, req.actor, flow.form_id, node)
        errors = access.value_errors(flow.ws, flow.form_id, allowed, req.values)
        if errors:
            raise RecordInvalid(errors)
        before = dict(flow.record)
        flow.write_values(req.values, user_id=req.actor.user_id, fmt=req.fmt, version=req.version)
        # the write goes on the workflow's authority, which pipelines do not check (a node's `set` is the
        # definition's own move); a stage the assignee picks follows the pipeline like any person's move
        check_stages(flow.ws.records.runtime(flow.form_id), before, flow.record, req.actor, "workflow", errors)
        if errors:
            raise RecordInvalid(errors)
    elif req.version is not None and req.version != flow.record["version"]:
        raise Conflict(flow.form_id, flow.record_id, req.version, int(flow.record["version"]))


def approve(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    write_values(flow, node, req)
    access.missing_required(flow.ws, flow.form_id, node, flow.record)
    flow.step("approved", node.id, req.actor.user_id, comment=req.comment, signature=req.signature,
              detail={"kind": task["kind"]})
    if node.sign == "all" and moves.approvals_left(flow, node):
        return
    moves.pass_node(flow, node, moves.node_actors(flow, node.id))


def reject(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    targets = graph.reject_targets(flow.wf, flow.path, node.id)
    target = req.to_node or graph.default_reject_target(flow.wf, node, flow.path)
    if target not in targets:
        raise WorkflowError("wf_bad_target", node=target, allowed=", ".join(targets))
    write_values(flow, node, Request(req.actor, req.action, version=req.version))
    flow.step("rejected", node.id, req.actor.user_id, comment=req.comment, signature=req.signature,
              detail={"to": target})
    flow.emit("rejected", node.id, req.actor.user_id, "rejected", to=target)
    moves.send_back(flow, target)


def return_(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    earlier = graph.earlier_person_nodes(flow.wf, flow.path, node.id)
    if not earlier:
        raise WorkflowError("wf_no_return")
    write_values(flow, node, Request(req.actor, req.action, version=req.version))
    flow.step("returned", node.id, req.actor.user_id, comment=req.comment, signature=req.signature,
              detail={"to": earlier[0]})
    flow.emit("returned", node.id, req.actor.user_id, "returned", to=earlier[0])
    moves.send_back(flow, earlier[0])


def _target_user(flow: Flow, node: NodeDef, req: Request) -> int:
    """The user a transfer or added signer goes to: active, someone else, not already waiting at this node."""
    if req.to_user is None:
        raise WorkflowError("wf_bad_user", reason={"zh": "请选择接收人", "en": "choose the user to hand it to"})
    active = flow.conn.execute(sa.select(users.c.active).where(users.c.id == int(req.to_user))).scalar() \
        if valid_id(req.to_user) else None
    if not active:
        raise WorkflowError("wf_bad_user", reason={"zh": f"没有编号为 {req.to_user} 的启用用户",
                                                   "en": f"there is no active user {req.to_user}"})
    if int(req.to_user) == req.actor.user_id or any(t["user_id"] == int(req.to_user) for t in flow.open_tasks(node.id)):
        raise WorkflowError("wf_bad_user", reason={"zh": "该用户在此节点已有待办",
                                                   "en": "that user already has this step to do"})
    return int(req.to_user)


def transfer(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    to_user = _target_user(flow, node, req)
    moves.create_task(flow, node, to_user, str(task["kind"]))
    flow.step("transferred", node.id, req.actor.user_id, comment=req.comment, detail={"to": to_user})


def add_signer(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    """Another user joins the node; the adder's own task stays open (any-sign: whoever acts first decides;
    countersign: the added user must approve too)."""
    to_user = _target_user(flow, node, req)
    moves.create_task(flow, node, to_user, str(task["kind"]), added_by=req.actor.user_id)
    flow.step("signer_added", node.id, req.actor.user_id, comment=req.comment, detail={"user": to_user})


def resubmit(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    write_values(flow, node, req)
    moves.begin(flow, req.actor.user_id, comment=req.comment, signature=req.signature, again=True)


def withdraw(flow: Flow, node: NodeDef, task: Mapping[str, Any], req: Request) -> None:
    moves.withdraw(flow, req.actor.user_id, req.comment)


ACTIONS: dict[str, Callable[[Flow, NodeDef, Mapping[str, Any], Request], None]] = {
    "approve": approve, "reject": reject, "return": return_, "transfer": transfer, "add_signer": add_signer,
    "resubmit": resubmit, "withdraw": withdraw,
}
