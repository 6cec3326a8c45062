"""The CRM's "done means": with the sample data, a rep sees only their clients, a sales manager their department
tree's, management all — in lists, search, pickers, the API and export; on SQLite and PostgreSQL.

The expected sets are computed from sample_data.yaml (who owns which client, which department each owner is in,
and the department tree), not from the database the test reads."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.records.model import Actor, Query
from tests.conftest import prepared_workspace
from tests.crm_sample import crm_sample
from web.app import create_app
from web.views.pagination import DEFAULT_SIZE

SAMPLE = crm_sample()
CLIENTS = "/apps/client/client"
PICKER = "/apps/client/contact/pick/client"  # the contact form's client picker
# who: how far they see clients (rep: own; sales manager: department tree; management: all)
REACH = {"lina": "own", "zhangwei": "tree", "chenjing": "tree", "wangfang": "tree", "zhaolei": "all"}


def _owner_of(row: dict[str, Any]) -> str:
    return str(row.get("owner") or row["_owner"])  # an unassigned client stays with the user who entered it


def _department_tree(key: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for d in SAMPLE["departments"]:
        if d.get("parent"):
            children.setdefault(d["parent"], []).append(d["key"])
    found, todo = {key}, [key]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def expected_clients(username: str) -> set[str]:
    """The names of the clients the user should see, from the sample data alone."""
    department = {u["username"]: u["department"] for u in SAMPLE["users"]}
    clients = SAMPLE["records"]["client"]
    reach = REACH[username]
    if reach == "all":
        return {c["name"] for c in clients}
    if reach == "own":
        return {c["name"] for c in clients if _owner_of(c) == username}
    tree = _department_tree(department[username])
    return {c["name"] for c in clients if department[_owner_of(c)] in tree}


def test_the_sample_data_has_what_the_rules_need() -> None:
    lina, zhangwei, chenjing = expected_clients("lina"), expected_clients("zhangwei"), expected_clients("chenjing")
    wangfang, everyone = expected_clients("wangfang"), expected_clients("zhaolei")
    assert lina and lina < zhangwei  # a rep sees less than the head of their group
    assert zhangwei and chenjing and not zhangwei & chenjing  # reps in two departments
    assert zhangwei | chenjing < wangfang  # the sales manager is over both
    assert wangfang < everyone  # management sees clients outside sales too
    roles = {u["username"]: set(u["roles"]) for u in SAMPLE["users"]}
    assert roles["lina"] == {"sales_rep"} and "sales_manager" in roles["wangfang"]
    assert roles["zhaolei"] == {"management"}


def _crm_sample(ws: Any) -> None:
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]


@pytest.fixture
def crm(request: pytest.FixtureRequest, backend: str) -> Iterator[tuple[Any, TestClient, dict[str, int]]]:
    """The CRM with its sample data (a prepared clone), a client signed in to nobody yet, client ids by name."""
    ws = prepared_workspace(request, _crm_sample)
    system = Actor(user_id=None, system=True)
    ids = {r.values["name"]: r.id for r in ws.records.list(system, "client", Query(limit=500)).records}
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        yield ws, client, ids


def _sign_in(client: TestClient, username: str) -> str:
    client.cookies.clear()
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": username, "password": SAMPLE["password"], "next": "/",
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return token


def _linked_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(rf'href="{CLIENTS}/(\d+)"', html)}


def _picked_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-value="(\d+)"', html)}


def test_each_user_sees_exactly_their_clients_everywhere(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client, ids = crm  # one install per database; every user is checked against it
    for username in REACH:
        _check(ws, client, ids, username)


def _check(ws: Any, client: TestClient, ids: dict[str, int], username: str) -> None:
    expected_names = expected_clients(username)
    expected = {ids[name] for name in expected_names}
    outside = sorted(set(ids) - expected_names)
    inside = sorted(expected_names)
    _sign_in(client, username)

    # API: the whole list, and one record each way
    listed = client.get("/api/v1/client", params={"limit": 500, "total": 1}).json()
    assert {r["id"] for r in listed["records"]} == expected, username
    assert listed.get("total", len(expected)) == len(expected)
    assert client.get(f"/api/v1/client/{ids[inside[0]]}").status_code == 200
    for name in outside[:3]:
        assert client.get(f"/api/v1/client/{ids[name]}").status_code == 404

    # the list page: its count, the records on its first page, and record pages
    page = client.get(CLIENTS)
    assert page.status_code == 200
    assert re.search(rf'id="total">{len(expected)} ', page.text), re.search(r'id="total">[^<]*', page.text)
    assert _linked_ids(page.text) <= expected and len(_linked_ids(page.text)) == min(len(expected), DEFAULT_SIZE)
    for name in outside[:3]:
        assert client.get(f"{CLIENTS}/{ids[name]}").status_code == 404

    # search: in the list, the API, the picker and across forms, a client's full name finds it exactly when it is theirs
    for name in [*inside[:2], *outside[:2]]:
        mine = name in expected_names
        assert (f'{CLIENTS}/{ids[name]}"' in client.get(CLIENTS, params={"q": name}).text) == mine
        found = client.get("/api/v1/client", params={"q": name}).json()["records"]
        assert [r["id"] for r in found] == ([ids[name]] if mine else [])
        assert _picked_ids(client.get(PICKER, params={"q": name}).text) == ({ids[name]} if mine else set())
        assert (ids[name] in _linked_ids(client.get("/search", params={"q": name}).text)) == mine  # across forms
    offered = _picked_ids(client.get(PICKER, params={"q": ""}).text)
    assert offered <= expected and len(offered) == min(len(expected), 20)

    # export, from the API and the list page: those allowed get exactly their clients; a rep may not export
    may_export = ws.records.guard(_actor_of(ws, username), "client").access.can("export")
    for url in ("/api/v1/client/export", f"{CLIENTS}/export"):
        exported = client.get(url, params={"format": "csv"})
        if may_export:
            assert exported.status_code == 200, exported.text[:300]
            rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
            assert {cell for row in rows[1:] for cell in row} & set(ids) == expected_names
        else:
            assert exported.status_code == 403
    assert may_export == (REACH[username] != "own")


def _actor_of(ws: Any, username: str) -> Actor:
    from engine.org.users import user_by_id, user_id_by_name
    from engine.storage.database import read_transaction
    from web.session import actor_of

    with read_transaction(ws.engine) as conn:
        user = user_by_id(conn, user_id_by_name(conn, username))  # type: ignore[arg-type]
    return actor_of(user, "zh")  # type: ignore[arg-type]
