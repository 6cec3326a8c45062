"""Workflow instances end to end on SQLite and PostgreSQL: every node type and action, or-sign and countersign,
condition branches at the amount boundary, send-backs, withdraw, auto-approval and node `set` values."""

from __future__ import annotations

import pytest

from engine.errors import PermissionDenied, RecordInvalid
from engine.workflow.errors import TaskAlreadyHandled, WorkflowConflict, WorkflowError
from tests.engine.workflow_support import (
    CONTRACT_FLOW, FULL, PNG_DOT, events, new_contract, open_task, publish_flow, setup, step_actions, tasks,
)


@pytest.fixture
def org(fresh_workspace):  # type: ignore[no-untyped-def]
    return setup(fresh_workspace)


def test_contract_goes_through_manager_and_finance(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "150000")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id, comment="please")
    record = ws.records.get(org["alice"], "contract", rec.id)
    assert record.wf_state == "running:manager" and record["status"] == "pending"  # the start node's `set`
    task = open_task(ws, org.ids["boss"])
    outcome = ws.workflows.act(org["boss"], task, "approve", values={"signed_date": "2024-03-15"}, comment="ok")
    assert outcome.status == "running" and outcome.current == ("finance",) and len(outcome.new_tasks) == 2
    ws.workflows.act(org["fin2"], open_task(ws, org.ids["fin2"]), "approve", signature=PNG_DOT)
    record = ws.records.get(org["alice"], "contract", rec.id)
    assert record.wf_state == "approved" and record["status"] == "approved" and str(record["signed_date"]) == "2024-03-15"
    assert step_actions(ws, instance) == ["submitted", "approved", "approved", "completed"]
    topics = [t for t, _ in events(ws)]
    assert topics == ["workflow.submitted", "workflow.task_created", "workflow.approved", "workflow.task_created",
                      "workflow.task_created", "workflow.approved", "workflow.completed"]
    payload = events(ws)[2][1]
    assert payload | {} == {"form": "contract", "id": rec.id, "ids": [rec.id], "workflow": "contract_approval",
                            "instance": instance, "node": "manager", "actor": org.ids["boss"], "via": "workflow",
                            "outcome": "approved"}
    steps = ws.workflows.steps("contract", rec.id)
    assert steps[2].actor is not None and steps[2].actor.name == "Fin2" and steps[2].signature
    assert [s.comment for s in steps[:2]] == ["please", "ok"]


@pytest.mark.parametrize(("amount", "to_finance"), [("99999.99", False), ("100000", True), ("100000.01", True)])
def test_condition_branch_at_the_amount_boundary(fresh_workspace, org, amount: str, to_finance: bool) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, amount)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    outcome = ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve",
                               values={"signed_date": "2024-03-15"})
    assert outcome.current == (("finance",) if to_finance else ())
    assert outcome.status == ("running" if to_finance else "approved")


def test_or_sign_the_first_decides_and_the_others_learn_who(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    first, second = open_task(ws, org.ids["fin1"]), open_task(ws, org.ids["fin2"])
    ws.workflows.act(org["fin1"], first, "approve")
    with pytest.raises(TaskAlreadyHandled) as exc:
        ws.workflows.act(org["fin2"], second, "approve")
    assert "Fin1" in str(exc.value) and exc.value.error.message("zh").startswith("该待办已由Fin1")
    by_id = {t["id"]: t for t in tasks(ws, instance)}
    assert by_id[second]["status"] == "cancelled" and by_id[first]["outcome"] == "approved"


COUNTERSIGN = CONTRACT_FLOW.replace("    assignees: [{role: finance}]\n", "    assignees: [{role: finance}]\n    sign: all\n")


def test_countersign_waits_for_everyone_and_one_reject_rejects(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, COUNTERSIGN)
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    outcome = ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve")
    assert outcome.current == ("finance",) and outcome.status == "running"
    assert ws.workflows.act(org["fin2"], open_task(ws, org.ids["fin2"]), "approve").status == "approved"

    other = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", other.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"], instance), "approve")
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"], instance), "approve")
    outcome = ws.workflows.act(org["fin2"], open_task(ws, org.ids["fin2"], instance), "reject", comment="no")
    assert outcome.status == "rejected" and outcome.current == ("start",)
    assert ws.records.get(org["alice"], "contract", other.id).wf_state == "rejected"


