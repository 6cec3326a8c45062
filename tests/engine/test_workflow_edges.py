"""Edge cases of running workflows: send-backs inside a parallel branch, auto-approval after a send-back,
timeouts that would pass a node missing its required fields, signatures the engine refuses, a stage pipeline
moved through a node's editable field, and records that go to the recycle bin while in a flow."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta

import pytest

from engine.errors import NotFound, RecordInvalid
from engine.workflow.errors import RecordLocked, WorkflowConflict, WorkflowError
from tests.engine.workflow_support import (
    CONTRACT_FLOW, PNG_DOT, new_contract, open_task, publish_flow, setup, step_actions, tasks, text,
)

@pytest.fixture
def org(fresh_workspace):  # type: ignore[no-untyped-def]
    return setup(fresh_workspace)


BRANCHES = """
workflow: contract_approval
label: Branches
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: split}
  - {id: split, type: parallel, label: Split, next: [legal1, money]}
  - {id: legal1, type: approval, label: Legal 1, assignees: [{users: [dora]}], next: legal2}
  - {id: legal2, type: approval, label: Legal 2, assignees: [{users: [ceo]}], next: join}
  - {id: money, type: approval, label: Money, assignees: [{users: [fin1]}], next: join}
  - {id: join, type: join, label: Join, next: end}
  - {id: end, type: end, label: End}
"""


@pytest.mark.parametrize("action", ["return", "reject"])
def test_a_send_back_inside_one_branch_leaves_the_other_branch_waiting(fresh_workspace, org, action: str) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, BRANCHES)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["dora"], open_task(ws, org.ids["dora"]), "approve")
    kwargs = {"to_node": "legal1"} if action == "reject" else {}
    outcome = ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), action, **kwargs)
    assert sorted(outcome.current) == ["legal1", "money"] and outcome.status == "running"
    assert open_task(ws, org.ids["fin1"], instance)  # the money branch still waits for finance
    ws.workflows.act(org["dora"], open_task(ws, org.ids["dora"]), "approve")
    outcome = ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "approve")
    assert outcome.status == "running" and sorted(outcome.current) == ["join", "money"]
    assert ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve").status == "approved"


def test_a_reject_to_the_start_from_a_branch_closes_every_branch(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, BRANCHES)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    outcome = ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject")
    assert outcome.status == "rejected" and outcome.current == ("start",)
    assert [t["node"] for t in tasks(ws, instance) if t["status"] == "open"] == ["start"]


BRANCH_CONDITION = """
workflow: contract_approval
label: Condition in a branch
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: split}
  - {id: split, type: parallel, label: Split, next: [legal, money]}
  - {id: legal, type: approval, label: Legal, assignees: [{users: [dora]}], next: big}
  - id: big
    type: condition
    branches:
      - {when: "amount >= 100000", next: top}
      - {default: true, next: join}
  - {id: top, type: approval, label: Top, assignees: [{users: [ceo]}], next: join}
  - {id: money, type: approval, label: Money, assignees: [{users: [fin1]}], next: join}
  - {id: join, type: join, label: Join, next: end}
  - {id: end, type: end, label: End}
"""


@pytest.mark.parametrize(("amount", "waits_for_ceo"), [("500", False), ("200000", True)])
def test_a_join_after_a_condition_inside_a_branch(fresh_workspace, org, amount: str, waits_for_ceo: bool) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, BRANCH_CONDITION)
    rec = new_contract(ws, org, amount)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve")
    outcome = ws.workflows.act(org["dora"], open_task(ws, org.ids["dora"]), "approve")
    if waits_for_ceo:
        assert sorted(outcome.current) == ["join", "top"]
        outcome = ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "approve")
    assert outcome.status == "approved"


REPEATED = """
workflow: contract_approval
label: Repeated
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: first}
  - {id: first, type: approval, label: First, assignees: [{users: [boss]}], auto_approve: [repeated], next: second}
  - {id: second, type: approval, label: Second, assignees: [{users: [boss]}], auto_approve: [repeated], next: third}
  - {id: third, type: approval, label: Third, assignees: [{users: [fin1]}], next: end}
  - {id: end, type: end, label: End}
