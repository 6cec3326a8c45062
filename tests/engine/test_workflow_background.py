"""Workflows and the job system: timeouts with a controlled clock, auto_start through the outbox, events that set
off automations, and running instances that keep the definition they started on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.jobs.tables import automation_runs, jobs
from engine.notifications import list_notifications
from engine.storage.database import read_transaction
from engine.workflow.errors import TaskAlreadyHandled
from tests.engine.workflow_support import (
    CONTRACT_FLOW, events, new_contract, open_task, publish_flow, setup, step_actions, tasks, text,
)


@pytest.fixture
def org(fresh_workspace):  # type: ignore[no-untyped-def]
    return setup(fresh_workspace)


def with_timeout(timeout: str) -> str:
    """The contract flow with a timeout on the manager node."""
    return CONTRACT_FLOW.replace("    required: [signed_date]\n", f"    required: [signed_date]\n    timeout: {timeout}\n")


def test_timeout_escalates_with_a_controlled_clock(fresh_workspace, org, clock) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, with_timeout("{hours: 24, action: escalate, to: [{users: [ceo]}]}"))
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    late = open_task(ws, org.ids["boss"])
    clock.now += timedelta(hours=23)
    ws.jobs.drain()
    assert [t["status"] for t in tasks(ws, instance)] == ["open"]
    clock.now += timedelta(hours=2)
    ws.jobs.drain()
    by_user = {t["user_id"]: t for t in tasks(ws, instance)}
    assert by_user[org.ids["boss"]]["outcome"] == "timed_out"
    assert by_user[org.ids["ceo"]]["status"] == "open" and by_user[org.ids["ceo"]]["due_at"] is None
    assert step_actions(ws, instance) == ["submitted", "escalated"]
    assert ("workflow.timed_out", "escalated") in [(t, p["outcome"]) for t, p in events(ws)]
    with pytest.raises(TaskAlreadyHandled) as exc:
        ws.workflows.act(org["boss"], late, "approve")
    assert "the system" in str(exc.value)
    ws.jobs.drain()  # ticking again queues nothing again
    assert len(tasks(ws, instance)) == 2


def test_timeout_reminds_again_and_again(fresh_workspace, org, clock) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, with_timeout("{hours: 24, action: remind, remind_every: 12}"))
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    for hours in (25, 12, 1, 12):
        clock.now += timedelta(hours=hours)
        ws.jobs.drain()
    assert step_actions(ws, instance) == ["submitted", "reminded", "reminded", "reminded"]
    with read_transaction(ws.engine) as conn:
        titles = [n["title"] for n in list_notifications(conn, org.ids["boss"])]
        kinds = {str(k) for k in conn.execute(sa.select(jobs.c.kind)).scalars()}
    assert len(titles) == 4 and titles[0].startswith("待办已超时") and "workflow.timeout" in kinds
    assert [t["status"] for t in tasks(ws, instance)] == ["open"]


@pytest.mark.parametrize(("action", "status", "current"), [("approve", "approved", ()), ("reject", "rejected", ("start",))])
def test_timeout_approves_or_rejects(fresh_workspace, org, clock, action: str, status: str,  # type: ignore[no-untyped-def]
                                     current: tuple[str, ...]) -> None:
    ws = fresh_workspace
    publish_flow(ws, with_timeout(f"{{hours: 2, action: {action}}}"))
    rec = new_contract(ws, org, signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    clock.now += timedelta(hours=3)
    ws.jobs.drain()
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and state.status == status and state.current == current
    assert step_actions(ws, instance)[1] == "timed_out"


def test_a_running_instance_keeps_the_definition_it_started_on(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    old = new_contract(ws, org, "200000", signed_date="2024-03-01")
    old_instance = ws.workflows.submit(org["rep"], "contract", old.id)
    publish_flow(ws, """
        workflow: contract_approval
        label: Contract approval v2
        form: contract
        nodes:
          - {id: start, type: start, label: Submit, next: boss_ok}
          - {id: boss_ok, type: approval, label: Boss, assignees: [{users: [boss]}], next: end}
          - {id: end, type: end, label: End}
    """)
    new = new_contract(ws, org, "200000")
    new_instance = ws.workflows.submit(org["rep"], "contract", new.id)
    assert ws.workflows.state(org["rep"], "contract", new.id).current == ("boss_ok",)  # type: ignore[union-attr]
    # the old instance's node `manager` is gone from the current definition; it still runs on its snapshot
    outcome = ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"], old_instance), "approve")
    assert outcome.current == ("finance",)
    record = ws.records.get(org["rep"], "contract", old.id)
    assert record.wf_state == "running:finance"
    ws.workflows.snapshots._parsed.clear()  # a new process parses the stored text
    assert ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve").status == "approved"
    assert ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"], new_instance), "approve").status == "approved"
    steps = ws.workflows.steps("contract", old.id)
    assert steps[1].node_label == {"zh": "直属主管审批", "en": "Manager approval"}


def test_auto_start_through_the_outbox(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, CONTRACT_FLOW.replace("form: contract\n", "form: contract\nauto_start: true\n"))
    rec = new_contract(ws, org)
    imported = ws.records.create(org["rep"], "contract", {"title": "Imported"}, via="import")
    ws.jobs.drain()
    ws.jobs.drain()
    started = ws.workflows.inbox(org["rep"], "started")
    assert [(i.record_id, i.instance_status) for i in started.items] == [(rec.id, "running")]
    assert started.items[0].submitter is not None and started.items[0].submitter.id == org.ids["rep"]
    assert ws.workflows.state(org["rep"], "contract", imported.id).instance_id is None  # type: ignore[union-attr]
    assert ws.records.get(org["rep"], "contract", rec.id).wf_state == "running:manager"


def test_workflow_events_set_off_automations(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    extra = {"automations/on_submit.yaml": text("""
        automation: on_submit
        label: On submit
        form: contract
        trigger: {type: workflow, event: submitted}
        actions:
          - {type: update, values: {note: "'submitted for approval'"}}
    """), "automations/on_done.yaml": text("""
        automation: on_done
        label: On completion
        form: contract
        trigger: {type: workflow, event: completed}
        actions:
          - {type: update, values: {terms: "'final'"}}
    """)}
    publish_flow(ws, CONTRACT_FLOW, extra)
    rec = new_contract(ws, org, signed_date="2024-03-01")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.jobs.drain()
    record = ws.records.get(org["rep"], "contract", rec.id)
    assert record["note"] == "submitted for approval"  # an automation writes through the lock
    assert record.wf_state == "running:manager"
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    ws.jobs.drain()
    assert ws.records.get(org["rep"], "contract", rec.id)["terms"] == "final"
    with read_transaction(ws.engine) as conn:
        runs = {(r.automation, r.status) for r in conn.execute(sa.select(automation_runs))}
    assert runs == {("on_submit", "done"), ("on_done", "done")}
