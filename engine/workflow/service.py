"""WorkflowService (`ws.workflows`): submit, act, withdraw, urge, cancel, reassign — and the reads for pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import NotFound, PermissionDenied
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from engine.workflow import inbox, moves, notices, reading
from engine.workflow.actions import ACTIONS, Request, already_handled, claim, task_actions
from engine.workflow.errors import TaskNotFound, WorkflowConflict, WorkflowError, valid_id
from engine.workflow.flow import Flow, active_key, load_record, lock_instance, open_flow
from engine.workflow.signatures import checked_signature
from engine.workflow.snapshots import Snapshots
from engine.workflow.tables import wf_instances, wf_steps, wf_tasks
from engine.workflow.views import ActOutcome, FlowState, InboxPage, InstancePage, Step, TaskView

if TYPE_CHECKING:
    from engine.workspace import Workspace

Fence = Callable[[sa.Connection], None]
APPROVER_ACTIONS = ("approved", "rejected", "returned", "transferred", "signer_added")


class WorkflowService:
    """The approval workflows of one workspace."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.snapshots = Snapshots(ws)

    # -- moving instances ----------------------------------------------------------------------------
    def submit(self, actor: Actor, form_id: str, record_id: int, *, comment: str = "",
               signature: str | None = None) -> int:
        """Start the form's workflow on a record (or send a rejected one off again); returns the instance id."""
        return self.submit_fenced(actor, form_id, record_id, comment=comment, signature=signature)

    def submit_fenced(self, actor: Actor, form_id: str, record_id: int, *, comment: str = "",
                      signature: str | None = None, fence: Fence | None = None, on_create: bool = False) -> int:
        """`submit`, with `fence` run inside its transaction (a job proving it still holds its lease).

        `on_create`: the auto-start of a record this actor just created — creating it was the submission, so the
        actor's read scope (a service agent may see only tickets assigned to them) does not stop it."""
        signature = checked_signature(signature)
        if not valid_id(record_id):
            raise NotFound(form_id, record_id)
        wf = self.ws.definitions.workflow_of(form_id)
        if wf is None and not self._resumable(form_id, record_id):  # a sent-back instance runs on its own version
            raise WorkflowError("wf_no_workflow", form=form_id)
        if not on_create:
            self._may_submit(actor, form_id, record_id)
        try:
            with write_transaction(self.ws.engine) as conn:
                if fence is not None:
                    fence(conn)
                load_record(self.ws, conn, form_id, record_id)  # NotFound for a record in the recycle bin
                existing = self._active(conn, form_id, record_id)
                if existing is not None:
                    return self._again(conn, actor, existing, comment, signature)
                if wf is None:  # the sent-back instance was withdrawn meanwhile
                    raise WorkflowError("wf_no_workflow", form=form_id)
                now = self.ws.now()
                digest = self.snapshots.store(conn, wf)
                instance_id = int(conn.execute(sa.insert(wf_instances).values(
                    workflow=wf.id, def_hash=digest, form=form_id, record_id=record_id, title="", status="running",
                    submitter_id=actor.user_id, current=[], path=[], started_at=now, row_version=1,
                    active_key=active_key(form_id, record_id)).returning(wf_instances.c.id)).scalar_one())
                flow = open_flow(self.ws, conn, wf, lock_instance(conn, instance_id), actor.user_id)
                moves.begin(flow, actor.user_id, comment=comment, signature=signature)
                moves.settle(flow)
                return instance_id
        except sa.exc.IntegrityError:  # another submit of the same record won the race
            raise WorkflowConflict("wf_already_running", instance="?") from None

    def _may_submit(self, actor: Actor, form_id: str, record_id: int) -> None:
        if actor.system or actor.is_admin or self.ws.records.allowed(actor, form_id, record_id, "update"):
            return
        record = self.ws.records.get(actor, form_id, record_id)  # NotFound / PermissionDenied when unreadable
        if actor.user_id is None or actor.user_id not in (record.created_by, record.owner_id):
            raise PermissionDenied(actor, "submit", form_id)

    def _resumable(self, form_id: str, record_id: int) -> bool:
        with read_transaction(self.ws.engine) as conn:
            return self._active(conn, form_id, record_id) is not None

    def _active(self, conn: sa.Connection, form_id: str, record_id: int) -> dict[str, Any] | None:
        row = conn.execute(sa.select(wf_instances).where(
            wf_instances.c.active_key == active_key(form_id, record_id))).mappings().first()
        return dict(row) if row else None

    def _again(self, conn: sa.Connection, actor: Actor, existing: Mapping[str, Any], comment: str,
               signature: str | None) -> int:
        """Submit on a record whose instance came back to the start: the same instance runs again."""
        if existing["status"] != "rejected":
            raise WorkflowConflict("wf_already_running", instance=existing["id"])
        flow = self._flow(conn, int(existing["id"]), actor.user_id)
        task = next((t for t in flow.open_tasks(flow.wf.start.id) if t["kind"] == "resubmit"), None)
        if task is not None and not claim(conn, int(task["id"]), Request(actor, "resubmit", comment), flow.now):
            raise already_handled(conn, int(task["id"]))
        moves.begin(flow, actor.user_id, comment=comment, signature=signature, again=True)
        moves.settle(flow)
        return flow.instance_id

    def act(self, actor: Actor, task_id: int, action: str, *, comment: str = "", signature: str | None = None,
            values: Mapping[str, Any] | None = None, version: int | None = None, to_node: str | None = None,
            to_user: int | None = None, fmt: str = "form") -> ActOutcome:
        """Take an action on one's open task; exactly once (TaskAlreadyHandled for the one who comes second)."""
        req = Request(actor, action, comment or "", checked_signature(signature), values, version, to_node, to_user,
                      fmt)
        with write_transaction(self.ws.engine) as conn:
            task = self._own_task(conn, actor, task_id)
            flow = self._flow(conn, int(task["instance_id"]), actor.user_id)
            if not claim(conn, task_id, req, flow.now):
                raise already_handled(conn, task_id)
            node = flow.node(str(task["node"]))
            allowed = task_actions(str(task["kind"]), node)
            if action not in allowed:
                raise WorkflowError("wf_action_not_allowed", action=action, allowed=", ".join(allowed))
            if action == "withdraw" and flow.submitter_id != actor.user_id:
                raise WorkflowError("wf_not_submitter", action="withdraw")
            if action != "withdraw" and flow.record.get("deleted_at") is not None:
                raise NotFound(flow.form_id, flow.record_id)  # in the recycle bin: it can only be withdrawn
            ACTIONS[action](flow, node, task, req)
            moves.settle(flow)
            return ActOutcome(task_id, flow.instance_id, action, flow.status, tuple(flow.current),
                              int(flow.record["version"]), tuple(flow.new_tasks))

    def _own_task(self, conn: sa.Connection, actor: Actor, task_id: int) -> dict[str, Any]:
        if not valid_id(task_id):
            raise TaskNotFound(task_id)
        row = conn.execute(sa.select(wf_tasks).where(wf_tasks.c.id == task_id)).mappings().first()
        if row is None or row["kind"] == "cc":
            raise TaskNotFound(task_id)
        if row["user_id"] != actor.user_id:
            raise PermissionDenied(actor, "act on", f"task {task_id}")
        return dict(row)

    def _flow(self, conn: sa.Connection, instance_id: int, actor_id: int | None) -> Flow:
        row = lock_instance(conn, instance_id)
        return open_flow(self.ws, conn, self.snapshots.load(conn, str(row["def_hash"])), row, actor_id)

    def withdraw(self, actor: Actor, instance_id: int, *, comment: str = "") -> None:
        """The submitter takes the record back, before any approver acted (or after it came back to them)."""
        with write_transaction(self.ws.engine) as conn:
            flow = self._flow(conn, instance_id, actor.user_id)
            if flow.submitter_id != actor.user_id:
                raise WorkflowError("wf_not_submitter", action="withdraw")
            self._require_active(flow)
            if flow.status == "running" and not self.withdrawable(conn, instance_id):
                raise WorkflowConflict("wf_cannot_withdraw")
            moves.withdraw(flow, actor.user_id, comment)
            moves.settle(flow)

    @staticmethod
    def withdrawable(conn: sa.Connection, instance_id: int) -> bool:
        """No approver has acted since the latest submission."""
        last = conn.execute(sa.select(sa.func.max(wf_steps.c.id)).where(
            wf_steps.c.instance_id == instance_id, wf_steps.c.action == "submitted")).scalar() or 0
        acted = conn.execute(sa.select(wf_steps.c.id).where(
            wf_steps.c.instance_id == instance_id, wf_steps.c.id > last, wf_steps.c.actor_id.is_not(None),
            wf_steps.c.action.in_(APPROVER_ACTIONS)).limit(1)).first()
        return acted is None

    @staticmethod
    def _require_active(flow: Flow) -> None:
        if flow.status not in ("running", "rejected"):
            raise WorkflowConflict("wf_not_running", instance=flow.instance_id, status=flow.status)

    def urge(self, actor: Actor, instance_id: int) -> int:
        """The submitter nudges the people the flow waits for (in-app); returns how many were notified."""
        with write_transaction(self.ws.engine) as conn:
            flow = self._flow(conn, instance_id, actor.user_id)
            if flow.submitter_id != actor.user_id:
                raise WorkflowError("wf_not_submitter", action="urge")
            if flow.status != "running":
                raise WorkflowConflict("wf_not_running", instance=instance_id, status=flow.status)
            waiting = [t for t in flow.open_tasks() if t["kind"] in ("approval", "fill")]
            for task in waiting:
                notices.send(flow, [int(task["user_id"])], "urge", node=flow.node(str(task["node"])).label,
                             link=notices.task_link(int(task["id"])))
            flow.step("urged", None, actor.user_id, detail={"users": sorted({int(t["user_id"]) for t in waiting})})
            return len({t["user_id"] for t in waiting})

    def cancel(self, admin: Actor, instance_id: int, *, reason: str) -> None:
        """An administrator stops an instance (recorded in the audit log)."""
        self._require_admin(admin)
        if not (reason or "").strip():
            raise WorkflowError("wf_reason_required")
        with write_transaction(self.ws.engine) as conn:
            flow = self._flow(conn, instance_id, admin.user_id)
            self._require_active(flow)
            flow.cancel_open()
            flow.status, flow.current = "cancelled", []
            flow.step("cancelled", None, admin.user_id, comment=reason)
            flow.emit("cancelled", None, admin.user_id, "cancelled")
            moves.settle(flow)
            record_audit(conn, flow.now, "workflow_cancelled", actor_id=admin.user_id,
                         target=f"{flow.form_id}#{flow.record_id}", detail={"instance": instance_id, "reason": reason})

    def reassign(self, admin: Actor, task_id: int, user_id: int) -> int:
        """An administrator hands a stuck task to someone else (audit log); returns the new task's id."""
        self._require_admin(admin)
        with write_transaction(self.ws.engine) as conn:
            row = conn.execute(sa.select(wf_tasks).where(wf_tasks.c.id == task_id)).mappings().first() \
                if valid_id(task_id) else None
            if row is None or row["kind"] == "cc":
                raise TaskNotFound(task_id)
            flow = self._flow(conn, int(row["instance_id"]), admin.user_id)
            req = Request(admin, "transfer", to_user=user_id)
            if not claim(conn, task_id, req, flow.now):
                raise already_handled(conn, task_id)
            node = flow.node(str(row["node"]))
            new_id = moves.create_task(flow, node, _check_user(flow, user_id, int(row["user_id"])), str(row["kind"]))
            flow.step("reassigned", node.id, admin.user_id, detail={"from": row["user_id"], "to": user_id})
            moves.settle(flow)
            record_audit(conn, flow.now, "workflow_reassigned", actor_id=admin.user_id,
                         target=f"{flow.form_id}#{flow.record_id}",
                         detail={"instance": flow.instance_id, "task": task_id, "from": row["user_id"], "to": user_id})
            return new_id

    @staticmethod
    def _require_admin(actor: Actor) -> None:
        if not (actor.is_admin or actor.system):
            raise PermissionDenied(actor, "manage", "workflows")

    # -- reads ---------------------------------------------------------------------------------------
    def state(self, actor: Actor, form_id: str, record_id: int) -> FlowState | None:
        """The record's workflow for its page: flow chart, the actor's task, what they may do."""
        return reading.state(self, actor, form_id, record_id)

    def steps(self, form_id: str, record_id: int) -> list[Step]:
        """The timeline entries of every instance of the record, oldest first."""
        return reading.steps(self, form_id, record_id)

    def field_access(self, actor: Actor, form_id: str, record_id: int) -> Mapping[str, str] | None:
        """The field access of the actor's open task on the record (None when they have none)."""
        return reading.field_access(self, actor, form_id, record_id)

    def task_view(self, actor: Actor, task_id: int) -> TaskView:
        """A task with its record as the node shows it (assignees read it even outside their role's scope)."""
        return reading.task_view(self, actor, task_id)

    def inbox(self, actor: Actor, box: str, *, form: str | None = None, search: str | None = None,
              status: str | None = None, offset: int = 0, limit: int = 50) -> InboxPage:
        """A page of one box: todo · done · started · cc."""
        return inbox.page(self.ws, actor, box, inbox.InboxFilter(form, search, status, offset, limit))

    def counts(self, actor: Actor) -> dict[str, int]:
        """The inbox tabs: {"todo", "done", "started", "cc_unread"}."""
        return inbox.counts(self.ws, actor)

    def todo_count(self, actor: Actor) -> int:
        """Open to-do items (the menu badge)."""
        return inbox.todo_count(self.ws, actor)

    def mark_cc_read(self, actor: Actor, task_id: int) -> None:
        """Mark one of the actor's cc entries read."""
        inbox.mark_cc_read(self.ws, actor, task_id)

    def instances(self, workflow_id: str, *, status: str | None = None, offset: int = 0,
                  limit: int = 50) -> InstancePage:
        """A page of a workflow's instances, newest first (for the admin page)."""
        return inbox.instances(self.ws, workflow_id, status, offset, limit)


def _check_user(flow: Flow, user_id: int, previous: int) -> int:
    from engine.storage.system import users

    active = flow.conn.execute(sa.select(users.c.active).where(users.c.id == user_id)).scalar() \
        if valid_id(user_id) else None
    if not active or user_id == previous:
        raise WorkflowError("wf_bad_user", reason={"zh": f"没有编号为 {user_id} 的其他启用用户",
                                                   "en": f"there is no other active user {user_id}"})
    return user_id