"""


def test_repeated_auto_approval_does_not_count_approvals_from_before_a_send_back(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, REPEATED)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    assert ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve").current == ("third",)
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject", comment="redo")
    # resubmitted, the record has changed: the boss must look at it again (and only once)
    outcome = ws.workflows.act(org["rep"], open_task(ws, org.ids["rep"]), "resubmit", values={"terms": "v2"})
    assert outcome.current == ("first",)
    assert ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve").current == ("third",)
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject", to_node="first")
    assert open_task(ws, org.ids["boss"], instance)  # a reject to `first` is not passed by the earlier approval
    assert step_actions(ws, instance).count("auto_approved") == 2


def test_a_chain_of_auto_approvals_reaches_the_end_in_one_submit(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, """
        workflow: contract_approval
        label: All automatic
        form: contract
        nodes:
          - {id: start, type: start, label: Submit, next: self}
          - {id: self, type: approval, label: Self, assignees: [{submitter: true}], auto_approve: [submitter], next: nobody}
          - {id: nobody, type: approval, label: Nobody, assignees: [{field: handler}], auto_approve: [empty], next: end}
          - {id: end, type: end, label: End, set: {status: approved}}
    """)
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    record = ws.records.get(org["rep"], "contract", rec.id)
    assert record.wf_state == "approved" and record["status"] == "approved"
    assert step_actions(ws, instance) == ["submitted", "auto_approved", "auto_approved", "completed"]


@pytest.mark.parametrize("submitter", ["boss", "ceo"])
def test_manager_of_a_department_head_and_of_the_top(fresh_workspace, org, submitter: str) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    actor = replace(org[submitter], roles=frozenset({"sales"}))
    rec = ws.records.create(actor, "contract", {"title": "Deal", "amount": "5"}, via="web")
    ws.workflows.submit(actor, "contract", rec.id)
    # boss heads sales: manager 1 is the head above (ceo); ceo heads the top: nobody, so the administrators
    expected = "ceo" if submitter == "boss" else "alice"
    assert open_task(ws, org.ids[expected])


def test_timeout_approve_does_not_pass_a_node_missing_required_fields(fresh_workspace, org, clock) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    flow = CONTRACT_FLOW.replace("    required: [signed_date]\n",
                                 "    required: [signed_date]\n    timeout: {hours: 2, action: approve}\n")
    publish_flow(ws, flow)
    rec = new_contract(ws, org)  # no signed date
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    clock.now += timedelta(hours=3)
    ws.jobs.drain()
    assert [t["status"] for t in tasks(ws, instance)] == ["open"]
    assert step_actions(ws, instance) == ["submitted", "reminded"]
    clock.now += timedelta(hours=3)
    ws.jobs.drain()  # reminded once: no reminder every tick
    assert step_actions(ws, instance) == ["submitted", "reminded"]


@pytest.mark.parametrize("signature", [
    "data:text/html;base64,PHNjcmlwdD4=", "data:image/png;base64,AA", "data:image/png;base64,not base64!",
    "javascript:alert(1)", "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 310_000).decode(),
])
def test_the_engine_refuses_a_signature_that_is_not_a_png_data_url(fresh_workspace, org, signature: str) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, signed_date="2024-03-01")
    with pytest.raises(WorkflowError) as exc:
        ws.workflows.submit(org["rep"], "contract", rec.id, signature=signature)
    assert exc.value.error.code == "wf_bad_signature"
    instance = ws.workflows.submit(org["rep"], "contract", rec.id, signature=PNG_DOT)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["boss"], task, "approve", signature=signature)
    assert [t["status"] for t in tasks(ws, instance)] == ["open"]
    assert ws.workflows.act(org["boss"], task, "approve", signature=PNG_DOT).status == "approved"


PIPELINE = """
pipeline: contract_status
label: Contract status
form: contract
field: status
stages:
  - {stage: draft, to: [pending]}
  - {stage: pending, to: [approved, rejected]}
  - {stage: approved, to: []}
  - {stage: rejected, require: [note]}
"""

STATUS_BY_HAND = """
workflow: contract_approval
label: Status by hand
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: decide}
  - {id: decide, type: fill, label: Decide, assignees: [{users: [boss]}], fields: {status: editable}, next: end}
  - {id: end, type: end, label: End}
