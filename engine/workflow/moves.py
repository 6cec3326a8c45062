"""How an instance moves: entering each kind of node, passing a node, sending the flow back, finishing.

Entering is a registry by node type; every function works in the Flow's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
import sqlalchemy as sa

from engine.definitions.model import NodeDef
from engine.formulas import compile_formula, evaluate
from engine.formulas.values import is_empty
from engine.records import reading
from engine.records.env import RecordEnv
from engine.workflow import access, assignees, graph, notices
from engine.workflow.errors import WorkflowError
from engine.workflow.flow import Flow
from engine.workflow.tables import wf_steps, wf_tasks

SENT = ("submitted", "rejected", "returned")  # steps after which earlier approvals no longer count as `repeated`
MAX_ENTRIES = 200  # nodes entered in one transaction before a looping definition is stopped


def enter(flow: Flow, node_id: str) -> None:
    """The flow arrives at a node: write its `set` values, then do what its type does."""
    flow.entries += 1
    if flow.entries > MAX_ENTRIES:
        raise WorkflowError("wf_bad_user", reason=f"the workflow '{flow.wf.id}' loops without a person to act")
    node = flow.node(node_id)
    flow.path.append(node_id)
    if node.set_values:
        flow.set_fields(node.set_values, user_id=flow.actor_id)
    ENTER[node.type](flow, node)


def _enter_start(flow: Flow, node: NodeDef) -> None:
    """Back at the start: the submitter gets a resubmit task (resubmit or withdraw); the record is theirs again."""
    flow.status = "rejected"
    flow.current = [node.id]
    if flow.submitter_id is not None:
        task_id = flow.add_task(node, int(flow.submitter_id), "resubmit", due=False)
        notices.send(flow, [int(flow.submitter_id)], "resubmit", link=notices.task_link(task_id))
        flow.emit("task_created", node.id, flow.actor_id, task=task_id, user=flow.submitter_id)


def _enter_person(flow: Flow, node: NodeDef) -> None:
    """An approval or fill node: tasks for its assignees, unless auto-approval passes it at once."""
    flow.current.append(node.id)
    who = assignees.Who(flow.record, flow.submitter_id, flow.last_actors)
    users = assignees.resolve(flow.conn, node.assignees, who)
    if not users and "empty" in node.auto_approve:
        flow.step("auto_approved", node.id, None, detail={"reason": "empty"})
        pass_node(flow, node, ())
        return
    users = users or assignees.admins(flow.conn)
    auto = _auto_approved(flow, node, users)
    for user_id, reason in auto.items():
        flow.step("auto_approved", node.id, user_id, detail={"reason": reason})
    waiting = [u for u in users if u not in auto]
    if (auto and node.sign != "all") or not waiting:
        pass_node(flow, node, tuple(auto))
        return
    kind = "fill" if node.type == "fill" else "approval"
    for user_id in waiting:
        create_task(flow, node, user_id, kind)


def create_task(flow: Flow, node: NodeDef, user_id: int, kind: str, *, added_by: int | None = None,
                due: bool = True) -> int:
    """An open task with its notice and `task_created` event."""
    task_id = flow.add_task(node, user_id, kind, added_by=added_by, due=due)
    notices.send(flow, [user_id], "task", node=node.label, link=notices.task_link(task_id))
    flow.emit("task_created", node.id, flow.actor_id, task=task_id, user=user_id)
    return task_id


def _auto_approved(flow: Flow, node: NodeDef, users: list[int]) -> dict[int, str]:
    """Assignees whose approval is taken as given: the submitter, or someone who approved earlier."""
    found: dict[int, str] = {}
    if "submitter" in node.auto_approve and flow.submitter_id in users:
        found[int(flow.submitter_id)] = "submitter"
    if "repeated" in node.auto_approve:
        earlier = _approvers_since_sent(flow)
        for user_id in users:
            if user_id in earlier:
                found.setdefault(user_id, "repeated")
    return found


def _approvers_since_sent(flow: Flow) -> set[int]:
    """Who approved since the record was last submitted or sent back: an approval of an earlier version (before a
    reject, return or resubmit) does not approve the version in front of the node now."""
    rows = flow.conn.execute(sa.select(wf_steps.c.action, wf_steps.c.actor_id, wf_steps.c.detail).where(
        wf_steps.c.instance_id == flow.instance_id).order_by(wf_steps.c.id)).all()
    found: set[int] = set()
    for action, actor_id, detail in rows:
        if action in SENT or (action == "timed_out" and (detail or {}).get("then") == "reject"):
            found = set()
        elif action in ("approved", "auto_approved") and actor_id is not None:
            found.add(int(actor_id))
    return found


def _enter_cc(flow: Flow, node: NodeDef) -> None:
    """A cc node: done entries for its assignees, a notice each, and on at once."""
    users = assignees.resolve(flow.conn, node.assignees, assignees.Who(flow.record, flow.submitter_id,
                                                                         flow.last_actors))
    if users:
        flow.conn.execute(sa.insert(wf_tasks), [
            {"instance_id": flow.instance_id, "node": node.id, "user_id": u, "kind": "cc", "status": "done",
             "created_at": flow.now, "acted_at": flow.now, "round": max(1, flow.path.count(node.id))} for u in users])
        notices.send(flow, users, "cc", link="/inbox?box=cc")
        flow.step("cc", node.id, None, detail={"users": users})
    _onwards(flow, node)


def _enter_condition(flow: Flow, node: NodeDef) -> None:
    """A condition: the first branch whose formula holds over the record, else the default."""
    enter(flow, graph.choose_branch(node, lambda source: holds(flow, source)))


def holds(flow: Flow, source: str) -> bool:
    """Whether a formula is true over the flow's record (empty counts as false)."""
    rt = flow.ws.records.runtime(flow.form_id)
    cache = reading.RelatedCache(flow.conn, flow.ws.records.runtimes)
    env = RecordEnv(flow.ws.definitions, rt.form, flow.record, flow.now, flow.ws.tz, cache.get,
                    {"me": flow.actor_id, "my_department": None})
    value = evaluate(compile_formula(source), env)
    return bool(value) and not is_empty(value)


