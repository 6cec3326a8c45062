"""/admin/automations: the list with triggers in words and recent runs, switching on and off (kept and audited),
the document editor (publish on save; every problem shown and nothing saved on error), the run history with
steps and the jobs a run queued, and 403 for anyone but an administrator — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from textwrap import dedent

import pytest
from starlette.testclient import TestClient

from engine import locale_format
from engine.audit import AuditFilter, list_audit
from engine.automation.history import automations_of, get_run, list_runs, run_stats
from engine.automation.switches import switched
from engine.definitions.loader import load_sources, read_directory
from engine.definitions.model import AutomationDef, TriggerDef
from engine.jobs import queue
from engine.jobs.context import PermanentError
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import FIXTURES, add_user
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app
from web.views.admin_automations import ROUTES, cron_words, describe_trigger
from web.i18n import translator

ME = Actor(user_id=1, is_admin=True)
PATH = "automations/greet.yaml"
GREET = dedent("""\
    automation: greet
    label: {zh: 新客户提醒, en: New customer notice}
    form: customer
    trigger: {type: created}
    actions:
      - {id: tell, type: notify, to: {field: owner}, title: "新客户:{{ record.name }}"}
    """)


@pytest.fixture
def ws(shop):  # type: ignore[no-untyped-def]
    shop.publish({PATH: GREET})
    shop.jobs.handle("test.boom", lambda job: (_ for _ in ()).throw(PermanentError("SMTP 550 mailbox unavailable")))
    return shop


@pytest.fixture
def client(ws):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def audit(ws, action: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with read_transaction(ws.engine) as conn:
        return list_audit(conn, AuditFilter(actions=(action,)))


def add_customer(ws, name: str) -> int:  # type: ignore[no-untyped-def]
    record = ws.records.create(ME, "customer", {"name": name}, via="web")
    ws.jobs.drain()
    return int(record.id)


def run_keys(ws) -> list[str]:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return [r["key"] for r in list_runs(conn, "greet", per_page=100).runs]


# --- the trigger in words ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shop_definitions():  # type: ignore[no-untyped-def]
    return load_sources(read_directory(FIXTURES / "shop")).raise_for_problems()


@pytest.mark.parametrize(("cron", "zh", "en"), [
    ("0 9 * * 1", "每周一 09:00", "Every Monday at 09:00"),
    ("30 8 * * *", "每天 08:30", "Every day at 08:30"),
    ("0 18 * * 1-5", "每个工作日 18:00", "Every weekday at 18:00"),
    ("0 9 * * mon,wed", "每周一、周三 09:00", "Every Monday, Wednesday at 09:00"),
    ("0 9 * * 0", "每周日 09:00", "Every Sunday at 09:00"),
    ("0 10 1 * *", "每月 1 日 10:00", "Day 1 of every month at 10:00"),
    ("0 0 1 1 *", "每年 1 月 1 日 00:00", "Every year on 1/1 at 00:00"),
    ("*/15 * * * *", "每 15 分钟", "Every 15 minutes"),
    ("5 * * * *", "每小时第 5 分", "Every hour at minute 5"),
    ("0 9-17 * * *", "定时:0 9-17 * * *", "On schedule: 0 9-17 * * *"),
    ("0 9 * * 5-1", "定时:0 9 * * 5-1", "On schedule: 0 9 * * 5-1"),
])
def test_cron_schedules_in_words(cron: str, zh: str, en: str) -> None:
    assert cron_words(cron, translator("zh")) == zh
    assert cron_words(cron, translator("en")) == en


@pytest.mark.parametrize(("form", "trigger", "zh", "en"), [
    ("customer", {"on": "created"}, "新建记录时", "When a record is created"),
    ("customer", {"on": "updated", "fields": ["grade"], "to": {"grade": "A"}},
     "修改记录时(修改了等级),等级变为「A」", "When a record is changed (when Grade changes), Grade becomes 'A'"),
    ("customer", {"on": "deleted"}, "删除记录时", "When a record is deleted"),
    (None, {"on": "schedule", "cron": "0 9 * * 1"}, "每周一 09:00", "Every Monday at 09:00"),
    ("customer", {"on": "date", "field": "since", "yearly": True}, "每年首次合作当天 09:00",
     "On the day of Since, every year at 09:00"),
    ("customer", {"on": "date", "field": "since", "days": -30, "at": "08:00"}, "首次合作前 30 天 08:00",
     "30 days before Since at 08:00"),
    ("customer", {"on": "date", "field": "created_at", "days": [1, 3, 7]}, "创建时间后 1、3、7 天",
     "1, 3, 7 days after Created"),
    ("customer", {"on": "date", "field": "updated_at", "hours": -2}, "更新时间前 2 小时", "2 hours before Updated"),
    ("customer", {"on": "webhook"}, "收到 Webhook 调用时", "When its webhook is called"),
    ("customer", {"on": "workflow", "event": "approved"}, "审批流程事件:通过", "Approval flow event: approved"),
])
def test_triggers_in_words(shop_definitions, form, trigger, zh: str, en: str) -> None:  # type: ignore[no-untyped-def]
    on = trigger.pop("on")
    automation = AutomationDef("x", "X", TriggerDef(on, trigger), (), form=form)
    assert describe_trigger(automation, shop_definitions, "zh") == zh
    assert describe_trigger(automation, shop_definitions, "en") == en


# --- the list and the switch ---------------------------------------------------------------------------------

def test_the_list_shows_trigger_form_switch_and_recent_runs(ws, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    html = client.get("/admin/automations").text
    assert "新客户提醒" in html and "新建记录时" in html and "客户" in html and "尚未运行" in html
    assert "已启用" in html and 'href="/admin/automations/greet"' in html
    add_customer(ws, "华联电子")
    clock.now += timedelta(days=8)  # an old run is the last run, but not one of the last 7 days
    add_customer(ws, "大华")
    sign_in(client)  # eight days unused: the session ended (idle timeout 7 days)
    with read_transaction(ws.engine) as conn:
        stats = run_stats(conn, ws.now() - timedelta(days=7))["greet"]
    assert (stats.runs, stats.failures, stats.last_status, stats.last_at) == (1, 0, "done", ws.now())
    row = re.search(r'<tr data-automation="greet".*?</tr>', client.get("/admin/automations").text, re.S)
    assert row, html
    assert "完成" in row.group(0) and 'data-n="1">运行 1 次' in row.group(0)
    assert 'data-n="0">失败 0 次' in row.group(0)
    assert locale_format.moment(ws.now().astimezone(ws.tz), "zh") in row.group(0)


def test_switching_off_and_on_is_kept_and_audited(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    response = client.post("/admin/automations/greet/switch", data={"csrf_token": token, "enabled": "0"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/automations?done=disabled"
    with read_transaction(ws.engine) as conn:
        assert switched(conn) == {"greet": False}
    page = client.get(response.headers["location"]).text
    assert "已停用,不会再触发" in page and 'data-enabled="0"' in page
    add_customer(ws, "不会触发")
    assert run_keys(ws) == []  # switched off: the record event sets nothing off
    client.post("/admin/automations/greet/switch", data={"csrf_token": token, "enabled": "0"})  # no change: no entry
    response = client.post("/admin/automations/greet/switch",
                           data={"csrf_token": token, "enabled": "1", "next": "/admin/automations/greet"},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin/automations/greet?done=enabled"
    with read_transaction(ws.engine) as conn:
        assert switched(conn) == {"greet": True}
    add_customer(ws, "会触发")
    assert len(run_keys(ws)) == 1
    off, on = audit(ws, "automation_disabled"), audit(ws, "automation_enabled")
    assert len(off) == 1 and len(on) == 1 and off[0]["target"] == "greet" and on[0]["actor_id"] == 1
    response = client.post("/admin/automations/greet/switch",
                           data={"csrf_token": token, "enabled": "1", "next": "https://evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin/automations?done=enabled"
    assert client.post("/admin/automations/nope/switch", data={"csrf_token": token, "enabled": "1"}).status_code == 404
    assert "停用自动化" in client.get("/admin/audit").text


# --- the editor ----------------------------------------------------------------------------------------------

def editor(client: TestClient) -> tuple[str, str, str]:
    """The page, its CSRF token and the editor's base."""
    html = client.get("/admin/automations/greet").text
    base = re.search(r'name="base" value="([0-9a-f]+)"', html)
    assert base, html
    return html, csrf_of(html), base.group(1)


