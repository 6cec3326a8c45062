"""Where records stand in their workflows, in batches: the current step's names and who the records wait for
(what the flow_node and flow_assignees system fields show)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from engine.definitions.model import Definitions
from engine.fields.types.system import FLOW_ASSIGNEES, FLOW_NODES
from engine.i18n import I18n
from engine.workflow.lock import running_nodes
from engine.workflow.tables import wf_instances, wf_tasks

# How a finished (or sent back) flow reads where a running one names its nodes.
ENDED: dict[str, I18n] = {
    "approved": {"zh": "已通过", "en": "Approved"},
    "rejected": {"zh": "已驳回", "en": "Rejected"},  # the words the workflow panel uses for the same state
    "withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "cancelled": {"zh": "已取消", "en": "Cancelled"},
}
WAITING_KINDS = ("approval", "fill", "resubmit")  # a cc entry asks nothing of anyone


def current_steps(defs: Definitions, form_id: str, wf_state: str | None) -> list[I18n]:
    """The names of the nodes a record's workflow is at, or how it ended ([] when it never had one)."""
    nodes = running_nodes(wf_state)
    if nodes:
        wf = defs.workflow_of(form_id)
        return [wf.node_label(n) if wf is not None else n for n in nodes]
    if not wf_state:
        return []
    return [ENDED.get(wf_state, wf_state)]


def current_assignees(conn: sa.Connection, form_id: str, record_ids: Iterable[int]) -> dict[int, list[int]]:
    """Per record, the members with an open to-do item in its active workflow, in the order the items came."""
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        return {}
    query = (sa.select(wf_instances.c.record_id, wf_tasks.c.user_id)
             .join(wf_tasks, wf_tasks.c.instance_id == wf_instances.c.id)
             .where(wf_instances.c.form == form_id, wf_instances.c.record_id.in_(ids),
                    wf_instances.c.active_key.is_not(None), wf_tasks.c.status == "open",
                    wf_tasks.c.kind.in_(WAITING_KINDS))
             .order_by(wf_tasks.c.id))
    found: dict[int, list[int]] = {}
    for record_id, user_id in conn.execute(query):
        people = found.setdefault(int(record_id), [])
        if int(user_id) not in people:
            people.append(int(user_id))
    return found


def flow_facts(conn: sa.Connection, defs: Definitions, form_id: str,
               records: Sequence[tuple[int, str | None]]) -> dict[int, dict[str, object]]:
    """`flow_nodes` and `flow_assignees` of each (record id, wf_state)."""
    assignees = current_assignees(conn, form_id, [i for i, state in records if state])
    return {i: {FLOW_NODES: current_steps(defs, form_id, state), FLOW_ASSIGNEES: assignees.get(i, [])}
            for i, state in records}
