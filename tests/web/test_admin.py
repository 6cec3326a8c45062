"""The admin pages — users, departments, hand-over of a leaving user's records, audit log with CSV export — for
administrators only, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from engine.audit import list_audit
from engine.org.users import create_department, user_by_id
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user
from tests.web.test_web import PASSWORD, csrf_of, sign_in
from web.app import create_app
from web.views.admin import ROUTES

ADMIN = Actor(user_id=1, is_admin=True)


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def ws_of(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.ws  # type: ignore[attr-defined]


def audit(client: TestClient, **kw) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    from engine.audit import AuditFilter

    with read_transaction(ws_of(client).engine) as conn:
        return list_audit(conn, AuditFilter(**kw))


def errors_in(html: str) -> list[str]:
    return re.findall(r'<span class="error">([^<]+)</span>', html)


def can_sign_in(shop, username: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as other:
        token = csrf_of(other.get("/login").text)
        response = other.post("/login", data={"username": username, "password": password, "csrf_token": token},
                              follow_redirects=False)
        return response.status_code == 303


def test_only_administrators_reach_the_admin_pages(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "carl", admin=False, roles=("clerk",))
    with write_transaction(shop.engine) as conn:
        dept = create_department(conn, "top", "总部")
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303  # not signed in: every admin page sends to the sign-in page first
    assert client.get("/admin/users", follow_redirects=False).headers["location"] == "/login?next=/admin/users"
    token = sign_in(client, "carl")
    assert 'href="/admin/users"' not in client.get("/").text  # no admin link for a non-admin
    checked = 0
    for route in ROUTES:
        path = route.path.replace("{id:int}", str(dept if "departments" in route.path else 1))
        for method in sorted(route.methods or {"GET"}):
            if method == "HEAD":
                continue
            response = client.request(method, path, data={"csrf_token": token, "username": "mallory",
                                                           "display_name": "M", "active": "0", "to_user": "2"},
                                      follow_redirects=False)
            assert response.status_code == 403, (method, path)
            assert "你没有权限" in response.text
            checked += 1
    assert checked == 17
    with read_transaction(shop.engine) as conn:  # and nothing happened
        assert user_by_id(conn, 1)["active"] is True  # type: ignore[index]
    assert not audit(client, actions=("user_created", "user_disabled", "password_reset", "department_changed",
                                      "transfer", "export"))


def test_the_admin_link_and_user_list_with_search(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "bob", admin=False, roles=("clerk",))
    sign_in(client)
    assert 'href="/admin/users"' in client.get("/").text
    listing = client.get("/admin/users", headers={"accept-language": "en"}).text
    assert "alice" in listing and "bob" in listing and "Clerk" in listing
    found = client.get("/admin/users?q=BO").text
    assert "/admin/users/2\"" in found and "/admin/users/1\"" not in found
    assert "没有符合条件的用户" in client.get("/admin/users?q=nobody-like-this").text


def test_creating_a_user_reports_every_problem_then_shows_the_password_once(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        sales = create_department(conn, "sales", {"zh": "销售部", "en": "Sales"})
        east = create_department(conn, "east", {"zh": "华东", "en": "East"}, parent_id=sales)
    token = sign_in(client)
    bad = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "a b", "display_name": "", "email": "not-an-address",
        "password": "short", "roles": ["clerk", "wizard"], "department_id": "999"}, headers={"accept-language": "en"})
    assert bad.status_code == 422
    messages = errors_in(bad.text)
    assert any(m.startswith("Username is not a valid") for m in messages)
    assert "Name is required" in messages and any("E-mail is not a valid" in m for m in messages)
    assert any("password needs 8" in m for m in messages)
    assert "Role has no option &#39;wizard&#39;" in messages and any("Main department" in m for m in messages)
    assert 'value="a b"' in bad.text and 'value="short"' not in bad.text  # typed values kept, the password not
    taken = client.post("/admin/users/new", data={"csrf_token": token, "username": "ALICE", "display_name": "A"})
    assert taken.status_code == 422 and "用户名“ALICE”已存在" in taken.text

    created = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "lina", "display_name": "李娜", "email": "lina@example.com",
        "language": "en", "department_id": str(east), "other_departments": [str(sales)], "roles": ["clerk"]})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    password = re.search(r'id="new-password" class="token-secret" readonly value="([^"]+)"', created.text).group(1)  # type: ignore[union-attr]
    with read_transaction(shop.engine) as conn:
        lina = user_by_id(conn, 2)
        memberships = sorted(conn.exec_driver_sql("SELECT department_id FROM memberships WHERE user_id = 2").scalars())
    assert lina is not None and lina["username"] == "lina" and lina["roles"] == ["clerk"]
    assert lina["department_id"] == east and memberships == sorted([sales, east]) and lina["language"] == "en"
    assert not lina["is_admin"]
    assert password not in client.get("/admin/users/2").text  # shown once only
    assert can_sign_in(shop, "lina", password)
    entry = audit(client, actions=("user_created",))[0]
    assert entry["target"] == "lina" and entry["actor_id"] == 1 and entry["address"] == "testclient"

    typed = client.post("/admin/users/new", data={"csrf_token": token, "username": "wang", "display_name": "王芳",
                                                   "password": "typed pass 1"})
    assert typed.status_code == 200 and 'id="new-password"' not in typed.text
    assert can_sign_in(shop, "wang", "typed pass 1")


def test_editing_a_user_saves_everything_or_nothing(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    with write_transaction(shop.engine) as conn:
        sales = create_department(conn, "sales", "销售部")
    token = sign_in(client)
    form = {"csrf_token": token, "display_name": "Bob Chen", "email": "bob@example.com", "language": "zh",
            "department_id": str(sales), "roles": ["clerk"]}
    refused = client.post(f"/admin/users/{bob}", data={**form, "email": "nope", "roles": ["clerk", "ghost"]})
    assert refused.status_code == 422 and len(errors_in(refused.text)) == 2
    with read_transaction(shop.engine) as conn:
        unchanged = user_by_id(conn, bob)
    assert unchanged["display_name"] == "Bob" and unchanged["roles"] == [] and unchanged["department_id"] is None  # type: ignore[index]
    saved = client.post(f"/admin/users/{bob}", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/admin/users/{bob}?done=saved"
    with read_transaction(shop.engine) as conn:
        changed = user_by_id(conn, bob)
    assert changed["display_name"] == "Bob Chen" and changed["roles"] == ["clerk"]  # type: ignore[index]
    assert changed["department_id"] == sales and changed["email"] == "bob@example.com"  # type: ignore[index]
    actions = [e["action"] for e in audit(client, target="bob")]
    assert actions[:3] == ["roles_changed", "roles_changed", "user_updated"]
    demote_self = client.post("/admin/users/1", data={"csrf_token": token, "display_name": "Alice"})
    assert demote_self.status_code == 422 and "不能取消自己的管理员权限" in demote_self.text


def test_a_disabled_user_cannot_sign_in_and_their_session_ends(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    with TestClient(create_app(shop), base_url="http://testserver") as bobs:
        sign_in(bobs, "bob")
        assert bobs.get("/", follow_redirects=False).status_code == 200
        token = sign_in(client)
        done = client.post(f"/admin/users/{bob}/active", data={"csrf_token": token, "active": "0"},
                           follow_redirects=False)
        assert done.status_code == 303
        assert "用户已停用" in client.get(done.headers["location"]).text
        assert bobs.get("/", follow_redirects=False).status_code == 303  # the open session is over
    assert not can_sign_in(shop, "bob", PASSWORD)
    assert "已停用" in client.get("/admin/users").text
    client.post(f"/admin/users/{bob}/active", data={"csrf_token": token, "active": "1"})
    assert can_sign_in(shop, "bob", PASSWORD)
    assert [e["action"] for e in audit(client, target="bob")][:2] == ["sign_in", "user_enabled"]
    own = client.post("/admin/users/1/active", data={"csrf_token": token, "active": "0"},
                      headers={"accept-language": "en"})
    assert own.status_code == 422 and "you cannot disable your own account" in own.text


def test_reset_password_shows_a_new_one_once(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    token = sign_in(client)
    response = client.post(f"/admin/users/{bob}/password", data={"csrf_token": token})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    password = re.search(r'id="new-password" class="token-secret" readonly value="([^"]+)"', response.text).group(1)  # type: ignore[union-attr]
    assert not can_sign_in(shop, "bob", PASSWORD)
    assert can_sign_in(shop, "bob", password)
    assert audit(client, actions=("password_reset",))[0]["target"] == "bob"
    own = client.post("/admin/users/1/password", data={"csrf_token": token})  # one's own: this session goes on
    assert own.status_code == 200 and client.get("/admin/users", follow_redirects=False).status_code == 200


def test_the_department_tree_create_move_and_delete(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    token = sign_in(client)
    empty = client.post("/admin/departments", data={"csrf_token": token, "name_zh": " ", "name_en": ""})
    assert empty.status_code == 422 and "部门名称为必填项" in empty.text
    for name, parent in (("总部", ""), ("销售部", "1"), ("华东", "2")):
        created = client.post("/admin/departments", data={"csrf_token": token, "name_zh": name, "parent_id": parent},
                              follow_redirects=False)
        assert created.status_code == 303
    with read_transaction(shop.engine) as conn:
        top, sales, east = conn.exec_driver_sql("SELECT id FROM departments ORDER BY id").scalars()
    tree = client.get("/admin/departments").text
    assert tree.index("总部") < tree.index("销售部") < tree.index("华东") and 'class="depth-2"' in tree
    edit = client.get(f"/admin/departments/{top}").text
    assert f'<option value="{east}"' not in edit  # its own sub-departments are not offered as parents
    cycle = client.post(f"/admin/departments/{top}", data={"csrf_token": token, "name_zh": "总部",
                                                            "parent_id": str(east)}, headers={"accept-language": "en"})
    assert cycle.status_code == 422 and "cannot move under itself or one of its sub-departments" in cycle.text
    renamed = client.post(f"/admin/departments/{sales}", data={
        "csrf_token": token, "name_zh": "销售中心", "name_en": "Sales", "parent_id": "", "head_user_id": str(bob)},
        follow_redirects=False)
    assert renamed.status_code == 303
    tree = client.get("/admin/departments", headers={"accept-language": "en"}).text
    assert "Sales" in tree and "Bob" in tree
    client.post(f"/admin/users/{bob}", data={"csrf_token": token, "display_name": "Bob", "department_id": str(east)})
    busy = client.post(f"/admin/departments/{east}/delete", data={"csrf_token": token})
    assert busy.status_code == 422 and "部门还有 0 个下级部门和 1 名成员,不能删除" in busy.text
    client.post(f"/admin/users/{bob}", data={"csrf_token": token, "display_name": "Bob", "department_id": ""})
    gone = client.post(f"/admin/departments/{east}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 303 and "华东" not in client.get("/admin/departments").text
    details = [e["detail"] for e in audit(client, actions=("department_changed",))]
    assert details[0] == {"deleted": east} and details[1]["changes"]["head"] == [None, bob]
    log = client.get("/admin/audit?action=department_changed", headers={"accept-language": "en"}).text
    assert "Head: — → Bob" in log and "Parent: 总部 → —" in log


def test_a_leaving_users_records_are_handed_over(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    leaving, taking = add_user(shop, "lina", admin=False), add_user(shop, "wang", admin=False)
    lina = Actor(user_id=leaving, is_admin=True)
    customers = [shop.records.create(lina, "customer", {"name": n}).id for n in ("甲", "乙")]
    shop.records.create(lina, "order", {"customer": customers[0]})
    kept = shop.records.create(ADMIN, "customer", {"name": "丙"}).id
    token = sign_in(client)
    page = client.get(f"/admin/users/{leaving}/transfer", headers={"accept-language": "en"}).text
    counts = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", page))
    assert counts == {"Customer": "2", "Order": "1"} and "<th>3</th>" in page
    missing = client.post(f"/admin/users/{leaving}/transfer", data={"csrf_token": token, "to_user": ""})
    assert missing.status_code == 422 and "接收人为必填项" in missing.text
    same = client.post(f"/admin/users/{leaving}/transfer", data={"csrf_token": token, "to_user": str(leaving)})
    assert same.status_code == 422 and "不能是同一个用户" in same.text
    done = client.post(f"/admin/users/{leaving}/transfer", data={"csrf_token": token, "to_user": str(taking),
                                                                  "disable": "1"}, headers={"accept-language": "en"})
    assert done.status_code == 200 and "Handed 3 records from Lina to Wang" in done.text and "Lina is disabled" in done.text
    for record_id in customers:
        record = shop.records.get(ADMIN, "customer", record_id)
        assert record.owner_id == taking and record.values["owner"] == taking
        assert shop.records.history(ADMIN, "customer", record_id)[0]["via"] == "transfer"
    assert shop.records.get(ADMIN, "customer", kept).owner_id == 1
    entry = audit(client, actions=("transfer",))[0]
    assert entry["target"] == "lina" and entry["detail"]["records"] == {"customer": 2, "order": 1}
    assert entry["address"] == "testclient"
    assert not can_sign_in(shop, "lina", PASSWORD)
    log = client.get("/admin/audit?action=transfer", headers={"accept-language": "en"}).text
    assert "Lina → Wang; Records: Customer 2, Order 1" in log


def test_the_audit_log_filters_pages_and_exports(shop, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from engine.audit import record_audit

    with write_transaction(shop.engine) as conn:
        for i in range(60):
            record_audit(conn, clock.now - timedelta(days=3), "sign_in_failed", target=f"guest{i}", address="10.0.0.9",
                         detail={"reason": "wrong"})
        record_audit(conn, clock.now, "sign_in_failed", target="=cmd|' /C calc'!A0", detail={"reason": "wrong"})
    token = sign_in(client)
    assert token
    page = client.get("/admin/audit").text
    assert page.index("cmd") < page.index("guest59")  # newest first
    assert "用户名或密码错误" in page and "10.0.0.9" in page and "登录失败" in page
    first = client.get("/admin/audit?action=sign_in_failed&target=guest").text
    assert "guest59" in first and "guest10<" in first and "guest9<" not in first
    older = re.search(r'href="(\?[^"]*before=\d+)"', first).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = client.get("/admin/audit" + older).text
    assert "guest9<" in second and "guest0<" in second and "guest59" not in second
    assert "action=sign_in_failed" in older and "target=guest" in older
    day = (clock.now - timedelta(days=3)).astimezone(shop.tz).date().isoformat()
    dated = client.get(f"/admin/audit?from={day}&to={day}").text
    assert "guest10<" in dated and "cmd" not in dated and "<td>Alice</td>" not in dated
    mine = client.get("/admin/audit?actor=1").text
    assert "<td>Alice</td>" in mine and "guest" not in mine
    bad = client.get("/admin/audit?from=yesterday&action=nonsense", headers={"accept-language": "en"})
    assert bad.status_code == 400 and "Dates are written YYYY-MM-DD" in bad.text and "There is no such action" in bad.text

    export = client.get("/admin/audit.csv?action=sign_in_failed", headers={"accept-language": "en"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith('attachment; filename="audit-')
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ID", "Time (ISO 8601, with UTC offset)", "Action code", "Action"] and len(rows) == 62
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00", row[1]) for row in rows[1:])  # the admin's zone
    assert rows[1][2] == "sign_in_failed" and rows[1][6] == "'=cmd|' /C calc'!A0"  # no formula for Excel to run
    assert rows[-1][6] == "guest0" and rows[-1][5] == "" and rows[-1][8] == "wrong username or password"
    chinese = client.get("/admin/audit.csv?target=guest1", headers={"accept-language": "zh-CN"}).content
    assert "登录失败".encode() in chinese and "用户名或密码错误".encode() in chinese
    chinese_rows = list(csv.reader(io.StringIO(chinese.decode("utf-8-sig"))))
    assert chinese_rows[0][1] == "时间(ISO 8601,含 UTC 偏移)" and chinese_rows[1][1].endswith("+08:00")  # the same
    exported = audit(client, actions=("export",))
    assert len(exported) == 2 and exported[1]["detail"] == {"what": "audit_log", "rows": 61,
                                                            "filter": {"action": "sign_in_failed"}}
    assert exported[0]["actor_id"] == 1 and exported[0]["target"] == "audit_log"
    assert "审计日志; 11 条" in client.get("/admin/audit?action=export").text


def test_admin_posts_without_the_csrf_token_are_refused(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    sign_in(client)
    for path, data in ((f"/admin/users/{bob}/active", {"active": "0"}), (f"/admin/users/{bob}/password", {}),
                       ("/admin/users/new", {"username": "eve", "display_name": "Eve"}),
                       ("/admin/departments", {"name_zh": "X"}),
                       (f"/admin/users/{bob}/transfer", {"to_user": "1"})):
        refused = client.post(path, data=data)
        assert refused.status_code == 403 and "请求无效" in refused.text
        wrong = client.post(path, data={**data, "csrf_token": "forged"})
        assert wrong.status_code == 403
    with read_transaction(shop.engine) as conn:
        assert user_by_id(conn, bob)["active"] is True  # type: ignore[index]
        assert conn.exec_driver_sql("SELECT count(*) FROM departments").scalar() == 0
    assert can_sign_in(shop, "bob", PASSWORD)


def test_unknown_ids_and_bad_input_never_fail(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    assert client.get("/admin/users/999").status_code == 404
    assert client.post("/admin/users/999/active", data={"csrf_token": token, "active": "0"}).status_code == 404
    assert client.get("/admin/departments/999").status_code == 404
    assert client.get("/admin/users/abc").status_code == 404
    weird = client.post("/admin/departments", data={"csrf_token": token, "name_zh": "a\x00b", "parent_id": "12345",
                                                    "head_user_id": "99999999999999999999"})
    assert weird.status_code == 422 and "控制字符" in weird.text and "上级部门没有选项“12345”" in weird.text
    nul = client.get("/admin/audit?target=a%00b")
    assert nul.status_code == 400
    edited = client.post("/admin/users/1", data={"csrf_token": token, "display_name": "x" * 500, "is_admin": "1",
                                                 "other_departments": ["abc", "7"]})
    assert edited.status_code == 422 and "姓名最多 120 个字符" in edited.text and "部门没有选项“7”" in edited.text
