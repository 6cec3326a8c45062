"""The home page (工作台) on the CRM with its sample data: each role's blocks, counts that match both a count made
by hand from the records and the list the block links to; the admin page that edits and publishes the home
document; on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.lifecycle import history
from engine.org.users import list_users
from engine.records.model import Actor, Query
from tests.conftest import add_user, prepared_workspace
from tests.crm_sample import crm_sample
from web.app import create_app

SAMPLE = crm_sample()
SYSTEM = Actor(user_id=None, system=True)
OVERDUE = "逾期的跟进"  # the sample users read Chinese
TEAM_OVERDUE = "团队逾期的跟进"


def _crm_home(ws: Any) -> None:
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    add_user(ws, "root")  # an administrator with no CRM role
    _follow_ups(ws, _people(ws))


def _people(ws: Any) -> dict[str, dict[str, Any]]:
    with ws.reading() as conn:
        return {u["username"]: u for u in list_users(conn)}


@pytest.fixture
def crm(request: pytest.FixtureRequest, backend: str) -> Iterator[tuple[Any, TestClient, dict[str, dict[str, Any]]]]:
    """The CRM with its sample data, the administrator root and a few follow-ups due (a prepared clone)."""
    ws = prepared_workspace(request, _crm_home)
    people = _people(ws)
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        yield ws, client, people


def _follow_ups(ws: Any, people: dict[str, dict[str, Any]]) -> None:
    """Follow-ups due in the past and in the future, for two reps (whatever the sample data holds)."""
    now = ws.now()
    for username, due in (("lina", -1), ("lina", -0.125), ("lina", 2), ("liuqiang", -2)):
        who = people[username]
        actor = Actor(user_id=who["id"], department_id=who["department_id"], system=True)
        clients = [r for r in ws.records.list(SYSTEM, "client", Query(limit=500)).records if r.owner_id == who["id"]]
        ws.records.create(actor, "follow_up", {
            "client": clients[0].id, "summary": f"回访 {due}", "content": "电话回访", "follower": who["id"], "follow_time": (now - timedelta(days=7)).isoformat(),
            "next_time": (now + timedelta(days=due)).isoformat()}, owner_id=who["id"])


def _sign_in(client: TestClient, username: str, password: str | None = None) -> str:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": username, "password": password or SAMPLE["password"],
                                           "next": "/", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]


def _blocks(page: str) -> dict[str, tuple[int, str, list[int]]]:
    """The attention blocks of a home page by title: (count, list link, linked record ids)."""
    found = {}
    for section in re.findall(r'<section class="card home-block" data-home-block="attention">(.*?)</section>', page, re.S):
        head = re.search(r'<h2><a href="([^"]+)">([^<]+)</a> <span class="home-count" data-count="(\d+)"', section)
        assert head, section
        ids = [int(i) for i in re.findall(r'href="/apps/\w+/\w+/(\d+)"', section)]
        found[html.unescape(head.group(2))] = (int(head.group(3)), html.unescape(head.group(1)), ids)
    return found


def _overdue(ws: Any, keep: Any) -> set[int]:
    """Follow-ups whose next time has passed and that `keep` accepts — counted from the records, not the list."""
    rows = ws.records.list(SYSTEM, "follow_up", Query(limit=1000)).records
    return {r.id for r in rows if r.values.get("next_time") and r.values["next_time"] < ws.now() and keep(r)}


def _list_total(client: TestClient, href: str) -> int:
    page = client.get(href, headers={"Accept-Language": "en"})
    assert page.status_code == 200, href
    return int(re.search(r'<small class="muted" id="total">(\d+)', page.text).group(1))  # type: ignore[union-attr]


def test_a_rep_sees_her_to_dos_and_only_her_overdue_follow_ups(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client, people = crm
    _sign_in(client, "lina")
    page = client.get("/", headers={"Accept-Language": "en"}).text
    kinds = re.findall(r'data-home-block="(\w+)"', page)
    assert kinds[0] == "todos" and "dashboards" in kinds and kinds[-1] == "apps"
    blocks = _blocks(page)
    assert TEAM_OVERDUE not in blocks  # a manager's block
    expected = _overdue(ws, lambda r: r.values.get("follower") == people["lina"]["id"])
    count, href, ids = blocks[OVERDUE]
    assert count == len(expected) >= 2 and set(ids) <= expected and len(ids) == min(count, 5)
    assert _list_total(client, href) == count  # the link opens the same list
    assert "我的停滞商机（已过预计成交日期）" in blocks
    todos = page.split('data-home-block="todos"')[1].split("</section>")[0]
    assert "我的待办" in todos and ("没有待办事项。" in todos) == ('data-count="0"' in todos)
    boards = page.split('data-home-block="dashboards"')[1].split("</section>")[0]
    links = re.findall(r'href="(/apps/\w+/dashboards/(\w+))"', boards)
    assert sorted(name for _, name in links) == ["attention", "sales_rep"]  # a rep's, not the managers'
    assert all(client.get(href).status_code == 200 for href, _ in links)


def test_a_manager_sees_her_teams_overdue_follow_ups(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client, people = crm
    department = {u["username"]: u["department"] for u in SAMPLE["users"]}
    children: dict[str, list[str]] = {}
    for d in SAMPLE["departments"]:
        if d.get("parent"):
            children.setdefault(d["parent"], []).append(d["key"])
    tree, todo = {department["wangfang"]}, [department["wangfang"]]
    while todo:
        for child in children.get(todo.pop(), []):
            tree.add(child)
            todo.append(child)
    by_id = {u["id"]: name for name, u in people.items()}
    expected = _overdue(ws, lambda r: department.get(by_id.get(r.owner_id, ""), "") in tree)
    _sign_in(client, "wangfang")
    blocks = _blocks(client.get("/", headers={"Accept-Language": "en"}).text)
    assert OVERDUE not in blocks and "团队停滞商机（已过预计成交日期）" in blocks
    count, href, ids = blocks[TEAM_OVERDUE]
    assert count == len(expected) and set(ids) <= expected
    assert _list_total(client, href) == count


def test_an_administrator_without_a_listed_role_gets_the_default_home_and_the_apps(crm) -> None:  # type: ignore[no-untyped-def]
    _ws, client, _people = crm
    _sign_in(client, "root", "correct horse 1")
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert re.findall(r'data-home-block="(\w+)"', page) == ["todos", "dashboards", "apps"]
    boards = page.split('data-home-block="dashboards"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/apps/\w+/dashboards/\w+"', boards)) == 7  # an administrator sees every one
    assert "No dashboards for you yet." not in page and 'href="/apps/client/client"' in page
    assert 'href="/admin/users"' in page


def test_the_admin_page_edits_and_publishes_the_home_document(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client, _people = crm
    path = ws.definitions.home.path
    before = len(history(ws, path))
    csrf = _sign_in(client, "root", "correct horse 1")
    page = client.get("/admin/home", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'data-role="finance"' in page.text and 'href="/admin/home"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    added = client.post("/admin/home/finance/add", data={
        "csrf_token": csrf, "version": version, "block": "attention", "form": "payment",
        "conditions": "status:eq:confirmed\nowner:eq:$me", "label_zh": "我经办的回款", "label_en": "Payments I handled",
        "limit": "3"}, follow_redirects=False)
    assert added.status_code == 303
    assert len(history(ws, path)) == before + 1
    finance = ws.definitions.home.roles["finance"]
    assert finance[-1].form == "payment" and finance[-1].limit == 3 and finance[-1].filters[1].value == "$me"
    shown = client.get("/admin/home?saved=1", headers={"Accept-Language": "en"}).text
    assert "Payments I handled" in shown and "Published." in shown
    version = re.search(r'name="version" value="(\d+)"', shown).group(1)  # type: ignore[union-attr]
    last = len(finance) - 1
    up = client.post(f"/admin/home/finance/{last}/up", data={"csrf_token": csrf, "version": version},
                     follow_redirects=False)
    assert up.status_code == 303 and ws.definitions.home.roles["finance"][last - 1].form == "payment"
    stale = client.post(f"/admin/home/finance/0/remove", data={"csrf_token": csrf, "version": version})
    assert stale.status_code == 409  # the page was older than the last publish
    version = str(int(version) + 1)
    removed = client.post(f"/admin/home/finance/{last - 1}/remove", data={"csrf_token": csrf, "version": version},
                          follow_redirects=False)
    assert removed.status_code == 303 and all(b.form != "payment" or b.label != {"zh": "我经办的回款", "en": "Payments I handled"}
                                              for b in ws.definitions.home.roles["finance"])
    assert len(history(ws, path)) == before + 3
    assert client.get(f"/design/history?path={path}").status_code == 200


def test_the_admin_page_refuses_bad_blocks_with_clear_messages(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client, _people = crm
    path = ws.definitions.home.path
    before = len(history(ws, path))
    csrf = _sign_in(client, "root", "correct horse 1")
    version = re.search(r'name="version" value="(\d+)"', client.get("/admin/home").text).group(1)  # type: ignore[union-attr]
    base = {"csrf_token": csrf, "version": version, "block": "attention", "label_zh": "甲", "label_en": "A"}
    bad_field = client.post("/admin/home/finance/add", data={**base, "form": "payment", "conditions": "colour:eq:red"},
                            headers={"Accept-Language": "en"})
    assert bad_field.status_code == 400 and "This condition cannot be read: colour:eq:red" in bad_field.text
    no_form = client.post("/admin/home/finance/add", data={**base, "form": ""}, headers={"Accept-Language": "en"})
    assert no_form.status_code == 400 and "A records block needs a form." in no_form.text
    no_role = client.post("/admin/home/nobody/add", data={**base, "block": "todos"}, headers={"Accept-Language": "en"})
    assert no_role.status_code == 400 and "no role &#39;nobody&#39;" in no_role.text
    assert len(history(ws, path)) == before  # nothing published


def test_a_rep_may_not_open_or_post_to_the_admin_page(crm) -> None:  # type: ignore[no-untyped-def]
    _ws, client, _people = crm
    csrf = _sign_in(client, "lina")
    assert client.get("/admin/home").status_code == 403
    assert client.post("/admin/home/sales_rep/add", data={"csrf_token": csrf, "block": "todos"}).status_code == 403
    assert client.post("/admin/home/sales_rep/0/remove", data={"csrf_token": csrf}).status_code == 403
