"""Field access per node, the record lock for user channels, task views outside role scope, the inbox and the
admin's cancel and reassign (audited)."""

from __future__ import annotations

import pytest

from engine.audit import AuditFilter, list_audit
from engine.errors import Conflict, NotFound, PermissionDenied, QueryInvalid, RecordInvalid
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.workflow.errors import InstanceNotFound, RecordLocked, TaskNotFound, WorkflowError
from tests.engine.workflow_support import FULL, new_contract, open_task, publish_flow, setup, step_actions, tasks


@pytest.fixture
def org(fresh_workspace):  # type: ignore[no-untyped-def]
    return setup(fresh_workspace)


def test_only_the_nodes_editable_fields_are_written(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, terms="net 30", scan="s.pdf")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(RecordInvalid) as exc:
        ws.workflows.act(org["boss"], task, "approve",
                         values={"terms": "net 60", "scan": "x", "amount": "1", "signed_date": "2024-03-15"})
    errors = exc.value.as_dict()
    assert set(errors) == {"terms", "scan", "amount"}
    assert errors["terms"][0]["message"]["en"] == "Terms is not editable at this step"
    assert errors["terms"][0]["message"]["zh"] == "条款在此节点不可编辑"
    assert errors["scan"][0]["code"] == "unknown_field"  # hidden at this node: as if it did not exist
    assert [t["status"] for t in tasks(ws, instance)] == ["open"]  # nothing was written
    before = ws.records.get(org["alice"], "contract", rec.id)
    with pytest.raises(Conflict):
        ws.workflows.act(org["boss"], task, "approve", values={"signed_date": "2024-03-15"}, version=before.version - 1)
    ws.workflows.act(org["boss"], task, "approve", values={"signed_date": "2024-03-15"}, version=before.version)
    after = ws.records.get(org["alice"], "contract", rec.id)
    assert str(after["signed_date"]) == "2024-03-15" and after["terms"] == "net 30"
    history = ws.records.history(org["alice"], "contract", rec.id)
    assert history[0]["via"] == "workflow" and history[0]["actor_id"] == org.ids["boss"]