def _enter_parallel(flow: Flow, node: NodeDef) -> None:
    _onwards(flow, node)


def _enter_join(flow: Flow, node: NodeDef) -> None:
    """A join waits (as an active node) until no other active node can still reach it; `settle` releases it."""
    if node.id not in flow.current:
        flow.current.append(node.id)


def _enter_end(flow: Flow, node: NodeDef) -> None:
    """An end: this token is done; the instance completes when none is left (see `settle`)."""


ENTER: dict[str, Callable[[Flow, NodeDef], None]] = {
    "start": _enter_start, "approval": _enter_person, "fill": _enter_person, "cc": _enter_cc,
    "condition": _enter_condition, "parallel": _enter_parallel, "join": _enter_join, "end": _enter_end,
}


def _onwards(flow: Flow, node: NodeDef) -> None:
    for target in graph.successors(node):
        enter(flow, target)


def pass_node(flow: Flow, node: NodeDef, actors: tuple[int, ...]) -> None:
    """A node is approved: its other open tasks close, the flow goes on to its next nodes."""
    flow.cancel_open(node.id)
    if node.id in flow.current:
        flow.current.remove(node.id)
    flow.emit("approved", node.id, flow.actor_id, "approved")
    flow.last_actors = actors
    _onwards(flow, node)


def settle(flow: Flow) -> None:
    """After a move: release joins nothing else can reach any more, complete the instance when no node is
    active, and save. Called once per move, when every branch has been entered (never half-way)."""
    moved = True
    while moved and flow.status == "running":
        moved = False
        for node_id in list(flow.current):
            node = flow.node(node_id)
            if node.type == "join" and graph.releasable(flow.wf, flow.current, node_id):
                flow.current.remove(node_id)
                _onwards(flow, node)
                moved = True
                break
    if flow.status == "running" and not flow.current:
        complete(flow)
    flow.save()


def complete(flow: Flow) -> None:
    """The flow reached its end(s): approved."""
    flow.status = "approved"
    flow.step("completed", None, None)
    flow.emit("completed", None, flow.actor_id, "approved")
    if flow.submitter_id is not None and flow.submitter_id != flow.actor_id:
        notices.send(flow, [int(flow.submitter_id)], "approved")


def send_back(flow: Flow, target: str) -> None:
    """Reject or return: the flow starts again at `target`. The active nodes `target` leads to close with their
    tasks — all of them when it lies before a parallel split, only its own branch's when it lies inside one (the
    other branches keep waiting, and the join waits for them as before)."""
    for node_id in [n for n in flow.current if n == target or graph.reaches(flow.wf, target, n)]:
        flow.cancel_open(node_id)
        flow.current.remove(node_id)
    flow.status = "running"
    flow.last_actors = tuple(a for a in [flow.actor_id] if a is not None)
    enter(flow, target)


def approvals_left(flow: Flow, node: NodeDef) -> bool:
    """Whether a countersign node still waits for someone."""
    return bool(flow.open_tasks(node.id))


def node_actors(flow: Flow, node_id: str) -> tuple[int, ...]:
    """Who approved the node's current round (for the next node's `{previous: true}`)."""
    rows = flow.conn.execute(sa.select(wf_tasks.c.user_id).where(
        wf_tasks.c.instance_id == flow.instance_id, wf_tasks.c.node == node_id, wf_tasks.c.outcome == "approved",
        wf_tasks.c.round == max(1, flow.path.count(node_id))).order_by(wf_tasks.c.acted_at)).scalars()
    return tuple(dict.fromkeys(int(u) for u in rows))



def begin(flow: Flow, actor_id: int | None, *, comment: str = "", signature: str | None = None,
          again: bool = False) -> None:
    """The submitter sends the record off (again, after it came back to the start)."""
    start = flow.wf.start
    if not again:
        flow.path.append(start.id)
        if start.set_values:
            flow.set_fields(start.set_values, user_id=actor_id)
    access.missing_required(flow.ws, flow.form_id, start, flow.record)
    flow.status, flow.current = "running", []
    flow.step("submitted", start.id, actor_id, comment=comment, signature=signature,
              detail={"again": True} if again else None)
    flow.emit("submitted", start.id, actor_id, "submitted")
    flow.last_actors = (actor_id,) if actor_id is not None else ()
    _onwards(flow, start)


def withdraw(flow: Flow, actor_id: int | None, comment: str) -> None:
    """The submitter takes the record back: every open task closes."""
    flow.cancel_open()
    flow.status, flow.current = "withdrawn", []
    flow.step("withdrawn", None, actor_id, comment=comment)
    flow.emit("withdrawn", None, actor_id, "withdrawn")
