"""The permission matrix page: administrators edit roles × forms, the change is published as a new version of the
roles document, audited, and applies to users at once — on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
import yaml
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.storage.database import read_transaction
from engine.storage.documents import history_of
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

ROLES_PATH = "shop/roles.yaml"
HTMX = {"hx-request": "true"}


@pytest.fixture
def clients(shop):  # type: ignore[no-untyped-def]
    """An administrator's client and a clerk's, over the same application."""
    add_user(shop, "carl", admin=False, roles=("clerk",))
    app = create_app(shop)
    with TestClient(app, base_url="http://testserver") as admin, TestClient(app, base_url="http://testserver") as clerk:
        admin_token, clerk_token = sign_in(admin), sign_in(clerk, "carl")
        yield shop, (admin, admin_token), (clerk, clerk_token)


def _audit(ws):  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return list_audit(conn, AuditFilter(actions=("permissions_changed",)))


def _versions(ws):  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return history_of(conn, ROLES_PATH)


def _base(editor_html: str) -> str:
    match = re.search(r'name="base" value="([0-9a-f]+)"', editor_html)
    assert match, editor_html[:500]
    return match.group(1)


def test_only_administrators_reach_the_matrix(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, _), (clerk, token) = clients
    for url in ("/admin/permissions", "/admin/permissions/clerk/order", "/admin/roles/clerk"):
        refused = clerk.get(url)
        assert refused.status_code == 403 and "你没有权限" in refused.text
    before = ws.sources()[ROLES_PATH]
    assert clerk.post("/admin/permissions/clerk/product", data={
        "csrf_token": token, "operations": ["read"], "scope": "all"}).status_code == 403
    spy = clerk.post("/admin/roles", data={"csrf_token": token, "role_id": "spy", "label_en": "Spy"})
    assert spy.status_code == 403
    assert clerk.post("/admin/roles/clerk/delete", data={"csrf_token": token}).status_code == 403
    assert ws.sources()[ROLES_PATH] == before and _audit(ws) == []
    page = admin.get("/admin/permissions")
    assert page.status_code == 200 and 'class="tab active" href="/admin/permissions"' in page.text
    assert 'id="cell-clerk-order"' in page.text and "店员" in page.text
    assert admin.get("/admin/permissions/nobody/order").status_code == 404
    assert admin.get("/admin/permissions/clerk/nothing").status_code == 404


def test_editing_a_cell_changes_the_users_access_at_once(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, token), (clerk, _) = clients
    assert "/apps/sales/product" not in clerk.get("/").text
    assert clerk.get("/apps/sales/product").status_code == 403
    editor = admin.get("/admin/permissions/clerk/product", headers=HTMX)
    assert editor.status_code == 200 and 'name="operations"' in editor.text and "<html" not in editor.text
    versions = len(_versions(ws))
    saved = admin.post("/admin/permissions/clerk/product", headers=HTMX, data={
        "csrf_token": token, "base": _base(editor.text), "operations": ["read"], "scope": "all",
        "field.price": "hidden", "field.name": "normal"})
    assert saved.status_code == 200 and "已保存" in saved.text
    assert 'id="cell-clerk-product"' in saved.text and 'hx-swap-oob="true"' in saved.text  # the matrix cell updates
    assert "/apps/sales/product" in clerk.get("/").text  # the clerk gains the form in navigation
    assert clerk.get("/apps/sales/product").status_code == 200
    document = yaml.safe_load(ws.sources()[ROLES_PATH])
    clerk_role = next(r for r in document["roles"] if r["id"] == "clerk")
    assert clerk_role["permissions"]["product"] == {"operations": ["read"], "scope": "all",
                                                    "fields": {"price": "hidden"}}
    assert clerk_role["permissions"]["order"]["fields"] == {"discount": "read_only"}  # the rest is as it was
    history = _versions(ws)
    assert len(history) == versions + 1 and history[0]["author_id"] == 1 and "product" in history[0]["comment"]
    entry = _audit(ws)[0]
    assert entry["actor_id"] == 1 and entry["target"] == "clerk/product"
    assert entry["detail"]["before"] is None
    assert entry["detail"]["after"] == {"operations": ["read"], "scope": "all", "condition": None,
                                        "fields": {"price": "hidden"}}

    editor = admin.get("/admin/permissions/clerk/product", headers=HTMX)
    taken = admin.post("/admin/permissions/clerk/product", data={"csrf_token": token, "base": _base(editor.text),
                                                                  "scope": "all"}, follow_redirects=False)
    assert taken.status_code == 303  # without htmx: back to the matrix
    assert "/apps/sales/product" not in clerk.get("/").text  # and loses it again
    assert _audit(ws)[0]["detail"]["after"] is None and len(_versions(ws)) == versions + 2


def test_field_access_and_scope_apply_to_the_clerk(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, token), (clerk, _) = clients
    from engine.records.model import Actor

    customer = ws.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": "华联电子", "email": "x@y.cn"})
    assert "x@y.cn" not in clerk.get(f"/apps/sales/customer/{customer.id}").text
    admin.post("/admin/permissions/clerk/customer", headers=HTMX, data={
        "csrf_token": token, "operations": ["read"], "scope": "all", "field.email": "normal"})
    assert "x@y.cn" in clerk.get(f"/apps/sales/customer/{customer.id}").text
    admin.post("/admin/permissions/clerk/customer", headers=HTMX, data={
        "csrf_token": token, "operations": ["read"], "scope": "own"})
    assert clerk.get(f"/apps/sales/customer/{customer.id}").status_code == 404  # alice's, not the clerk's


def test_a_bad_condition_is_shown_at_the_field_and_nothing_changes(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, token), _ = clients
    before, versions = ws.sources()[ROLES_PATH], len(_versions(ws))
    refused = admin.post("/admin/permissions/clerk/order", headers=HTMX, data={
        "csrf_token": token, "operations": ["read"], "scope": "condition", "condition": "no_such_field = $me"})
    assert refused.status_code == 200 and "未保存" in refused.text
    errors = re.search(r'id="perm-condition-errors"[^>]*>(.*?)</span>\s*</label>', refused.text, re.S)
    assert errors and "no_such_field" in errors.group(1)
    assert 'aria-invalid="true"' in refused.text and 'value="no_such_field = $me"' in refused.text
    page = admin.post("/admin/permissions/clerk/order", data={
        "csrf_token": token, "operations": ["read"], "scope": "condition", "condition": ""})
    assert page.status_code == 422 and "请填写条件公式" in page.text
    bad_scope = admin.post("/admin/permissions/clerk/order", data={
        "csrf_token": token, "operations": ["read"], "scope": "everything"})
    assert bad_scope.status_code == 422
    for condition in ("discount > " + "1" * 600, "discount >\x00 1"):
        odd = admin.post("/admin/permissions/clerk/order", data={
            "csrf_token": token, "operations": ["read"], "scope": "condition", "condition": condition})
        assert odd.status_code == 422 and "控制字符" in odd.text
    assert ws.sources()[ROLES_PATH] == before and len(_versions(ws)) == versions and _audit(ws) == []
    good = admin.post("/admin/permissions/clerk/order", headers=HTMX, data={
        "csrf_token": token, "operations": ["read", "update"], "scope": "condition", "condition": "discount > 10"})
    assert "已保存" in good.text and "discount > 10" in ws.sources()[ROLES_PATH]


def test_an_edit_of_a_cell_changed_meanwhile_is_refused(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, token), _ = clients
    base = _base(admin.get("/admin/permissions/clerk/order", headers=HTMX).text)
    other = admin.post("/admin/permissions/clerk/customer", headers=HTMX, data={
        "csrf_token": token, "operations": ["read"], "scope": "all"})
    assert "已保存" in other.text  # another cell: the open editor stays valid
    kept = admin.post("/admin/permissions/clerk/order", headers=HTMX, data={
        "csrf_token": token, "base": base, "operations": ["create", "read"], "scope": "own"})
    assert "已保存" in kept.text
    clerk_role = next(r for r in yaml.safe_load(ws.sources()[ROLES_PATH])["roles"] if r["id"] == "clerk")
    assert clerk_role["permissions"]["customer"] == {"operations": ["read"], "scope": "all"}
    assert clerk_role["permissions"]["order"] == {"operations": ["create", "read"], "scope": "own"}
    before = ws.sources()[ROLES_PATH]
    stale = admin.post("/admin/permissions/clerk/order", headers=HTMX, data={  # the same cell, from the old editor
        "csrf_token": token, "base": base, "operations": ["read"], "scope": "all"})
    assert "刚被别人修改" in stale.text and ws.sources()[ROLES_PATH] == before


def test_creating_and_deleting_roles(clients) -> None:  # type: ignore[no-untyped-def]
    ws, (admin, token), _ = clients
    created = admin.post("/admin/roles", data={"csrf_token": token, "role_id": "auditor", "label_zh": "审计员",
                                               "label_en": "Auditor"}, follow_redirects=False)
    assert created.status_code == 303
    assert "auditor" in {r.id for r in ws.definitions.roles}
    matrix = admin.get(created.headers["location"]).text
    assert "已创建角色 auditor" in matrix and 'id="cell-auditor-order"' in matrix
    again = admin.post("/admin/roles", data={"csrf_token": token, "role_id": "auditor", "label_en": "Again"})
    assert again.status_code == 422 and "角色 auditor 已存在" in again.text
    bad = admin.post("/admin/roles", data={"csrf_token": token, "role_id": "Bad-Id", "label_en": "Bad"})
    assert bad.status_code == 422 and "角色标识无效" in bad.text
    long_name = admin.post("/admin/roles", data={"csrf_token": token, "role_id": "long", "label_en": "x" * 81})
    assert long_name.status_code == 422 and "long" not in {r.id for r in ws.definitions.roles}
    nameless = admin.post("/admin/roles", data={"csrf_token": token, "role_id": "nameless"})
    assert nameless.status_code == 422 and "nameless" not in {r.id for r in ws.definitions.roles}

    in_use = admin.post("/admin/roles/clerk/delete", data={"csrf_token": token})
    assert in_use.status_code == 409 and "还有 1 个用户" in in_use.text
    members = admin.get("/admin/roles/clerk", headers={"accept-language": "en"}).text
    assert "carl" in members and "Carl" in members and "/admin/permissions/clerk/order" in members
    assert "clerk" in {r.id for r in ws.definitions.roles}
    deleted = admin.post("/admin/roles/auditor/delete", data={"csrf_token": token}, follow_redirects=False)
    assert deleted.status_code == 303 and "auditor" not in {r.id for r in ws.definitions.roles}
    assert admin.post("/admin/roles/auditor/delete", data={"csrf_token": token}).status_code == 404
    changes = [e["detail"].get("change") for e in _audit(ws)]
    assert changes == ["role_deleted", "role_created"]
    assert len(_versions(ws)) == 3  # installed, role added, role removed
