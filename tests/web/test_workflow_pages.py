"""Approval workflows on the web: the record page's panel (submit, withdraw, urge, the lock on edit and delete), the
inbox's four boxes with counts and filters, the header badge, the task page with the node's field access, acting
on it (field errors, the already-handled message, a moved record, forged ids, CSRF) and the steps on the timeline
— on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.engine.workflow_support import Org, new_contract, open_task, setup
from tests.web.test_web import sign_in
from web.app import create_app

PNG_DOT = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwQACfsD/Z8fLAAAAAB"
           "JRU5ErkJggg==")


@dataclass
class Site:
    """The app over a workspace with the contract flow, and a signed-in client per user."""

    ws: Any
    org: Org
    app: Any
    clients: dict[str, tuple[TestClient, str]]

    def as_(self, name: str) -> tuple[TestClient, str]:
        if name not in self.clients:
            client = TestClient(self.app, base_url="http://testserver")
            client.__enter__()
            self.clients[name] = (client, sign_in(client, name))
        return self.clients[name]

    def record_url(self, record_id: int) -> str:
        return f"/apps/biz/contract/{record_id}"

    def post(self, name: str, url: str, data: dict[str, Any] | None = None) -> Any:
        client, csrf = self.as_(name)
        return client.post(url, data={"csrf_token": csrf, **(data or {})}, follow_redirects=False)

    def get(self, name: str, url: str) -> Any:
        return self.as_(name)[0].get(url)

    def submitted(self, amount: str = "200000") -> int:
        """A contract of the rep's, submitted through the record page's panel."""
        record = new_contract(self.ws, self.org, amount=amount)
        response = self.post("rep", f"{self.record_url(record.id)}/workflow/submit", {"comment": "please"})
        assert response.status_code == 303, response.text
        return int(record.id)


@pytest.fixture
def site(fresh_workspace) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    org = setup(fresh_workspace)
    s = Site(fresh_workspace, org, create_app(fresh_workspace), {})
    yield s
    for client, _ in s.clients.values():
        client.__exit__(None, None, None)


def alerts(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'role="alert"[^>]*>(.*?)</', html, re.S)]


def panel(html: str) -> str:
    match = re.search(r'<section class="card wf-panel".*?</section>', html, re.S)
    assert match, html[:2000]
    return match.group(0)


def node_status(html: str, node: str) -> str:
    match = re.search(rf'data-node="{node}" data-status="(\w+)"', html)
    assert match, node
    return match.group(1)


# -- the record page -------------------------------------------------------------------------------------------
def test_the_panel_submits_and_locks_edit_and_delete(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    before = site.get("rep", site.record_url(record.id)).text
    assert 'data-wf-status="none"' in panel(before) and 'data-wf-op="submit"' in before
    assert f"{site.record_url(record.id)}/edit" in before  # editable before the submit
    response = site.post("rep", f"{site.record_url(record.id)}/workflow/submit", {"comment": "please"})
    assert response.status_code == 303 and response.headers["location"].endswith("wf_done=submit#workflow")
    after = site.get("rep", response.headers["location"]).text
    shown = panel(after)
    assert 'data-wf-status="running"' in shown and "data-wf-locked" in shown and "已提交" in shown
    assert "等待 Boss 处理" in shown and 'data-wf-op="withdraw"' in shown and 'data-wf-op="urge"' in shown
    assert f"{site.record_url(record.id)}/edit" not in after and "/delete" not in after  # the lock hides them
    assert node_status(after, "start") == "done" and node_status(after, "manager") == "current"
    assert node_status(after, "finance") == "pending"
    assert 'data-wf-step="submitted"' in after and "please" in after  # on the timeline, with the comment


def test_urge_and_withdraw_from_the_panel(site: Site) -> None:
    record_id = site.submitted()
    urged = site.post("rep", f"{site.record_url(record_id)}/workflow/urge")
    assert urged.status_code == 303 and "wf_done=urge&n=1" in urged.headers["location"]
    assert "已提醒 1 位处理人" in site.get("rep", urged.headers["location"]).text
    withdrawn = site.post("rep", f"{site.record_url(record_id)}/workflow/withdraw")
    assert withdrawn.status_code == 303
    page = site.get("rep", site.record_url(record_id)).text
    assert 'data-wf-status="withdrawn"' in page and 'data-wf-step="withdrawn"' in page
    assert f"{site.record_url(record_id)}/edit" in page  # unlocked again
    assert site.ws.workflows.counts(site.org["boss"])["todo"] == 0


def test_panel_refusals_show_the_reason_not_a_500(site: Site) -> None:
    record_id = site.submitted()
    again = site.post("rep", f"{site.record_url(record_id)}/workflow/submit")
    assert again.status_code == 409 and any("进行中的流程" in a for a in alerts(again.text))
    admin_urges = site.post("alice", f"{site.record_url(record_id)}/workflow/urge")  # not the submitter
    assert admin_urges.status_code == 422 and any("只有提交人" in a for a in alerts(admin_urges.text))
    assert site.post("boss", f"{site.record_url(record_id)}/workflow/urge").status_code == 403  # no read right
    bad_sign = site.post("rep", f"{site.record_url(record_id)}/workflow/withdraw", {"comment": "x" * 2001})
    assert bad_sign.status_code == 422 and any("2000" in a for a in alerts(bad_sign.text))
    unknown = site.post("rep", f"{site.record_url(record_id)}/workflow/explode")
    assert unknown.status_code == 404
    outsider = site.post("dora", f"{site.record_url(record_id)}/workflow/withdraw")  # cannot read the record
    assert outsider.status_code == 403  # no role on the form at all


def test_a_bad_signature_is_refused_and_a_good_one_is_shown(site: Site) -> None:
    record = new_contract(site.ws, site.org, amount="200000")
    url = f"{site.record_url(record.id)}/workflow/submit"
    refused = site.post("rep", url, {"signature.png": "data:text/html;base64,PHNjcmlwdD4="})
    assert refused.status_code == 422 and any("PNG" in a for a in alerts(refused.text))
    assert site.post("rep", url, {"signature.png": PNG_DOT}).status_code == 303
    page = site.get("rep", site.record_url(record.id)).text
    assert f'class="wf-signature-image" src="{PNG_DOT}"' in page


def test_the_edit_post_of_a_record_in_approval_is_refused(site: Site) -> None:
    record_id = site.submitted()
    version = site.ws.records.get(site.org["rep"], "contract", record_id).version
    response = site.post("rep", f"{site.record_url(record_id)}/edit", {"version": version, "title": "Changed"})
    assert response.status_code in (409, 422) and response.status_code < 500


# -- the inbox and the badge -----------------------------------------------------------------------------------
def test_the_badge_counts_open_items_on_every_page(site: Site) -> None:
    assert "data-wf-badge-count" not in site.get("boss", "/").text and "data-wf-badge" in site.get("boss", "/").text
    site.submitted()
    home = site.get("boss", "/").text
    assert re.search(r"data-wf-badge-count>1<", home)
    assert "data-wf-badge-count" not in site.get("rep", "/").text


def test_no_badge_without_workflows(shop) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        sign_in(client)
        assert "data-wf-badge" not in client.get("/").text
        assert client.get("/inbox").status_code == 200  # the inbox itself still answers, empty


def test_the_four_boxes_with_counts_and_filters(site: Site) -> None:
    first = site.submitted()
    second = site.submitted(amount="500")
    todo = site.get("boss", "/inbox").text
    assert re.search(r'data-box="todo"[^>]*>待办\s*<span class="wf-count" data-box-count>2<', todo)
    assert todo.count('<tr data-task="') == 2
    task = open_task(site.ws, site.org.ids["boss"], _instance(site, first))
    assert site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "signed_date": "2024-03-01"}).status_code == 303
    done = site.get("boss", "/inbox?box=done").text
    assert done.count('<tr data-task="') == 1 and "同意" in done
    started = site.get("rep", "/inbox?box=started").text
    assert started.count("<tr data-task") == 2 and "财务审批" in started  # where each one is now
    assert site.get("rep", "/inbox?box=started&status=running").text.count("<tr data-task") == 2
    assert site.get("rep", "/inbox?box=started&status=approved").text.count("<tr data-task") == 0
    assert "没有符合筛选条件的事项" in site.get("rep", "/inbox?box=started&status=approved").text
    assert site.get("rep", "/inbox?box=started&q=deal&form=contract").text.count("<tr data-task") == 2
    assert site.get("rep", "/inbox?box=started&q=nothing").text.count("<tr data-task") == 0
    junk = site.get("rep", "/inbox?box=nope&status=bad&form=missing&page=abc&q=%00")
    assert junk.status_code == 200 and 'data-box="todo"' in junk.text  # unknown values are dropped
    cc = site.get("boss", "/inbox?box=cc")
    assert cc.status_code == 200 and "没有抄送给你的流程" in cc.text
    assert second


def _instance(site: Site, record_id: int) -> int:
    flow = site.ws.workflows.state(site.org["rep"], "contract", record_id)
    assert flow is not None and flow.instance_id is not None
    return int(flow.instance_id)


def test_inbox_in_english(site: Site) -> None:
    client, _ = site.as_("boss")
    client.get("/lang/en")
    site.submitted()
    page = client.get("/inbox").text
    assert "Inbox" in page and "To do" in page and "Started by me" in page and "Manager approval" in page


# -- the task page ---------------------------------------------------------------------------------------------
def test_the_task_page_shows_the_node_field_access(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    site.ws.records.update(site.org["alice"], "contract", record_id, {"scan": "secret-scan"},
                           version=site.ws.records.get(site.org["alice"], "contract", record_id).version,
                           via="workflow")
    page = site.get("boss", f"/inbox/tasks/{task}")
    assert page.status_code == 200
    assert 'data-field="signed_date" data-access="editable"' in page.text and 'name="signed_date"' in page.text
    assert 'data-field="terms" data-access="read_only"' in page.text and 'name="terms"' not in page.text
    assert 'data-field="scan"' not in page.text and "secret-scan" not in page.text  # hidden at this node
    for action in ("approve", "reject", "return", "transfer", "add_signer"):
        assert f'data-wf-action="{action}"' in page.text
    assert 'data-node="manager" data-status="current"' in page.text


def test_acting_field_errors_keep_the_input_and_approve_moves_on(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    missing = site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "comment": "fine"})
    assert missing.status_code == 422 and "fine" in missing.text
    assert any("签订日期" in a for a in alerts(missing.text))
    bad = site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "signed_date": "not a date"})
    assert bad.status_code == 422 and 'value="not a date"' in bad.text
    ok = site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "signed_date": "2024-03-01",
                                                  "comment": "looks good", "signature.png": PNG_DOT})
    assert ok.status_code == 303 and ok.headers["location"] == "/inbox?done=approve"
    record = site.ws.records.get(site.org["alice"], "contract", record_id)
    assert str(record.values["signed_date"]) == "2024-03-01"
    closed = site.get("boss", f"/inbox/tasks/{task}").text
    assert "data-wf-closed" in closed and 'data-wf-action="approve"' not in closed


def test_a_second_post_says_who_handled_it_first(site: Site) -> None:
    site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    data = {"action": "approve", "signed_date": "2024-03-01"}
    assert site.post("boss", f"/inbox/tasks/{task}", data).status_code == 303
    again = site.post("boss", f"/inbox/tasks/{task}", data)
    assert again.status_code == 409 and any("已由Boss于" in a for a in alerts(again.text))


def test_a_moved_record_is_a_conflict_not_a_500(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    stale = site.ws.records.get(site.org["alice"], "contract", record_id).version
    site.ws.records.update(site.org["alice"], "contract", record_id, {"note": "moved"}, version=stale, via="workflow")
    response = site.post("boss", f"/inbox/tasks/{task}", {"action": "approve", "signed_date": "2024-03-01",
                                                        "version": stale})
    assert response.status_code == 409 and any("他人修改" in a for a in alerts(response.text))
    assert f'name="version" value="{stale + 1}"' in response.text  # the page now carries the new version


def test_reject_to_a_target_and_transfer_to_a_user(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    no_user = site.post("boss", f"/inbox/tasks/{task}", {"action": "transfer"})
    assert no_user.status_code == 422 and any("选择接收人" in a for a in alerts(no_user.text))
    moved = site.post("boss", f"/inbox/tasks/{task}", {"action": "transfer", "to_user": site.org.ids["ceo"],
                                                     "comment": "you decide"})
    assert moved.status_code == 303
    ceo_task = open_task(site.ws, site.org.ids["ceo"])
    bad_target = site.post("ceo", f"/inbox/tasks/{ceo_task}", {"action": "reject", "to_node": "finance"})
    assert bad_target.status_code == 422 and any("不能退回" in a for a in alerts(bad_target.text))
    rejected = site.post("ceo", f"/inbox/tasks/{ceo_task}", {"action": "reject", "to_node": "start", "comment": "no"})
    assert rejected.status_code == 303
    page = site.get("rep", site.record_url(record_id)).text
    assert 'data-wf-step="transferred"' in page and "转交给 Ceo" in page and 'data-wf-step="rejected"' in page
    assert 'data-wf-status="rejected"' in page and node_status(page, "manager") == "rejected"
    resubmit = open_task(site.ws, site.org.ids["rep"])
    page = site.get("rep", f"/inbox/tasks/{resubmit}").text
    assert 'data-wf-action="resubmit"' in page and 'data-wf-action="withdraw"' in page


def test_add_signer_keeps_the_item_open(site: Site) -> None:
    site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    added = site.post("boss", f"/inbox/tasks/{task}", {"action": "add_signer", "to_user": site.org.ids["ceo"]})
    assert added.status_code == 303 and added.headers["location"] == f"/inbox/tasks/{task}?done=add_signer"
    assert "已加签" in site.get("boss", added.headers["location"]).text
    assert open_task(site.ws, site.org.ids["ceo"])


def test_forged_and_foreign_task_ids(site: Site) -> None:
    site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    assert site.get("boss", "/inbox/tasks/999999").status_code == 404
    assert site.get("boss", f"/inbox/tasks/{2**70}").status_code == 404
    assert site.post("boss", f"/inbox/tasks/{2**70}", {"action": "approve"}).status_code == 404
    assert site.get("dora", f"/inbox/tasks/{task}").status_code == 403  # not hers, cannot read the record
    stolen = site.post("dora", f"/inbox/tasks/{task}", {"action": "approve", "signed_date": "2024-03-01"})
    assert stolen.status_code == 403
    rep_view = site.get("rep", f"/inbox/tasks/{task}")  # the submitter may look, not act
    assert rep_view.status_code == 200 and 'data-wf-action="approve"' not in rep_view.text
    assert site.post("rep", f"/inbox/tasks/{task}", {"action": "approve"}).status_code == 403
    assert site.post("boss", f"/inbox/tasks/{task}", {"action": "explode"}).status_code == 422
    assert site.ws.workflows.counts(site.org["boss"])["todo"] == 1  # nothing happened


def test_csrf_is_required_to_act(site: Site) -> None:
    site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    client, _ = site.as_("boss")
    response = client.post(f"/inbox/tasks/{task}", data={"action": "approve", "signed_date": "2024-03-01"})
    assert response.status_code == 403
    response = client.post(f"/inbox/tasks/{task}", data={"action": "approve", "csrf_token": "wrong"})
    assert response.status_code == 403
    assert site.ws.workflows.counts(site.org["boss"])["todo"] == 1


def test_signed_out_visitors_are_sent_to_sign_in(site: Site) -> None:
    with TestClient(site.app, base_url="http://testserver") as client:
        for url in ("/inbox", "/inbox/tasks/1", "/admin/workflows"):
            response = client.get(url, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_whole_flow_ends_approved_with_both_approvals_on_the_timeline(site: Site) -> None:
    record_id = site.submitted()
    boss_task = open_task(site.ws, site.org.ids["boss"])
    assert site.post("boss", f"/inbox/tasks/{boss_task}", {"action": "approve", "signed_date": "2024-03-01",
                                                         "comment": "ok by me"}).status_code == 303
    fin_task = open_task(site.ws, site.org.ids["fin1"])
    fin_page = site.get("fin1", f"/inbox/tasks/{fin_task}").text
    assert 'data-node="manager" data-status="done"' in fin_page and "ok by me" in fin_page
    assert site.post("fin1", f"/inbox/tasks/{fin_task}", {"action": "approve", "comment": "paid"}).status_code == 303
    page = site.get("rep", site.record_url(record_id)).text
    assert 'data-wf-status="approved"' in panel(page) and "data-wf-locked" not in page
    assert page.count('data-wf-step="approved"') == 2 and 'data-wf-step="completed"' in page
    assert node_status(page, "finance") == "done" and node_status(page, "end") == "done"
    assert site.ws.records.get(site.org["rep"], "contract", record_id).values["status"] == "approved"


def test_the_cc_box_marks_entries_read(site: Site) -> None:
    flow = """
    workflow: contract_approval
    label: {zh: 合同审批, en: Contract approval}
    form: contract
    nodes:
      - {id: start, type: start, label: {zh: 提交, en: Submit}, next: tell}
      - {id: tell, type: cc, label: {zh: 抄送, en: Copy}, assignees: [{users: [dora]}], next: manager}
      - {id: manager, type: approval, label: {zh: 主管, en: Manager}, assignees: [{manager: 1}], next: end}
      - {id: end, type: end, label: {zh: 结束, en: End}}
    """
    from tests.engine.workflow_support import publish_flow

    publish_flow(site.ws, flow)
    site.submitted()
    inbox = site.get("dora", "/inbox?box=cc").text
    assert 'class="wf-unread"' in inbox and re.search(r'data-box="cc"[^>]*>抄送我的\s*<span class="wf-count"', inbox)
    cc_id = int(re.search(r'action="/inbox/cc/(\d+)/read"', inbox).group(1))  # type: ignore[union-attr]
    assert site.post("boss", f"/inbox/cc/{cc_id}/read").status_code == 404  # not boss's entry
    opened = site.post("dora", f"/inbox/cc/{cc_id}/read")
    assert opened.status_code == 303 and opened.headers["location"] == f"/inbox/tasks/{cc_id}"
    assert site.get("dora", opened.headers["location"]).status_code == 200
    assert 'class="wf-unread"' not in site.get("dora", "/inbox?box=cc").text
