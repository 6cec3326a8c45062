"""Real Chromium through the CRM's contract approval with the sample users: the sales rep 李娜 creates and submits
a contract of ¥150,000, her manager 张伟 approves it from his inbox, finance (周敏) approves it with a handwritten
signature, and the record page shows the approved status, the flow chart and both approvals on the timeline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.records.model import Actor, Query
from tests.conftest import open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

PASSWORD = "formwork2024"  # apps_templates/crm/sample_data.yaml


@pytest.fixture
def crm_site(tmp_path: Path, clock) -> Iterator[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws", clock)
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=True)
    with live_server(ws) as url:
        yield url, ws
    ws.close()


def lina_client(ws: Any) -> str:
    """The name of a client the sales rep 李娜 may pick."""
    from engine.org.users import user_id_by_name
    from engine.storage.database import read_transaction

    with read_transaction(ws.engine) as conn:
        lina = user_id_by_name(conn, "lina")
    clients = ws.records.list(Actor(user_id=lina, roles=frozenset({"sales_rep"})), "client", Query(limit=5)).records
    assert clients, "李娜 owns no client in the sample data"
    return str(clients[0].values["name"])


def approve_from_inbox(chromium: Any, url: str, username: str, errors: list[str], *, sign: bool = False) -> None:
    page = new_page(chromium, url, errors=errors)
    sign_in(page, username, PASSWORD)
    expect(page.locator("[data-wf-badge-count]")).to_have_text("1")
    page.click("[data-wf-badge]")
    page.locator("table.wf-inbox a.button").first.click()
    page.wait_for_url(re.compile(r"/inbox/tasks/\d+$"))
    expect(page.locator('[data-node="amount_check"]')).to_be_visible()
    page.fill("#wf-comment", f"{username} 同意")
    if sign:
        page.click(".wf-signature summary")
        box = page.locator("[data-signature-canvas]").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 20, box["y"] + 30)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 80, steps=8)
        page.mouse.up()
        assert page.locator('input[name="signature.png"]').input_value().startswith("data:image/png;base64,")
    page.click('[data-wf-action="approve"]')
    page.wait_for_url("**/inbox?done=approve")
    expect(page.locator(".notice")).to_have_text("已同意。")
    page.context.close()


def test_a_contract_is_submitted_and_approved_by_manager_and_finance(chromium: Any, crm_site: Any) -> None:  # noqa: F811
    url, ws = crm_site
    errors: list[str] = []
    rep = new_page(chromium, url, errors=errors)
    sign_in(rep, "lina", PASSWORD)
    rep.goto("/apps/contract/contract/new")
    rep.fill('input[name="name"]', "浏览器测试合同")
    picker = rep.locator('[data-field="client"]')
    picker.locator(".picker-input").fill(lina_client(ws)[:2])
    picker.locator("li[role=option]").first.click()
    rep.fill('input[name="amount"]', "150000")
    rep.click("button[type=submit]:text('保存')")
    rep.wait_for_url(re.compile(r"/apps/contract/contract/\d+$"))
    record_url = rep.url
    expect(rep.locator("[data-wf-state]")).to_have_text("未提交")
    rep.fill("#wf-submit-comment", "请审批")
    rep.click('[data-wf-op="submit"]')
    expect(rep.locator("[data-wf-state]")).to_have_text("审批中")
    expect(rep.locator("[data-wf-waiting]")).to_contain_text("张伟")
    expect(rep.locator('[data-node="manager"]')).to_have_attribute("data-status", "current")
    expect(rep.locator("[data-wf-locked]")).to_be_visible()
    expect(rep.locator('a.button[href$="/edit"]')).to_have_count(0)  # edits go through the to-do items now

    approve_from_inbox(chromium, url, "zhangwei", errors)
    approve_from_inbox(chromium, url, "zhoumin", errors, sign=True)

    rep.goto(record_url)
    expect(rep.locator("[data-wf-state]")).to_have_text("已通过")
    for node in ("start", "manager", "amount_check", "finance", "end"):
        expect(rep.locator(f'[data-node="{node}"]')).to_have_attribute("data-status", "done")
    rep.locator('label[for="rtab-timeline"]').click()  # the steps are on the record's activity tab
    approvals = rep.locator('li.entry-workflow:has([data-wf-step="approved"])')
    expect(approvals).to_have_count(2)
    assert "周敏" in approvals.nth(0).inner_text() and "张伟" in approvals.nth(1).inner_text()  # newest first
    assert "zhoumin 同意" in approvals.nth(0).inner_text()
    expect(approvals.nth(0).locator("img.wf-signature-image")).to_be_visible()
    expect(rep.locator('li.entry-workflow:has([data-wf-step="submitted"])')).to_contain_text("请审批")
    expect(rep.locator('li.entry-workflow:has([data-wf-step="completed"])')).to_have_count(1)
    expect(rep.locator('[data-field="status"], .cell:has-text("合同状态") .field-value').first).to_contain_text("已审批")
    assert not errors, errors
