"""Tab strips on the generated form and the record page: the tabs in the layout's order with their titles in the
user's language, each tab's fields in its own panel, the buttons hidden until tabs.js turns the strip on (so a page
without JavaScript shows every panel under its title), and after a refused save the tab holding the error marked
and opened."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user, open_workspace
from tests.web.tabs_app import DESK_APP
from tests.web.test_web import sign_in
from web.app import create_app
from web.views.display import list_columns

EN = {"accept-language": "en-US"}


@pytest.fixture
def client(tmp_path: Path, clock: Any):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'tabs.db'}", tmp_path / "ws", clock)
    ws.publish(DESK_APP)
    add_user(ws, "alice")
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        c.ws = ws  # type: ignore[attr-defined]
        yield c
    ws.close()


def tabs(html: str) -> list[dict[str, Any]]:
    """The tab buttons of the page's strip: title, selected, marked, and the field ids in the tab's panel."""
    found = []
    for button in re.finditer(r'<button type="button" class="tab" role="tab" id="tab-([\d-]+)"(.*?)</button>', html, re.S):
        key, rest = button.groups()
        panel = re.search(rf'<div class="tab-panel" id="tabpanel-{key}"[^>]*>(.*?)(?=<div class="tab-panel"|</div>\s*</div>\s*<section|\Z)',
                          html, re.S)
        assert panel, f"no panel for tab {key}"
        found.append({
            "title": re.search(r'<span class="tab-label">([^<]+)</span>', rest).group(1),  # type: ignore[union-attr]
            "selected": 'aria-selected="true"' in rest,
            "marked": "data-tab-error" in rest.split(">", 1)[0],
            "fields": re.findall(r'data-field="(\w+)"', panel.group(1)) or re.findall(r'<div class="field-label">([^<]+)<',
                                                                                      panel.group(1)),
            "heading": re.search(r'<h2 class="tab-title">([^<]+)</h2>', panel.group(1)).group(1),  # type: ignore[union-attr]
        })
    return found


def form_token(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, name
    return match.group(1)


def test_the_new_form_draws_the_tabs_in_layout_order_each_with_its_fields(client: TestClient) -> None:
    sign_in(client)
    html = client.get("/apps/desk/ticket/new").text
    assert re.search(r'<div class="tab-list" role="tablist" aria-label="表单分页" hidden>', html)  # JS shows it
    assert '<script src="/static/js/tabs.js" defer></script>' in html
    assert [(t["title"], t["heading"], t["fields"], t["selected"], t["marked"]) for t in tabs(html)] == [
        ("联系方式", "联系方式", ["phone", "email", "street"], True, False),
        ("缺陷详情", "缺陷详情", ["steps"], False, False),
        ("处理", "处理", ["severity", "due", "notes"], False, False),
        ("附件与相关文件", "附件与相关文件", ["reference"], False, False),
    ]
    assert '<h3 class="section-title">地址</h3>' in html  # a section inside a tab keeps its title, a level lower
    # the row before the strip comes first; the field placed nowhere comes after it
    assert html.index('data-field="kind"') < html.index('role="tablist"') < html.index('data-field="reference"') \
        < html.index('data-field="extra"')
    assert re.search(r'data-field="steps" data-path="steps"\s*hidden', html)  # the rule hides it (kind is a question)
    # ... and so its tab, button and panel, also for a page without JavaScript
    assert re.search(r'id="tab-1-1"[^>]*hidden>', html) and re.search(r'id="tabpanel-1-1"[^>]*hidden>', html)
    assert not re.search(r'id="tab(panel)?-1-[023]"[^>]*hidden>', html)


def test_labels_follow_the_users_language(client: TestClient) -> None:
    sign_in(client)
    html = client.get("/apps/desk/ticket/new", headers=EN).text
    assert [t["title"] for t in tabs(html)] == ["Contact", "Bug details", "Handling", "Attachments and related documents"]
    assert 'aria-label="Parts of the form"' in html
    assert "(has fields to correct)" in html  # said to screen readers on a marked tab only (CSS hides it elsewhere)


def test_a_refused_save_marks_and_opens_the_tab_holding_the_error(client: TestClient) -> None:
    csrf = sign_in(client)
    page = client.get("/apps/desk/ticket/new", headers=EN).text
    response = client.post("/apps/desk/ticket/new", headers=EN, data={
        "csrf_token": csrf, "submit_token": form_token(page, "submit_token"), "title": "Printer jams",
        "kind": "question", "phone": "555-0100", "severity": "3", "due": ""})
    assert response.status_code == 422
    drawn = {t["title"]: (t["selected"], t["marked"]) for t in tabs(response.text)}
    assert drawn == {"Contact": (False, False), "Bug details": (False, False), "Handling": (True, True),
                     "Attachments and related documents": (False, False)}
    assert re.search(r'id="tabpanel-1-2"[^>]*data-tab-error', response.text)
    assert 'value="555-0100"' in response.text  # what was typed in another tab is kept


def test_the_record_page_shows_the_values_in_their_tabs(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    record = ws.records.create(Actor(user_id=1, is_admin=True), "ticket", {
        "title": "Printer jams", "kind": "bug", "phone": "555-0100", "street": "Main St 1", "steps": "Print twice",
        "due": "2024-05-01", "reference": "RMA-7", "extra": "Second floor"})
    sign_in(client)
    html = client.get(f"/apps/desk/ticket/{record.id}", headers=EN).text
    assert '<script src="/static/js/tabs.js" defer></script>' in html
    drawn = tabs(html)
    assert [(t["title"], t["fields"], t["selected"]) for t in drawn] == [
        ("Contact", ["phone", "email", "street"], True), ("Bug details", ["steps"], False),
        ("Handling", ["severity", "due", "notes"], False), ("Attachments and related documents", ["reference"], False)]
    assert all(label in html for label in ("Phone", "Steps to reproduce", "Due date", "Reference"))
    contact = html[html.index('id="tabpanel-1-0"'):html.index('id="tabpanel-1-1"')]
    assert "555-0100" in contact and "Main St 1" in contact and "RMA-7" not in contact
    assert "RMA-7" in html[html.index('id="tabpanel-1-3"'):]
    assert html.index("RMA-7") < html.index("Second floor")  # the unplaced field after the strip


def test_lists_take_their_columns_in_layout_order_through_the_tabs(client: TestClient) -> None:
    form = client.ws.definitions.forms["ticket"]  # type: ignore[attr-defined]
    assert [f.id for f in list_columns(form, limit=20)] == [
        "title", "kind", "phone", "email", "street", "severity", "due", "reference", "extra"]


TABBED_CONTRACT = """
layout:
  - [title, amount]
  - {tab: {zh: 条款, en: Terms}, layout: [[terms]]}
  - {tab: {zh: 扫描件, en: Scan}, layout: [[scan]]}
  - {tab: {zh: 签订, en: Signing}, layout: [[signed_date, status]]}