def test_reject_to_the_start_then_resubmit(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "500")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "reject", comment="fix the terms")
    resubmit = open_task(ws, org.ids["rep"])
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and state.status == "rejected" and state.can_submit and state.can_withdraw
    assert state.my_task is not None and state.my_task.actions == ("resubmit", "withdraw")
    assert {n.id: n.status for n in state.nodes}["manager"] == "rejected"
    # back with the submitter, the record is editable through the ordinary form again
    current = ws.records.get(org["rep"], "contract", rec.id)
    ws.records.update(org["rep"], "contract", rec.id, {"terms": "better"}, version=current.version, via="web")
    outcome = ws.workflows.act(org["rep"], resubmit, "resubmit", values={"note": "fixed"}, comment="again")
    assert outcome.status == "running" and outcome.current == ("manager",)
    boss_tasks = [t for t in tasks(ws, instance) if t["user_id"] == org.ids["boss"]]
    assert [t["round"] for t in boss_tasks] == [1, 2]
    assert step_actions(ws, instance) == ["submitted", "rejected", "submitted"]
    assert ws.records.get(org["alice"], "contract", rec.id)["note"] == "fixed"


THREE_STEPS = """
workflow: contract_approval
label: Contract approval
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: manager}
  - {id: manager, type: approval, label: Manager, assignees: [{manager: 1}], next: finance}
  - {id: finance, type: approval, label: Finance, assignees: [{users: [fin1]}], next: top, actions: [approve, reject, return]}
  - {id: top, type: approval, label: Top, assignees: [{manager: 2}], reject_to: manager, next: end}
  - {id: end, type: end, label: End}
"""


def test_reject_to_a_named_node_return_and_bad_targets(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, THREE_STEPS)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve")
    top = open_task(ws, org.ids["ceo"])  # manager 2 levels up: the head of the parent department
    with pytest.raises(WorkflowError) as exc:
        ws.workflows.act(org["ceo"], top, "reject", to_node="end")
    assert "start, manager, finance" in str(exc.value)
    assert ws.workflows.act(org["ceo"], top, "reject").current == ("manager",)  # reject_to: manager
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    assert ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "return").current == ("manager",)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "transfer", to_user=org.ids["dora"])
    assert ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject", to_node="start").status == "rejected"
    assert step_actions(ws, instance)[-5:] == ["rejected", "approved", "returned", "approved", "rejected"]


def test_return_from_the_first_approval_goes_to_the_submitter(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    outcome = ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "return", comment="details please")
    assert outcome.status == "rejected" and outcome.current == ("start",)
    assert open_task(ws, org.ids["rep"])


def test_transfer_and_add_signer(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    boss_task = open_task(ws, org.ids["boss"])
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["boss"], boss_task, "transfer")  # no one named
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["boss"], boss_task, "transfer", to_user=org.ids["boss"])
    ws.workflows.act(org["boss"], boss_task, "transfer", to_user=org.ids["dora"], comment="you decide")
    dora_task = open_task(ws, org.ids["dora"])
    outcome = ws.workflows.act(org["dora"], dora_task, "add_signer", to_user=org.ids["ceo"])
    assert outcome.status == "running" and len(outcome.new_tasks) == 1
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["dora"], dora_task, "add_signer", to_user=org.ids["ceo"])  # already waiting there
    assert ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "approve").status == "approved"
    by_user = {t["user_id"]: t for t in tasks(ws, instance)}
    assert by_user[org.ids["boss"]]["outcome"] == "transferred"
    assert by_user[org.ids["dora"]]["status"] == "cancelled"  # any-sign: the added signer decided
    assert by_user[org.ids["ceo"]]["added_by"] == org.ids["dora"]
    assert step_actions(ws, instance) == ["submitted", "transferred", "signer_added", "approved", "completed"]


def test_only_the_assignee_acts_and_only_allowed_actions(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, THREE_STEPS)
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(PermissionDenied):
        ws.workflows.act(org["rep"], task, "approve")
    with pytest.raises(WorkflowError) as exc:
        ws.workflows.act(org["boss"], task, "resubmit")
    assert "approve, reject, return, transfer, add_signer" in str(exc.value)
    ws.workflows.act(org["boss"], task, "approve")
    with pytest.raises(WorkflowError) as exc:
        ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "add_signer", to_user=org.ids["dora"])
    assert "approve, reject, return" in str(exc.value)


