"""/design and /design/apps/{app}: creating an app, its settings, the order of its forms, adding, deleting,
restoring and purging forms — each published at once and audited — for administrators and an app's own
administrators only; bad input is a 4xx that names the problem and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.storage.sync import form_tables_present
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app
from web.i18n import translator
from web.views.audit_text import describe, load_names

HR_APP = "app: hr\nlabel: {zh: 人事, en: People}\nforms: [staff]\n"
HR_STAFF = "form: staff\nlabel: {zh: 员工, en: Staff}\nfields:\n  - {id: name, type: text, label: {zh: 姓名, en: Name}}\n"
ADMIN = Actor(user_id=1, is_admin=True)


@pytest.fixture
def ws(shop):  # type: ignore[no-untyped-def]
    """The shop (app `sales`, whose administrators are clerks) and a second app `hr`; alice is an administrator,
    bob a clerk, carol holds no role."""
    sales = shop.sources()["shop/sales/app.yaml"] + "admins: [clerk]\n"
    shop.publish({"shop/sales/app.yaml": sales, "shop/hr/app.yaml": HR_APP, "shop/hr/forms/staff.yaml": HR_STAFF})
    add_user(shop, "bob", admin=False, roles=("clerk",))
    add_user(shop, "carol", admin=False)
    return shop


@pytest.fixture
def client(ws):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def post(client: TestClient, url: str, token: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def app_of(ws, app_id: str):  # type: ignore[no-untyped-def]
    return next(a for a in ws.definitions.apps if a.id == app_id)


def published(ws) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return list_audit(conn, AuditFilter(actions=("definitions_published",)))


def test_an_administrator_creates_an_app_published_and_audited(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    response = post(client, "/design/apps", token, id="projects", label_zh="项目", label_en="Projects")
    assert response.status_code == 303 and response.headers["location"] == "/design/apps/projects?done=created"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "应用已创建" in page.text and "<h1 class=\"design-title\">" in page.text
    assert app_of(ws, "projects").label == {"zh": "项目", "en": "Projects"}
    assert "projects/app.yaml" in ws.sources()
    entry = published(ws)[0]
    assert entry["actor_id"] == 1 and entry["detail"]["paths"] == ["projects/app.yaml"]
    assert "projects" in entry["detail"]["note"]
    listing = client.get("/design")
    assert "项目" in listing.text and "人事" in listing.text and "销售" in listing.text
    assert post(client, "/design/apps/projects/forms", token, id="task", label_en="Task").status_code == 303
    assert app_of(ws, "projects").forms == ("task",) and ws.definitions.forms["task"].label == {"zh": "Task",
                                                                                                 "en": "Task"}
    assert "projects/forms/task.yaml" in ws.sources()


@pytest.mark.parametrize(("data", "message"), [
    ({"id": "Bad Id", "label_zh": "x"}, "Bad Id"),
    ({"id": "", "label_zh": "x"}, "请填写应用标识"),
    ({"id": "sales", "label_zh": "x"}, "已有标识为「sales」的应用"),
    ({"id": "fine", "label_zh": " ", "label_en": ""}, "请至少填写一种语言的名称"),
])
def test_bad_input_is_a_400_that_names_the_problem(ws, client, data, message) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = ws.sources()
    response = post(client, "/design/apps", token, **data)
    assert response.status_code == 400 and message in response.text
    assert ws.sources() == before


def test_settings_rename_describe_icon_and_colour(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    response = post(client, "/design/apps/sales/settings", token, label_zh="门店", label_en="Store",
                    description_zh="门店的订单", description_en="", icon="store", color="teal",
                    admins_shown="1", admins="clerk")
    assert response.status_code == 303
    app = app_of(ws, "sales")
    assert app.label == {"zh": "门店", "en": "Store"} and app.description == {"zh": "门店的订单"}
    assert (app.icon, app.color, app.admins) == ("store", "teal", ("clerk",))
    page = client.get("/design/apps/sales?done=saved")
    assert "应用设置已发布" in page.text and 'href="/static/vendor/lucide/apps.svg#store"' in page.text
    for bad in ({"color": "pink"}, {"icon": "no-such-icon"}):
        refused = post(client, "/design/apps/sales/settings", token, label_zh="门店", **bad)
        assert refused.status_code == 400
    assert app_of(ws, "sales").color == "teal"


def test_the_order_of_forms_by_drag_and_by_buttons(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    dragged = ["product", "customer", "order", "payment"]
    assert post(client, "/design/apps/sales/order", token, forms=dragged).status_code == 303
    assert app_of(ws, "sales").forms == tuple(dragged)
    assert post(client, "/design/apps/sales/order", token, forms=dragged, move="payment:up").status_code == 303
    assert app_of(ws, "sales").forms == ("product", "customer", "payment", "order")
    stale = post(client, "/design/apps/sales/order", token, forms=["product", "customer"])
    assert stale.status_code == 400 and "刷新页面" in stale.text
    assert app_of(ws, "sales").forms == ("product", "customer", "payment", "order")


def test_add_delete_restore_and_purge_a_form(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    assert post(client, "/design/apps/sales/forms", token, id="visit", label_zh="拜访", label_en="Visit"
                ).status_code == 303
    assert app_of(ws, "sales").forms[-1] == "visit" and "shop/sales/forms/visit.yaml" in ws.sources()
    ws.records.create(ADMIN, "visit", {}, via="web")
    assert post(client, "/design/apps/sales/forms", token, id="visit", label_zh="x").status_code == 400

    assert post(client, "/design/apps/sales/forms/visit/delete", token).status_code == 303
    assert "visit" not in ws.definitions.forms and "visit" not in app_of(ws, "sales").forms
    page = client.get("/design/apps/sales")
    assert "已删除的表单" in page.text and "数据已保留" in page.text
    with read_transaction(ws.engine) as conn:
        assert form_tables_present(conn, "f_sales_visit") == ["f_sales_visit"]

    assert post(client, "/design/apps/sales/removed/visit/restore", token).status_code == 303
    assert app_of(ws, "sales").forms[-1] == "visit"
    assert len(ws.records.list(ADMIN, "visit").records) == 1

    post(client, "/design/apps/sales/forms/visit/delete", token)
    wrong = post(client, "/design/apps/sales/removed/visit/purge", token, confirm="vis")
    assert wrong.status_code == 400 and "visit" in wrong.text
    assert post(client, "/design/apps/sales/removed/visit/purge", token, confirm="visit").status_code == 303
    with read_transaction(ws.engine) as conn:
        assert form_tables_present(conn, "f_sales_visit") == []
        purged = list_audit(conn, AuditFilter(actions=("form_purged",)))
    assert purged[0]["detail"] == {"form": "visit", "tables": ["f_sales_visit"]}
    assert "数据已清除" in client.get("/design/apps/sales").text


def test_a_form_others_depend_on_is_not_deleted(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = ws.sources()
    response = post(client, "/design/apps/sales/forms/customer/delete", token)
    assert response.status_code == 409 and "未发布" in response.text and "customer" in response.text
    assert ws.sources() == before and "customer" in ws.definitions.forms


def test_an_app_administrator_designs_their_app_only(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "bob")
    listing = client.get("/design")
    assert listing.status_code == 200 and "销售" in listing.text and "人事" not in listing.text
    assert "新建应用" not in listing.text
    assert client.get("/design/apps/sales").status_code == 200
    assert client.get("/design/apps/hr").status_code == 403
    assert post(client, "/design/apps/hr/settings", token, label_zh="x").status_code == 403
    assert post(client, "/design/apps", token, id="mine", label_zh="x").status_code == 403
    assert post(client, "/design/apps/sales/settings", token, label_zh="门店", admins_shown="1").status_code == 303
    assert app_of(ws, "sales").admins == ("clerk",)  # only administrators name app administrators
    post(client, "/design/apps/sales/forms", token, id="visit", label_zh="拜访")
    post(client, "/design/apps/sales/forms/visit/delete", token)
    assert post(client, "/design/apps/sales/removed/visit/purge", token, confirm="visit").status_code == 403
    assert "/removed/visit/purge" not in client.get("/design/apps/sales").text


def test_the_header_links_to_the_designer_for_those_who_may_design(ws, client) -> None:  # type: ignore[no-untyped-def]
    link = 'href="/design"'
    sign_in(client, "bob")  # an app administrator
    assert link in client.get("/settings").text
    client.cookies.clear()
    sign_in(client, "carol")  # neither an administrator nor an app administrator
    assert link not in client.get("/settings").text
    client.cookies.clear()
    sign_in(client)
    assert link in client.get("/settings").text


def test_non_designers_get_403_and_signed_out_users_the_login(ws, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/design/apps/sales", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    sign_in(client, "carol")
    refused = client.get("/design")
    assert refused.status_code == 403 and "你没有设计权限" in refused.text
    assert client.get("/design/apps/sales").status_code == 403
    assert client.get("/design/history?path=shop/sales/app.yaml").status_code == 403


def test_unknown_apps_and_forms_are_404(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    assert client.get("/design/apps/nope").status_code == 404
    assert post(client, "/design/apps/sales/forms/staff/delete", token).status_code == 404  # hr's form
    assert post(client, "/design/apps/sales/removed/nope/restore", token).status_code == 404


def test_a_forged_post_without_the_csrf_token_is_refused(ws, client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    before = ws.sources()
    response = client.post("/design/apps/sales/settings", data={"label_zh": "forged"}, follow_redirects=False)
    assert response.status_code == 403 and ws.sources() == before


def test_publishes_read_in_the_audit_log(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    post(client, "/design/apps/sales/order", token, forms=["product", "customer", "order", "payment"])
    entries = published(ws)
    with read_transaction(ws.engine) as conn:
        names = load_names(conn, entries, "en", translator("en"), ws.definitions)
    line = describe(entries[0], names)
    assert line == "Documents: shop/sales/app.yaml; Note: 设计器:调整应用 sales 的表单顺序"
    audit_page = client.get("/admin/audit")
    assert re.search(r"发布定义", audit_page.text) and "shop/sales/app.yaml" in audit_page.text


def test_deleting_a_form_takes_the_roles_permissions_on_it(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    post(client, "/design/apps/sales/forms", token, id="visit", label_zh="拜访")
    roles = ws.sources()["shop/roles.yaml"].replace(
        "      customer: {operations: [read]", "      visit: {operations: [read], scope: all}\n"
        "      customer: {operations: [read]", 1)
    ws.publish({"shop/roles.yaml": roles})
    assert "visit" in ws.definitions.roles[0].permissions
    assert post(client, "/design/apps/sales/forms/visit/delete", token).status_code == 303
    assert "visit" not in ws.definitions.roles[0].permissions and "visit" not in ws.sources()["shop/roles.yaml"]
    assert "customer: {operations: [read], scope: all, fields: {email: hidden}}" in ws.sources()["shop/roles.yaml"]
    assert "shop/roles.yaml" in published(ws)[0]["detail"]["paths"]


def test_the_form_wrapper_lets_an_app_administrator_design_their_forms_only(ws) -> None:  # type: ignore[no-untyped-def]
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from web.views.designer.access import can_design, design_form_view, designable_apps

    def probe(request, app, form):  # type: ignore[no-untyped-def]
        return PlainTextResponse(f"{app.id}/{form.id}")

    site = create_app(ws)
    site.router.routes.insert(0, Route("/design/forms/{form}/probe", design_form_view(probe)))
    with TestClient(site, base_url="http://testserver") as c:
        sign_in(c, "bob")
        assert c.get("/design/forms/order/probe").text == "sales/order"
        assert c.get("/design/forms/staff/probe").status_code == 403
        assert c.get("/design/forms/nope/probe").status_code == 404
    bob = {"id": 2, "is_admin": False, "roles": ["clerk"]}
    assert can_design(bob, ws, "sales") and not can_design(bob, ws, "hr") and not can_design(None, ws, "sales")
    assert [a.id for a in designable_apps(bob, ws)] == ["sales"]


def test_a_blank_form_has_a_layout_and_the_apps_list_counts_one_form(ws, client) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    post(client, "/design/apps", token, id="projects", label_zh="项目", label_en="Projects")
    assert post(client, "/design/apps/projects/forms", token, id="task", label_en="Task").status_code == 303
    assert ws.definitions.forms["task"].layout == (("name",),)
    assert "layout:\n  - [name]\n" in ws.sources()["projects/forms/task.yaml"]
    en = client.get("/design", headers={"accept-language": "en"}).text
    assert "1 form<" in en and "1 forms" not in en
    assert "1 个表单" in client.get("/design", headers={"accept-language": "zh-CN"}).text
