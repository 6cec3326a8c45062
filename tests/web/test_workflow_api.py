"""The workflow API: a record's workflow, submit / withdraw / urge, a task and its actions (field access enforced on
API writes, exactly-once), the inbox boxes — with sessions (CSRF header) and bearer tokens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.workflow_support import new_contract, open_task
from tests.web.test_workflow_pages import PNG_DOT, Site, site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("site")


def api(site: Site, name: str, method: str, url: str, **kw: Any) -> Any:
    client, csrf = site.as_(name)
    return client.request(method, url, headers={"x-csrf-token": csrf, **kw.pop("headers", {})}, **kw)


def test_submit_and_read_the_workflow(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    before = api(site, "rep", "GET", f"/api/v1/contract/{record.id}/workflow")
    assert before.status_code == 200
    assert before.json()["workflow"]["status"] is None and before.json()["workflow"]["can_submit"] is True
    created = api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/submit",
                  json={"comment": "please", "signature": PNG_DOT})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["instance"] >= 1 and body["workflow"]["status"] == "running"
    assert body["workflow"]["current"] == ["manager"]
    assert [s["action"] for s in body["steps"]] == ["submitted"] and body["steps"][0]["signature"] == PNG_DOT
    nodes = {n["id"]: n for n in body["workflow"]["nodes"]}
    assert nodes["manager"]["waiting"] == [{"id": site.org.ids["boss"], "name": "Boss"}]
    again = api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/submit", json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "wf_already_running"


def test_bad_bodies_and_ids_are_clear_errors(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    url = f"/api/v1/contract/{record.id}/workflow/submit"
    assert api(site, "rep", "POST", url, json={"nope": 1}).status_code == 422
    assert api(site, "rep", "POST", url, json={"signature": "data:text/html,<b>"}).json()["error"]["code"] == "invalid"
    assert api(site, "rep", "POST", url, json={"comment": 5}).status_code == 422
    assert api(site, "rep", "POST", url, content=b"[1]", headers={"content-type": "application/json"}).status_code == 422
    assert api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/explode").status_code == 404
    assert api(site, "rep", "GET", f"/api/v1/nothing/{record.id}/workflow").status_code == 404
    assert api(site, "rep", "GET", f"/api/v1/contract/{2**70}/workflow").status_code == 404
    assert api(site, "rep", "GET", "/api/v1/workflow/tasks/abc").status_code == 404
    assert api(site, "rep", "GET", f"/api/v1/workflow/tasks/{2**70}").status_code == 404
    assert api(site, "rep", "POST", "/api/v1/workflow/tasks/99999/approve", json={}).status_code == 404


def test_act_enforces_field_access_and_runs_exactly_once(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/submit", json={})
    task = open_task(site.ws, site.org.ids["boss"])
    viewed = api(site, "boss", "GET", f"/api/v1/workflow/tasks/{task}")
    assert viewed.status_code == 200
    view = viewed.json()
    assert view["fields"]["scan"] == "hidden" and "scan" not in view["record"]["values"]
    assert view["actions"] == ["approve", "reject", "return", "transfer", "add_signer"]
    url = f"/api/v1/workflow/tasks/{task}/approve"
    not_editable = api(site, "boss", "POST", url, json={"values": {"signed_date": "2024-03-01", "terms": "mine"}})
    assert not_editable.status_code == 422 and "terms" in not_editable.json()["error"]["fields"]
    hidden = api(site, "boss", "POST", url, json={"values": {"scan": "x"}})
    assert hidden.status_code == 422 and "scan" in hidden.json()["error"]["fields"]
    assert api(site, "boss", "POST", url, json={"version": "2"}).status_code == 422
    stale = api(site, "boss", "POST", url, json={"values": {"signed_date": "2024-03-01"}, "version": 1})
    assert stale.status_code == 409
    ok = api(site, "boss", "POST", url, json={"values": {"signed_date": "2024-03-01"}, "comment": "fine"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "running" and ok.json()["current"] == ["finance"]
    twice = api(site, "boss", "POST", url, json={"values": {"signed_date": "2024-03-01"}})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "wf_task_handled"
    assert "Boss" in twice.json()["error"]["message"]["en"]


def test_only_the_assignee_acts(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/submit", json={})
    task = open_task(site.ws, site.org.ids["boss"])
    assert api(site, "dora", "GET", f"/api/v1/workflow/tasks/{task}").status_code == 403
    assert api(site, "dora", "POST", f"/api/v1/workflow/tasks/{task}/approve", json={}).status_code == 403
    assert api(site, "rep", "POST", f"/api/v1/workflow/tasks/{task}/approve", json={}).status_code == 403
    unknown = api(site, "boss", "POST", f"/api/v1/workflow/tasks/{task}/explode", json={})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "wf_action_not_allowed"
    no_target = api(site, "boss", "POST", f"/api/v1/workflow/tasks/{task}/reject", json={"to_node": "finance"})
    assert no_target.status_code == 422 and no_target.json()["error"]["code"] == "wf_bad_target"
    assert api(site, "boss", "POST", f"/api/v1/workflow/tasks/{task}/transfer", json={"to_user": True}).status_code == 422
    assert site.ws.workflows.counts(site.org["boss"])["todo"] == 1


def test_withdraw_urge_and_the_inbox(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/submit", json={})
    todo = api(site, "boss", "GET", "/api/v1/inbox/todo")
    assert todo.status_code == 200
    assert todo.json()["total"] == 1 and todo.json()["counts"] == {"todo": 1, "done": 0, "started": 0, "cc_unread": 0}
    item = todo.json()["items"][0]
    assert item["title"] == "Deal" and item["node"] == "manager" and item["submitter"]["name"] == "Rep"
    assert api(site, "boss", "GET", "/api/v1/inbox/todo?form=contract&q=dea&status=running").json()["total"] == 1
    assert api(site, "boss", "GET", "/api/v1/inbox/todo?q=zzz").json()["total"] == 0
    assert api(site, "boss", "GET", "/api/v1/inbox/nope").status_code == 400
    assert api(site, "boss", "GET", "/api/v1/inbox/todo?limit=0").status_code == 400
    assert api(site, "boss", "GET", "/api/v1/inbox/todo?offset=-1").status_code == 400
    assert api(site, "boss", "GET", "/api/v1/inbox/todo?status=bad").status_code == 400
    urged = api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/urge")
    assert urged.status_code == 200 and urged.json()["urged"] == 1
    withdrawn = api(site, "rep", "POST", f"/api/v1/contract/{record.id}/workflow/withdraw", json={"comment": "oops"})
    assert withdrawn.status_code == 200 and withdrawn.json()["workflow"]["status"] == "withdrawn"
    started = api(site, "rep", "GET", "/api/v1/inbox/started").json()
    assert started["total"] == 1 and started["items"][0]["instance_status"] == "withdrawn"


def test_sessions_need_the_csrf_header_and_tokens_do_not(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    client, _ = site.as_("rep")
    refused = client.post(f"/api/v1/contract/{record.id}/workflow/submit", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    from engine.org.tokens import create_token
    from engine.storage.database import write_transaction

    with write_transaction(site.ws.engine) as conn:
        token = create_token(conn, site.org.ids["rep"], "script", site.ws.now()).token
    from starlette.testclient import TestClient

    with TestClient(site.app, base_url="http://testserver") as bare:
        done = bare.post(f"/api/v1/contract/{record.id}/workflow/submit", json={},
                         headers={"authorization": f"Bearer {token}"})
        assert done.status_code == 201, done.text
        assert bare.get("/api/v1/inbox/todo").status_code == 401


def test_the_openapi_document_lists_the_workflow_paths(site: Site) -> None:
    """The inbox and task paths always; a record's workflow paths for the forms with a workflow (the API fuzz test
    runs the common ones against the shop workspace)."""
    import schemathesis

    from web.api.openapi import document

    doc = document(site.ws.definitions)
    for path in ("/api/v1/inbox/{box}", "/api/v1/workflow/tasks/{task}", "/api/v1/workflow/tasks/{task}/{action}",
                 "/api/v1/contract/{id}/workflow", "/api/v1/contract/{id}/workflow/{op}"):
        assert path in doc["paths"], path
    ids = [op["operationId"] for item in doc["paths"].values() for key, op in item.items() if key != "parameters"]
    assert len(ids) == len(set(ids))
    assert schemathesis.openapi.from_dict(doc).statistic.operations.total == len(ids)