def test_required_fields_must_have_a_value_to_approve(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(RecordInvalid) as exc:
        ws.workflows.act(org["boss"], task, "approve")
    assert exc.value.as_dict()["signed_date"][0]["code"] == "required"
    assert ws.workflows.act(org["boss"], task, "reject").status == "rejected"  # a reject needs nothing


@pytest.mark.parametrize("via", ["web", "api", "import", "batch"])
def test_user_channels_cannot_change_a_record_in_approval(fresh_workspace, org, via: str) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    current = ws.records.get(org["rep"], "contract", rec.id)
    for actor in (org["rep"], org["alice"]):
        with pytest.raises(RecordLocked) as exc:
            ws.records.update(actor, "contract", rec.id, {"note": "sneaky"}, version=current.version, via=via)
        assert str(exc.value) == "in approval at Manager approval; act from the to-do item"
        assert "直属主管审批" in exc.value.error.message("zh")
        with pytest.raises(RecordLocked):
            ws.records.delete(actor, "contract", rec.id, via=via)
    # the engine's own channels pass: automations, and the system actor
    ws.records.update(Actor.system_actor(), "contract", rec.id, {"note": "by automation"}, version=current.version,
                      via="automation")
    assert ws.records.get(org["rep"], "contract", rec.id)["note"] == "by automation"


def test_lock_ends_with_the_instance(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, signed_date="2024-03-01")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    current = ws.records.get(org["rep"], "contract", rec.id)
    ws.records.update(org["rep"], "contract", rec.id, {"note": "after"}, version=current.version, via="web")
    ws.records.delete(org["rep"], "contract", rec.id, via="web")


def test_task_assignees_read_the_record_outside_their_role(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, scan="s.pdf", note="private")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    with pytest.raises((PermissionDenied, NotFound)):
        ws.records.get(org["boss"], "contract", rec.id)  # the boss has no role on contracts
    task = open_task(ws, org.ids["boss"])
    view = ws.workflows.task_view(org["boss"], task)
    assert view.record["note"] == "private" and "scan" not in view.record.values
    assert view.fields["scan"] == "hidden" and view.fields["signed_date"] == "editable"
    assert view.reject_targets == (("start", {"zh": "提交", "en": "Submit"}),)
    assert view.flow.my_task is not None and view.flow.my_task.id == task
    assert ws.workflows.field_access(org["boss"], "contract", rec.id) == view.fields
    assert ws.workflows.field_access(org["dora"], "contract", rec.id) is None
    state = ws.workflows.state(org["boss"], "contract", rec.id)  # involved: sees the chart
    assert state is not None and state.current == ("manager",)
    with pytest.raises(PermissionDenied):
        ws.workflows.task_view(org["dora"], task)
    with pytest.raises(NotFound):
        ws.workflows.state(org["dora"], "contract", rec.id)
    with pytest.raises(TaskNotFound):
        ws.workflows.task_view(org["boss"], task + 100)


def test_role_field_access_narrows_the_node(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01", note="private")
    ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    view = ws.workflows.task_view(org["fin1"], open_task(ws, org.ids["fin1"]))
    assert view.fields["note"] == "hidden" and "note" not in view.record.values  # the finance role hides it


def test_inbox_boxes_counts_filters_and_cc(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    first = new_contract(ws, org, "200000", signed_date="2024-03-01", title="Alpha deal")
    second = new_contract(ws, org, "300", title="Beta deal")
    ws.workflows.submit(org["rep"], "contract", first.id)
    ws.workflows.submit(org["rep"], "contract", second.id)
    assert ws.workflows.counts(org["boss"]) == {"todo": 2, "done": 0, "started": 0, "cc_unread": 0}
    assert ws.workflows.counts(org["rep"])["started"] == ws.workflows.inbox(org["rep"], "started").total > 0
    todo = ws.workflows.inbox(org["boss"], "todo")
    assert todo.total == 2 and [i.title for i in todo.items] == ["Beta deal", "Alpha deal"]
    assert todo.items[0].node_label == {"zh": "直属主管审批", "en": "Manager approval"}
    assert todo.items[0].submitter is not None and todo.items[0].submitter.name == "Rep"
    assert [i.title for i in ws.workflows.inbox(org["boss"], "todo", search="alp").items] == ["Alpha deal"]
    assert ws.workflows.inbox(org["boss"], "todo", form="other").total == 0
    ws.workflows.act(org["boss"], todo.items[1].task_id, "approve")  # type: ignore[arg-type]
    done = ws.workflows.inbox(org["boss"], "done")
    assert [(i.title, i.outcome, i.instance_status) for i in done.items] == [("Alpha deal", "approved", "running")]
    assert done.items[0].current_labels == ({"zh": "财务审批", "en": "Finance"},)
    started = ws.workflows.inbox(org["rep"], "started", status="running")
    assert started.total == 2 and started.items[0].task_id is None
    assert ws.workflows.inbox(org["rep"], "started", limit=1, offset=1).items[0].title == "Alpha deal"
    with pytest.raises(QueryInvalid):
        ws.workflows.inbox(org["rep"], "elsewhere")
    with pytest.raises(QueryInvalid):
        ws.workflows.inbox(org["rep"], "todo", status="maybe")

    publish_flow(ws, FULL)
    third = new_contract(ws, org, handler=org.ids["rep"], note="n", title="Gamma deal")
    ws.workflows.submit(org["rep"], "contract", third.id)
    ws.workflows.act(org["rep"], open_task(ws, org.ids["rep"]), "approve")
    cc = ws.workflows.inbox(org["dora"], "cc")
    assert [(i.title, i.kind, i.read_at) for i in cc.items] == [("Gamma deal", "cc", None)]
    with pytest.raises(TaskNotFound):
        ws.workflows.mark_cc_read(org["boss"], cc.items[0].task_id)  # type: ignore[arg-type]
    ws.workflows.mark_cc_read(org["dora"], cc.items[0].task_id)  # type: ignore[arg-type]
    assert ws.workflows.counts(org["dora"]) == {"todo": 0, "done": 0, "started": 0, "cc_unread": 0}
    assert ws.workflows.inbox(org["dora"], "cc").items[0].read_at is not None


def test_admin_cancels_and_reassigns_with_an_audit_trail(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = new_contract(ws, org)
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    with pytest.raises(PermissionDenied):
        ws.workflows.reassign(org["rep"], task, org.ids["dora"])
    new_task = ws.workflows.reassign(org["alice"], task, org.ids["dora"])
    assert open_task(ws, org.ids["dora"]) == new_task
    with pytest.raises(WorkflowError):
        ws.workflows.reassign(org["alice"], new_task, org.ids["dora"])  # the same user
    page = ws.workflows.instances("contract_approval", status="active")
    assert page.total == 1 and page.items[0].open_tasks[0].user.name == "Dora"
    with pytest.raises(PermissionDenied):
        ws.workflows.cancel(org["rep"], instance, reason="mine")
    with pytest.raises(WorkflowError):
        ws.workflows.cancel(org["alice"], instance, reason=" ")
    ws.workflows.cancel(org["alice"], instance, reason="duplicate")
    assert [t["status"] for t in tasks(ws, instance)] == ["done", "cancelled"]
    assert ws.records.get(org["alice"], "contract", rec.id).wf_state == "cancelled"
    assert step_actions(ws, instance) == ["submitted", "reassigned", "cancelled"]
    assert ws.workflows.instances("contract_approval", status="finished").items[0].status == "cancelled"
    with read_transaction(ws.engine) as conn:
        audit = list_audit(conn, AuditFilter(actions=("workflow_cancelled", "workflow_reassigned")))
    assert [a["action"] for a in audit] == ["workflow_cancelled", "workflow_reassigned"]
    assert audit[0]["detail"] == {"instance": instance, "reason": "duplicate"}


def test_html_and_api_writes_to_a_record_in_approval_get_409_with_the_message(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from engine.org.tokens import create_token
    from engine.storage.database import write_transaction
    from tests.web.test_web import sign_in
    from web.app import create_app

    ws = fresh_workspace
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    version = ws.records.get(org["rep"], "contract", rec.id).version
    with write_transaction(ws.engine) as conn:
        token = create_token(conn, org.ids["rep"], "test", ws.now()).token
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        api = client.patch(f"/api/v1/contract/{rec.id}", json={"values": {"note": "x"}, "version": version},
                           headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 409, api.text
        assert api.json()["error"]["code"] == "wf_record_locked"
        assert api.json()["error"]["message"]["en"] == "in approval at Manager approval; act from the to-do item"
        gone = client.delete(f"/api/v1/contract/{rec.id}", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 409
        csrf = sign_in(client, "rep")
        page = client.post(f"/apps/biz/contract/{rec.id}/edit", data={"csrf_token": csrf, "title": "Deal",
                                                                     "note": "x", "version": str(version)})
        assert page.status_code == 409 and "直属主管审批" in page.text


def test_ids_no_row_can_have_are_not_found(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    huge = 2**63
    with pytest.raises(TaskNotFound):
        ws.workflows.act(org["boss"], huge, "approve")
    with pytest.raises(TaskNotFound):
        ws.workflows.task_view(org["boss"], huge)
    with pytest.raises(TaskNotFound):
        ws.workflows.mark_cc_read(org["boss"], -1)
    with pytest.raises(TaskNotFound):
        ws.workflows.reassign(org["alice"], huge, 1)
    with pytest.raises(NotFound):
        ws.workflows.submit(org["rep"], "contract", huge)
    for call in (lambda: ws.workflows.withdraw(org["rep"], huge), lambda: ws.workflows.urge(org["rep"], 0),
                 lambda: ws.workflows.cancel(org["alice"], huge, reason="x")):
        with pytest.raises(InstanceNotFound):
            call()
    rec = new_contract(ws, org)
    ws.workflows.submit(org["rep"], "contract", rec.id)
    with pytest.raises(WorkflowError):
        ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "transfer", to_user=huge)
