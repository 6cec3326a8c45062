"""Findings of a browser walk through the CRM flows, pinned: a handled fill item reads "submitted" (inbox, chart,
timeline), a sent-back instance's panel button says "resubmit", updates that changed nothing are left off the
timeline, the admin's cancel asks first, a record saved outside the creator's read scope does not end on a 404,
and a stage move refused for a form rule's required field still links to the edit form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user
from tests.engine.test_pipelines import DEALS
from tests.engine.workflow_support import open_task, publish_flow, setup
from tests.web.test_web import sign_in
from tests.web.test_workflow_pages import Site, panel
from web.app import create_app

FILL_FLOW = """
workflow: contract_approval
label: {zh: 合同处理, en: Contract handling}
form: contract
nodes:
  - {id: start, type: start, label: {zh: 提交, en: Submit}, next: complete}
  - id: complete
    type: fill
    label: {zh: 补充备注, en: Add a note}
    assignees: [{users: [boss]}]
    fields: {note: editable}
    next: end
  - {id: end, type: end, label: {zh: 结束, en: End}}
"""


@pytest.fixture
def site(fresh_workspace) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    org = setup(fresh_workspace)
    s = Site(fresh_workspace, org, create_app(fresh_workspace), {})
    yield s
    for client, _ in s.clients.values():
        client.__exit__(None, None, None)


def timeline(html: str) -> str:
    match = re.search(r'<ol class="timeline">.*?</ol>', html, re.S)
    assert match, html[-3000:]
    return match.group(0)


def test_a_handled_fill_item_reads_submitted_not_approved(site: Site) -> None:
    publish_flow(site.ws, FILL_FLOW)
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    assert site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "note": "checked"}).status_code == 303
    done = site.get("boss", "/inbox?box=done").text
    row = re.search(r'<tr data-task="%d".*?</tr>' % task, done, re.S)
    assert row and "已提交" in row.group(0) and "同意" not in row.group(0)
    page = site.get("rep", site.record_url(record_id)).text
    assert re.search(r'data-wf-step="approved">已提交<', page)
    assert "Boss · 已提交" in page or "boss · 已提交" in page.lower()
    task_page = site.get("boss", f"/inbox/tasks/{task}").text
    assert "已提交" in re.search(r"data-wf-closed>(.*?)</p>", task_page, re.S).group(1)  # type: ignore[union-attr]
    english = site.as_("boss")[0].get("/inbox?box=done", headers={"accept-language": "en"}).text
    assert "Submitted" in english


def test_updates_that_changed_nothing_are_left_off_the_timeline(site: Site) -> None:
    publish_flow(site.ws, FILL_FLOW)
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])  # nothing typed: the node saves its field unchanged
    assert site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "note": ""}).status_code == 303
    history = site.ws.records.history(site.org["rep"], "contract", record_id)
    assert any(h["action"] == "update" and not h["changes"] for h in history), "the premise no longer holds"
    shown = timeline(site.get("rep", site.record_url(record_id)).text)
    assert not re.search(r"<ul>\s*</ul>", shown)
    assert shown.count("修改了") == sum(1 for h in history if h["action"] == "update" and h["changes"])


def test_the_source_of_a_change_sits_next_to_its_author(site: Site) -> None:
    record_id = site.submitted()  # the start node sets status: pending through the workflow
    shown = timeline(site.get("rep", site.record_url(record_id)).text)
    assert re.search(r"修改了\s*<span class=\"muted\">\(审批流程\)</span>\s*<ul>", shown)


def test_a_sent_back_instance_offers_resubmit_on_the_panel(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    assert site.post("boss", f"/inbox/tasks/{task}", {"action": "reject", "to_node": "start"}).status_code == 303
    box = panel(site.get("rep", site.record_url(record_id)).text)
    assert re.search(r'data-wf-op="submit">重新提交<', box)
    again = site.post("rep", f"{site.record_url(record_id)}/workflow/submit")
    assert again.status_code == 303
    assert open_task(site.ws, site.org.ids["boss"])


def test_the_admin_cancel_asks_first(site: Site) -> None:
    site.submitted()
    html = site.get("alice", "/admin/workflows/contract_approval").text
    form = re.search(r'<form method="post" action="[^"]*/cancel"[^>]*>', html)
    assert form and 'data-confirm="取消这个流程实例' in form.group(0)


def test_a_record_saved_outside_the_creators_read_scope_lands_on_the_list(site: Site) -> None:
    site.ws.publish({"roles/desk.yaml": (
        "roles:\n  - id: desk\n    label: {zh: 前台, en: Desk}\n    permissions:\n"
        "      contract: {operations: [create, read], scope: {condition: \"handler = $me\"}}\n")})
    add_user(site.ws, "desk", admin=False, roles=("desk",))
    client, csrf = site.as_("desk")
    form = client.get("/apps/biz/contract/new").text
    token = re.search(r'name="submit_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    response = client.post("/apps/biz/contract/new", data={"csrf_token": csrf, "submit_token": token,
                                                           "title": "Walk-in"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/apps/biz/contract"
    listing = client.get("/apps/biz/contract")
    assert listing.status_code == 200 and "已保存“Walk-in”" in listing.text
    assert "已保存“Walk-in”" not in client.get("/apps/biz/contract").text  # shown once


def test_a_move_refused_by_a_form_rule_still_links_to_the_edit_form(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    form = DEALS["deals/forms/deal.yaml"] + "rules:\n  - {require: [amount], when: \"stage = 'proposal'\"}\n"
    ws.publish({**DEALS, "deals/forms/deal.yaml": form})
    add_user(ws, "alice")
    me = Actor(user_id=1, is_admin=True)
    deal = ws.records.create(me, "deal", {"name": "Acme", "stage": "qualified"}, via="web")
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        csrf = sign_in(client)
        response = client.post(f"/apps/deals/deal/{deal.id}/stage", data={
            "csrf_token": csrf, "pipeline": "deal_flow", "stage": "proposal", "version": str(deal.version)})
    assert response.status_code == 422
    bar = re.search(r'<section class="card pipeline-bar".*?</section>', response.text, re.S)
    assert bar and "金额为必填项" in bar.group(0)
    assert f"/apps/deals/deal/{deal.id}/edit" in bar.group(0)