def test_withdraw_only_before_the_first_action(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    first = ws.workflows.submit(org["rep"], "contract", rec.id)
    with pytest.raises(WorkflowConflict):
        ws.workflows.submit(org["rep"], "contract", rec.id)
    with pytest.raises(WorkflowError):
        ws.workflows.withdraw(org["boss"], first)
    ws.workflows.withdraw(org["rep"], first, comment="wrong amount")
    assert [t["status"] for t in tasks(ws, first)] == ["cancelled"]
    assert ws.records.get(org["alice"], "contract", rec.id).wf_state == "withdrawn"
    assert events(ws)[-1][0] == "workflow.withdrawn"
    second = ws.workflows.submit(org["rep"], "contract", rec.id)
    assert second != first
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and not state.can_withdraw and state.can_urge
    with pytest.raises(WorkflowConflict):
        ws.workflows.withdraw(org["rep"], second)
    ws.workflows.cancel(org["alice"], second, reason="test over")
    with pytest.raises(WorkflowConflict):
        ws.workflows.withdraw(org["rep"], second)


def test_submit_needs_a_workflow_and_the_right_to_submit(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    with pytest.raises(PermissionDenied):
        ws.workflows.submit(org["fin1"], "contract", rec.id)  # may read it, but it is not theirs
    publish_flow(ws, CONTRACT_FLOW.replace("form: contract\n", "form: contract\nenabled: false\n"))
    with pytest.raises(WorkflowError) as exc:
        ws.workflows.submit(org["rep"], "contract", rec.id)
    assert "no enabled workflow" in str(exc.value)




def test_fill_cc_parallel_and_join(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, FULL)
    rec = new_contract(ws, org, handler=org.ids["dora"])
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    fill = open_task(ws, org.ids["dora"])
    view = ws.workflows.task_view(org["dora"], fill)
    assert view.actions == ("approve", "transfer") and view.fields["note"] == "editable"
    with pytest.raises(RecordInvalid) as exc:
        ws.workflows.act(org["dora"], fill, "approve")
    assert list(exc.value.errors) == ["note"]
    outcome = ws.workflows.act(org["dora"], fill, "approve", values={"note": "checked"})
    assert sorted(outcome.current) == ["legal", "money"] and len(outcome.new_tasks) == 3
    assert ws.workflows.counts(org["dora"]) == {"todo": 0, "done": 1, "started": 0, "cc_unread": 1}  # she filled it
    outcome = ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "approve")
    assert sorted(outcome.current) == ["join", "money"] and outcome.status == "running"
    outcome = ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve")
    assert outcome.status == "approved" and outcome.current == ()
    assert ws.records.get(org["alice"], "contract", rec.id)["status"] == "approved"
    assert step_actions(ws, instance) == ["submitted", "approved", "cc", "approved", "approved", "completed"]
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and {n.id: n.status for n in state.nodes} == {
        "start": "done", "fill_in": "done", "inform": "done", "split": "done", "legal": "done", "money": "done",
        "join": "done", "end": "done"}


def test_reject_in_one_parallel_branch_closes_the_other(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, FULL)
    rec = new_contract(ws, org, handler=org.ids["dora"], note="x")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["dora"], open_task(ws, org.ids["dora"]), "approve")
    outcome = ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "reject", to_node="fill_in")
    assert outcome.current == ("fill_in",)
    assert not [t for t in tasks(ws, instance) if t["status"] == "open" and t["node"] == "money"]


AUTO = """
workflow: contract_approval
label: Auto approvals
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: self}
  - {id: self, type: approval, label: Self, assignees: [{submitter: true}, {users: [boss]}], auto_approve: [submitter], next: boss}
  - {id: boss, type: approval, label: Boss, assignees: [{users: [boss]}], next: again}
  - {id: again, type: approval, label: Again, assignees: [{previous: true}], auto_approve: [repeated], next: nobody}
  - {id: nobody, type: approval, label: Nobody, assignees: [{field: handler}], auto_approve: [empty], next: admins}
  - {id: admins, type: approval, label: Admins, assignees: [{field: handler}], set: {note: at admins}, next: end}
  - {id: end, type: end, label: End}
"""


def test_auto_approve_submitter_repeated_empty_and_admins_fallback(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, AUTO)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    assert ws.workflows.state(org["rep"], "contract", rec.id).current == ("boss",)  # type: ignore[union-attr]
    outcome = ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    assert outcome.current == ("admins",)  # again: boss approved before; nobody: no handler
    assert ws.records.get(org["alice"], "contract", rec.id)["note"] == "at admins"
    assert ws.workflows.act(org["alice"], open_task(ws, org.ids["alice"]), "approve").status == "approved"
    assert step_actions(ws, instance) == ["submitted", "auto_approved", "approved", "auto_approved", "auto_approved",
                                          "approved", "completed"]


def test_urge_notifies_the_people_waiting(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    from engine.notifications import list_notifications
    from engine.storage.database import read_transaction

    ws = fresh_workspace
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(WorkflowError):
        ws.workflows.urge(org["boss"], instance)
    assert ws.workflows.urge(org["rep"], instance) == 1
    with read_transaction(ws.engine) as conn:
        notices = list_notifications(conn, org.ids["boss"])
    assert [n["source"] for n in notices] == [f"/inbox/tasks/{task}"] * 2
    assert notices[0]["title"].startswith("催办") and notices[1]["title"].startswith("待办")
    assert step_actions(ws, instance)[-1] == "urged"