"""


def test_a_pipeline_stage_moved_at_a_node_follows_the_pipeline(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, STATUS_BY_HAND, {"pipelines/contract_status.yaml": text(PIPELINE)})
    rec = new_contract(ws, org, status="draft")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(RecordInvalid) as exc:
        ws.workflows.act(org["boss"], task, "approve", values={"status": "approved"})  # draft → approved: no
    assert exc.value.as_dict()["status"][0]["code"] == "stage_not_allowed"
    assert ws.records.get(org["alice"], "contract", rec.id)["status"] == "draft"
    assert ws.workflows.act(org["boss"], task, "approve", values={"status": "pending"}).status == "approved"


def test_a_record_in_a_flow_cannot_go_to_the_recycle_bin_and_an_admin_cancels(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    for who in ("rep", "alice"):
        with pytest.raises(RecordLocked):
            ws.records.delete(org[who], "contract", rec.id, via="web")
    ws.workflows.cancel(org["alice"], instance, reason="stop")
    ws.records.delete(org["rep"], "contract", rec.id, via="web")
    assert [t["status"] for t in tasks(ws, instance)] == ["cancelled"]


def test_a_sent_back_record_deleted_by_its_submitter_cannot_be_resubmitted(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "reject")
    resubmit = open_task(ws, org.ids["rep"])
    ws.records.delete(org["rep"], "contract", rec.id, via="web")
    assert ws.workflows.task_view(org["rep"], resubmit).actions == ("withdraw",)
    with pytest.raises(NotFound):
        ws.workflows.act(org["rep"], resubmit, "resubmit")
    with pytest.raises(NotFound):
        ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["rep"], resubmit, "withdraw")
    assert ws.workflows.inbox(org["rep"], "todo").total == 0
    assert step_actions(ws, instance)[-1] == "withdrawn"


def test_a_sent_back_instance_can_be_submitted_again_after_its_workflow_is_disabled(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "reject")
    publish_flow(ws, CONTRACT_FLOW.replace("form: contract\n", "form: contract\nenabled: false\n"))
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and state.can_submit  # running ones finish: the Submit button works
    assert ws.workflows.submit(org["rep"], "contract", rec.id) == instance
    assert ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve").status == "approved"


COUNTERSIGN = CONTRACT_FLOW.replace("    assignees: [{role: finance}]\n", "    assignees: [{role: finance}]\n    sign: all\n")


def test_countersign_with_an_added_signer_and_a_transfer(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_flow(ws, COUNTERSIGN)
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    fin1 = open_task(ws, org.ids["fin1"])
    ws.workflows.act(org["fin1"], fin1, "add_signer", to_user=org.ids["dora"])
    assert ws.workflows.act(org["fin1"], fin1, "approve").current == ("finance",)
    ws.workflows.act(org["fin2"], open_task(ws, org.ids["fin2"]), "transfer", to_user=org.ids["ceo"])
    assert ws.workflows.act(org["ceo"], open_task(ws, org.ids["ceo"]), "approve").current == ("finance",)
    assert ws.workflows.act(org["dora"], open_task(ws, org.ids["dora"]), "approve").status == "approved"
    outcomes = {t["user_id"]: t["outcome"] for t in tasks(ws, instance) if t["node"] == "finance"}
    assert outcomes == {org.ids["fin1"]: "approved", org.ids["fin2"]: "transferred", org.ids["dora"]: "approved",
                        org.ids["ceo"]: "approved"}


def test_withdraw_again_after_a_resubmit_until_an_approver_acts(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject")
    ws.workflows.act(org["rep"], open_task(ws, org.ids["rep"]), "resubmit")
    state = ws.workflows.state(org["rep"], "contract", rec.id)
    assert state is not None and state.can_withdraw  # the approvals before the reject do not count
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    with pytest.raises(WorkflowConflict):
        ws.workflows.withdraw(org["rep"], instance)
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "reject", to_node="manager")
    with pytest.raises(WorkflowConflict):  # sent back to the manager, not to the submitter: still acted on
        ws.workflows.withdraw(org["rep"], instance)
