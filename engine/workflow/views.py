"""What the workflow service returns: frozen views of instances, tasks, steps and inbox pages (for pages and JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.i18n import I18n
from engine.records.model import Record


@dataclass(frozen=True)
class Person:
    """A user by id and display name."""

    id: int
    name: str


@dataclass(frozen=True)
class Act:
    """What one person (or the clock: user None) did at a node: outcome approved · rejected · returned ·
    transferred · timed_out · auto_approved · submitted · resubmitted · signer_added."""

    user: Person | None
    outcome: str
    at: datetime | None
    comment: str = ""
    signature: str | None = None


@dataclass(frozen=True)
class Edge:
    """An arrow of the flow chart (a condition branch carries its label)."""

    source: str
    target: str
    label: I18n | None = None


@dataclass(frozen=True)
class NodeState:
    """A node on the instance's flow chart: status done · current · pending · skipped · rejected, who acted,
    who is waiting (open tasks)."""

    id: str
    type: str
    label: I18n
    status: str
    sign: str = "any"
    acted: tuple[Act, ...] = ()
    waiting: tuple[Person, ...] = ()


@dataclass(frozen=True)
class MyTask:
    """The viewer's own open task on the instance: what they may do and see there."""

    id: int
    node: str
    node_label: I18n
    kind: str  # approval | fill | resubmit
    actions: tuple[str, ...]  # approve reject return transfer add_signer | resubmit withdraw
    reject_targets: tuple[tuple[str, I18n], ...]  # (node id, label), the default first
    fields: Mapping[str, str]  # field id → editable | read_only | hidden
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowState:
    """The workflow of one record for the record page: the latest instance (None before a first submit)."""

    workflow: str
    workflow_label: I18n
    instance_id: int | None
    status: str | None  # running | rejected | approved | withdrawn | cancelled
    current: tuple[str, ...]
    nodes: tuple[NodeState, ...]
    edges: tuple[Edge, ...]
    submitter: Person | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    my_task: MyTask | None = None
    can_submit: bool = False
    can_withdraw: bool = False
    can_urge: bool = False


@dataclass(frozen=True)
class Step:
    """One entry of an instance's timeline (submitted, approved, rejected, returned, …, completed)."""

    id: int
    instance_id: int
    node: str | None
    node_label: I18n | None
    actor: Person | None
    action: str
    at: datetime
    comment: str = ""
    signature: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """A task row: who must act at which node of which instance, and how it ended."""

    id: int
    instance_id: int
    node: str
    node_label: I18n
    user: Person
    kind: str  # approval | fill | cc | resubmit
    status: str  # open | done | cancelled
    outcome: str | None
    created_at: datetime
    acted_at: datetime | None = None
    due_at: datetime | None = None
    read_at: datetime | None = None
    comment: str = ""


@dataclass(frozen=True)
class TaskView:
    """A task with its record masked by the node's field access, the flow chart and the timeline."""

    task: Task
    workflow: str
    workflow_label: I18n
    form: str
    record: Record
    fields: Mapping[str, str]  # field id → editable | read_only | hidden (hidden ones are not in `record`)
    actions: tuple[str, ...]  # what the viewer may do now (empty when it is not their open task)
    reject_targets: tuple[tuple[str, I18n], ...]
    required: tuple[str, ...]
    flow: FlowState
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class ActOutcome:
    """What an action did: the instance's status and active nodes after it, and the record's version."""

    task_id: int
    instance_id: int
    action: str
    status: str
    current: tuple[str, ...]
    record_version: int
    new_tasks: tuple[int, ...] = ()


@dataclass(frozen=True)
class InboxItem:
    """A row of the inbox: a task (todo, done, cc) or an instance (started; task_id None)."""

    box: str
    task_id: int | None
    instance_id: int
    workflow: str
    workflow_label: I18n
    form: str
    form_label: I18n
    record_id: int
    title: str
    node: str | None
    node_label: I18n | None
    kind: str | None
    task_status: str | None
    outcome: str | None
    instance_status: str
    submitter: Person | None
    created_at: datetime
    acted_at: datetime | None = None
    due_at: datetime | None = None
    read_at: datetime | None = None
    current_labels: tuple[I18n, ...] = ()  # where the instance is now


@dataclass(frozen=True)
class InboxPage:
    """One page of a box, with the total matching the filters."""

    box: str
    items: tuple[InboxItem, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class InstanceSummary:
    """An instance for the admin page: where it is and whose tasks are open."""

    id: int
    workflow: str
    form: str
    record_id: int
    title: str
    status: str
    submitter: Person | None
    current: tuple[str, ...]
    current_labels: tuple[I18n, ...]
    started_at: datetime
    ended_at: datetime | None
    open_tasks: tuple[Task, ...] = ()


@dataclass(frozen=True)
class InstancePage:
    """One page of instances of a workflow."""

    items: tuple[InstanceSummary, ...]
    total: int
    offset: int
    limit: int