"""


def test_a_workflow_task_draws_the_tabs_its_node_shows_and_opens_the_one_with_an_error(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    from tests.engine.workflow_support import CONTRACT_FORM, new_contract, open_task, setup, text

    ws = fresh_workspace
    org = setup(ws)
    ws.publish({"biz/forms/contract.yaml": text(CONTRACT_FORM) + text(TABBED_CONTRACT)})
    record = new_contract(ws, org)
    with TestClient(create_app(ws), base_url="http://testserver") as rep:
        csrf = sign_in(rep, "rep")
        assert rep.post(f"/apps/biz/contract/{record.id}/workflow/submit", data={"csrf_token": csrf},
                        follow_redirects=False).status_code == 303
    task = open_task(ws, org.ids["boss"])
    with TestClient(create_app(ws), base_url="http://testserver") as boss:
        csrf = sign_in(boss, "boss")
        page = boss.get(f"/inbox/tasks/{task}", headers=EN).text
        assert '<script src="/static/js/tabs.js" defer></script>' in page
        # the scan is hidden at this node: its tab is left out; the fields the node shows stay in their tabs
        assert [(t["title"], t["fields"], t["selected"]) for t in tabs(page)] == [
            ("Terms", ["terms"], True), ("Signing", ["signed_date", "status"], False)]
        refused = boss.post(f"/inbox/tasks/{task}", headers=EN, data={"csrf_token": csrf, "action": "approve"})
        assert refused.status_code == 422
        assert [(t["title"], t["selected"], t["marked"]) for t in tabs(refused.text)] == [
            ("Terms", False, False), ("Signing", True, True)]