def test_the_editor_shows_the_document_and_saves_by_publishing(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    html, token, base = editor(client)
    assert "automation: greet" in html and PATH in html and "<textarea" in html
    changed = GREET.replace("新客户提醒", "新客户来了").replace("\n", "\r\n")  # browsers post CRLF
    response = client.post("/admin/automations/greet", data={"csrf_token": token, "base": base, "document": changed},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/automations/greet?done=saved"
    assert ws.sources()[PATH] == GREET.replace("新客户提醒", "新客户来了")
    assert ws.definitions.automations["greet"].label["zh"] == "新客户来了"
    entries = audit(ws, "automation_edited")
    assert len(entries) == 1 and entries[0]["target"] == "greet"
    assert entries[0]["detail"] == {"file": PATH, "added": 1, "removed": 1}
    assert "文档已保存并发布" in client.get(response.headers["location"]).text
    _, token, base = editor(client)
    same = client.post("/admin/automations/greet", data={"csrf_token": token, "base": base,
                                                         "document": ws.sources()[PATH]}, follow_redirects=False)
    assert same.headers["location"].endswith("done=unchanged") and len(audit(ws, "automation_edited")) == 1


BROKEN = {
    "unknown action": (GREET.replace("type: notify", "type: notfy"), 6),
    "unknown form": (GREET.replace("form: customer", "form: custmer"), 3),
    "bad yaml": (GREET.replace("trigger: {type: created}", "trigger: {type: created"), None),
    "alias bomb": (GREET + "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9) if i else 'lol'}]\n"
                                   for i in range(9)), None),
    "nested too deep": (GREET + "deep: " + "[" * 100_000 + "\n", 7),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_document_shows_its_problems_and_saves_nothing(ws, client: TestClient, case: str) -> None:  # type: ignore[no-untyped-def]
    document, line = BROKEN[case]
    sign_in(client)
    _, token, base = editor(client)
    versions = len(ws.sources())
    response = client.post("/admin/automations/greet", data={"csrf_token": token, "base": base, "document": document})
    assert response.status_code == 422
    assert "未保存任何内容" in response.text
    if line is not None:
        assert f"第 {line} 行" in response.text
    assert document.split("\n")[2] in response.text  # the editor keeps what was typed
    assert ws.sources()[PATH] == GREET and len(ws.sources()) == versions
    assert ws.definitions.automations["greet"].form == "customer"
    assert not audit(ws, "automation_edited")


def test_the_document_must_stay_an_automation(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    _, token, base = editor(client)
    for document in ("form: sneaky\nlabel: X\nfields: []\n", "", "- a list\n"):
        response = client.post("/admin/automations/greet", data={"csrf_token": token, "base": base, "document": document})
        assert response.status_code == 422 and "文档必须仍是自动化" in unescape(response.text), document

    assert ws.sources()[PATH] == GREET


def test_a_document_changed_meanwhile_is_not_overwritten(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    _, token, base = editor(client)
    ws.publish({PATH: GREET.replace("新客户提醒", "别人改的")})
    response = client.post("/admin/automations/greet",
                           data={"csrf_token": token, "base": base, "document": GREET.replace("新客户提醒", "我的")})
    assert response.status_code == 409 and "有人修改了这个文档" in response.text and "我的" in response.text
    assert "别人改的" in ws.sources()[PATH] and not audit(ws, "automation_edited")


def test_renaming_the_automation_is_refused_as_its_file_keeps_its_name(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    _, token, base = editor(client)
    response = client.post("/admin/automations/greet", data={
        "csrf_token": token, "base": base, "document": GREET.replace("automation: greet", "automation: welcome")})
    assert response.status_code == 422 and "第 1 行" in response.text and "welcome.yaml" in response.text
    assert set(ws.definitions.automations) == {"greet"} and ws.sources()[PATH] == GREET


# --- run history ---------------------------------------------------------------------------------------------

def test_run_history_with_steps_and_queued_jobs(ws, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(ws, "华联电子")
    [key] = run_keys(ws)
    with write_transaction(ws.engine) as conn:  # a follow-up job of the run (as an email action queues one)
        queue.enqueue(conn, f"{key}:0:0", "test.boom", {}, now=ws.now(), label="邮件给 hua@example.com", parent=key)
    ws.jobs.drain()
    sign_in(client)
    html = client.get("/admin/automations/greet").text
    assert "共 1 次" in html and "站内通知" in html and "notified 1 user(s)" in html
    assert f'href="/apps/sales/customer/{customer}"' in html
    assert "邮件给 hua@example.com" in html and "失败" in html
    run_url = re.search(r'href="(/admin/automations/greet/runs/[^"]+)"', html)
    assert run_url
    run = client.get(run_url.group(1))
    assert run.status_code == 200
    assert key in run.text and "SMTP 550 mailbox unavailable" in run.text and 'action="/admin/jobs/retry"' in run.text
    assert f'name="next" value="{run_url.group(1)}"' in run.text  # retrying comes back to this run
    token = csrf_of(run.text)
    retried = client.post("/admin/jobs/retry", data={"csrf_token": token, "key": f"{key}:0:0", "next": run_url.group(1)},
                          follow_redirects=False)
    assert retried.headers["location"] == run_url.group(1) + "?done=retried"
    assert "任务已重新排队" in client.get(retried.headers["location"]).text
    with read_transaction(ws.engine) as conn:
        found = get_run(conn, "greet", key)
        assert found is not None and found["job"]["status"] == "done"
        assert [j["status"] for j in found["children"]] == ["queued"]
        assert get_run(conn, "other", key) is None
        assert automations_of(conn, [key, "nope"]) == {key: "greet"}
    assert client.get("/admin/automations/greet/runs/nope").status_code == 404
    jobs_page = client.get("/admin/jobs?status=done").text
    assert run_url.group(1) in jobs_page.replace("&amp;", "&")  # the run's job links to the run


def test_run_history_pages_newest_first(ws, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    for n in range(23):
        add_customer(ws, f"客户{n:02d}")
        clock.now += timedelta(minutes=1)
    sign_in(client)
    first = client.get("/admin/automations/greet").text
    assert "共 23 次" in first and first.count('class="run-done"') == 20
    assert 'href="/admin/automations/greet?page=2#runs"' in first
    second = client.get("/admin/automations/greet?page=2").text
    assert second.count('class="run-done"') == 3 and 'href="/admin/automations/greet?page=1#runs"' in second
    with read_transaction(ws.engine) as conn:
        page = list_runs(conn, "greet", page=1, per_page=5)
    assert [r["started_at"] for r in page.runs] == sorted((r["started_at"] for r in page.runs), reverse=True)
    assert page.more and page.total == 23


def test_a_failed_run_counts_as_a_failure(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    ws.publish({PATH: GREET.replace("to: {field: owner}", "to: {users: [ghost]}")})
    add_customer(ws, "华联电子")
    sign_in(client)
    with read_transaction(ws.engine) as conn:
        stats = run_stats(conn, ws.now() - timedelta(days=7))["greet"]
    assert stats.last_status == "failed" and stats.failures == 1 and stats.last_error
    row = re.search(r'<tr data-automation="greet".*?</tr>', client.get("/admin/automations").text, re.S)
    assert row and '<span class="failures error" data-n="1">失败 1 次</span>' in row.group(0)
    detail = client.get("/admin/automations/greet").text
    assert "ghost" in detail and "失败" in detail


# --- access --------------------------------------------------------------------------------------------------

def test_everything_is_refused_to_non_administrators(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    add_customer(ws, "华联电子")
    [key] = run_keys(ws)
    add_user(ws, "carl", admin=False, roles=("clerk",))
    token = sign_in(client, "carl")
    assert 'href="/admin/automations"' not in client.get("/").text
    checked = 0
    for route in ROUTES:
        path = route.path.replace("{id}", "greet").replace("{key:path}", key)  # type: ignore[attr-defined]
        for method in sorted(route.methods or {"GET"}):  # type: ignore[attr-defined]
            if method == "HEAD":
                continue
            response = client.request(method, path, data={"csrf_token": token, "enabled": "0", "base": "x",
                                                           "document": "automation: x\n"}, follow_redirects=False)
            assert response.status_code == 403, (method, path)
            assert "你没有权限" in response.text
            checked += 1
    assert checked == 5
    with read_transaction(ws.engine) as conn:
        assert switched(conn) == {}
    assert ws.sources()[PATH] == GREET and not audit(ws, "automation_disabled")


def test_english_pages(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    client.get("/lang/en")
    listing = client.get("/admin/automations").text
    assert "New customer notice" in listing and "When a record is created" in listing and "Switch off" in listing
    detail = client.get("/admin/automations/greet").text
    assert "Save and publish" in detail and "Run history" in detail
    assert "Failed" in client.get("/admin/jobs").text


def test_no_automations_yet(shop) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        sign_in(c)
        assert "还没有自动化" in c.get("/admin/automations").text
        assert c.get("/admin/automations/greet").status_code == 404


def test_the_docs_describe_the_pages() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "automations-admin.md").read_text(encoding="utf-8")
    for path in ("/admin/automations", "/admin/jobs", "/notifications", "/api/jobs/"):
        assert path in doc
