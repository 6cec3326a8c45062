"""/design/history: every version of a document with author, time and note, the per-field summary (labels, not
ids) and the YAML diff; restoring an older version publishes it as a new one, and records entered meanwhile —
with values of a field the old version lacks — are still there when the newer version comes back."""

from __future__ import annotations

import html
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

PATH = "shop/sales/forms/product.yaml"
ADMIN = Actor(user_id=1, is_admin=True)


@pytest.fixture
def ws(shop):  # type: ignore[no-untyped-def]
    """Version 2 of the product form adds a field `origin` (产地) and makes the price required."""
    text = shop.sources()[PATH]
    assert "  - {id: price" in text
    changed = text.replace("fields:\n", "fields:\n  - {id: origin, type: text, label: {zh: 产地, en: Origin}}\n", 1)
    shop.publish({PATH: changed}, author_id=1, comment="产地 <b>added</b>")
    add_user(shop, "bob", admin=False, roles=("clerk",))
    return shop


@pytest.fixture
def client(ws):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def history_url(path: str = PATH) -> str:
    return f"/design/history?path={quote(path)}"


def test_versions_with_author_note_field_summary_and_diff(ws, client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    page = client.get(history_url())
    assert page.status_code == 200
    text = page.text
    assert "第 2 版" in text and "第 1 版" in text and "当前" in text
    assert "Alice" in text and "产地 &lt;b&gt;added&lt;/b&gt;" in text  # the note is escaped
    assert "新增</span> 产地" in text  # the field's label, not its id
    assert '<span class="diff-add">+  - {id: origin, type: text, label: {zh: 产地, en: Origin}}</span>' in text
    assert "第一个版本" in text
    assert text.count("恢复为此版本") == 1  # the older version only


def test_restore_an_older_version_keeps_records_entered_meanwhile(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    record = ws.records.create(ADMIN, "product", {"name": "Tea", "price": 12, "origin": "Yunnan"}, via="web")
    response = client.post("/design/history/restore", data={"csrf_token": token, "path": PATH, "version": "1"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert ws.definitions.forms["product"].field("origin") is None
    page = client.get(response.headers["location"])
    assert "已恢复为所选版本" in page.text and "第 3 版" in page.text and "删除</span> 产地" in page.text
    assert "设计器:恢复为第 1 版" in html.unescape(page.text)
    assert ws.records.get(ADMIN, "product", record.id).values["name"] == "Tea"
    client.post("/design/history/restore", data={"csrf_token": token, "path": PATH, "version": "2"})
    assert ws.records.get(ADMIN, "product", record.id).values["origin"] == "Yunnan"


@pytest.mark.parametrize("version", ["99", "x", ""])
def test_an_unknown_version_is_a_400(ws, client, version) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = ws.sources()
    response = client.post("/design/history/restore", data={"csrf_token": token, "path": PATH, "version": version})
    assert response.status_code == 400 and "没有这个版本" in response.text
    assert ws.sources() == before


def test_who_sees_which_history(ws, client) -> None:  # type: ignore[no-untyped-def]
    sales = ws.sources()["shop/sales/app.yaml"] + "admins: [clerk]\n"
    ws.publish({"shop/sales/app.yaml": sales})
    token = sign_in(client, "bob")
    assert client.get(history_url()).status_code == 200
    assert client.get(history_url("shop/sales/app.yaml")).status_code == 200
    assert client.get(history_url("shop/roles.yaml")).status_code == 403
    refused = client.post("/design/history/restore", data={"csrf_token": token, "path": "shop/roles.yaml",
                                                           "version": "1"})
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": token})
    sign_in(client)
    assert client.get(history_url("shop/roles.yaml")).status_code == 200
    assert client.get(history_url("shop/nothing.yaml")).status_code == 404
