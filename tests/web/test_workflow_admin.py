"""/admin/workflows: the workflows with their instance counts, one workflow's instances, reassigning a stuck item
and cancelling an instance (audit-logged; administrators only; CSRF-protected; bad input is a message, not a 500)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from engine.storage.database import read_transaction
from engine.storage.system import audit_log
from tests.engine.workflow_support import open_task
from tests.web.test_workflow_pages import Site, alerts, site  # noqa: F401  (the fixture)


def audit_actions(site: Site) -> list[str]:
    with read_transaction(site.ws.engine) as conn:
        return [str(a) for a in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars()]


def test_the_list_and_one_workflows_instances(site: Site) -> None:
    site.submitted()
    listing = site.get("alice", "/admin/workflows").text
    assert 'data-workflow="contract_approval"' in listing and "合同审批" in listing
    assert re.search(r'\?show=active">1<', listing) and re.search(r'\?show=finished">0<', listing)
    assert 'href="/admin/workflows"' in site.get("alice", "/admin/users").text  # the admin nav links here
    page = site.get("alice", "/admin/workflows/contract_approval").text
    assert page.count("<tr data-instance=") == 1 and "Boss" in page and 'class="wf-reassign"' in page
    assert 'data-node="manager"' in page  # the definition's chart
    assert site.get("alice", "/admin/workflows/contract_approval?show=finished").text.count("<tr data-instance=") == 0
    assert site.get("alice", "/admin/workflows/contract_approval?show=bogus&page=x").status_code == 200
    assert site.get("alice", "/admin/workflows/nothing").status_code == 404


def test_reassign_and_cancel_are_audited(site: Site) -> None:
    record_id = site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    base = "/admin/workflows/contract_approval"
    moved = site.post("alice", f"{base}/reassign", {"task": task, "user": site.org.ids["ceo"], "next": base})
    assert moved.status_code == 303 and moved.headers["location"] == f"{base}?done=reassign"
    assert "待办已改派" in site.get("alice", moved.headers["location"]).text
    assert open_task(site.ws, site.org.ids["ceo"]) and site.ws.workflows.counts(site.org["boss"])["todo"] == 0
    instance = site.ws.workflows.state(site.org["rep"], "contract", record_id).instance_id
    no_reason = site.post("alice", f"{base}/cancel", {"instance": instance, "reason": " "})
    assert no_reason.status_code == 422 and any("原因" in a for a in alerts(no_reason.text))
    cancelled = site.post("alice", f"{base}/cancel", {"instance": instance, "reason": "duplicate",
                                                      "next": "https://evil.example/"})
    assert cancelled.status_code == 303 and cancelled.headers["location"] == f"{base}?done=cancel"
    assert site.ws.workflows.state(site.org["rep"], "contract", record_id).status == "cancelled"
    assert audit_actions(site)[-2:] == ["workflow_reassigned", "workflow_cancelled"]
    twice = site.post("alice", f"{base}/cancel", {"instance": instance, "reason": "again"})
    assert twice.status_code == 409 and alerts(twice.text)


def test_bad_ids_are_messages(site: Site) -> None:
    site.submitted()
    base = "/admin/workflows/contract_approval"
    assert site.post("alice", f"{base}/reassign", {"task": "x", "user": ""}).status_code == 422
    assert site.post("alice", f"{base}/reassign", {"task": 99999, "user": 2}).status_code == 404
    task = open_task(site.ws, site.org.ids["boss"])
    same = site.post("alice", f"{base}/reassign", {"task": task, "user": site.org.ids["boss"]})
    assert same.status_code == 422 and alerts(same.text)
    assert site.post("alice", f"{base}/cancel", {"instance": "", "reason": "r"}).status_code == 422
    assert site.post("alice", f"{base}/cancel", {"instance": 99999, "reason": "r"}).status_code == 404


def test_administrators_only_and_csrf(site: Site) -> None:
    site.submitted()
    task = open_task(site.ws, site.org.ids["boss"])
    base = "/admin/workflows/contract_approval"
    assert site.get("boss", "/admin/workflows").status_code == 403
    assert site.get("boss", base).status_code == 403
    assert site.post("boss", f"{base}/reassign", {"task": task, "user": site.org.ids["boss"]}).status_code == 403
    client, _ = site.as_("alice")
    assert client.post(f"{base}/reassign", data={"task": task, "user": site.org.ids["ceo"]}).status_code == 403
    assert site.ws.workflows.counts(site.org["boss"])["todo"] == 1
