"""The page shell: the apps sidebar (what the user may open, where they are, the app's icon and colour), the header's
buttons and user menu, the language switch that keeps the page, and the search across forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.errors import QueryInvalid
from engine.records.global_search import search_forms
from engine.records.model import Actor
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
APP = "app: sales\nlabel: {zh: 销售, en: Sales}\nicon: shopping-cart\ncolor: green\nforms: [customer, product, order, payment]\n"


@pytest.fixture
def site(shop) -> Any:  # type: ignore[no-untyped-def]
    add_user(shop, "carol", admin=False, roles=("clerk",))
    shop.records.create(ALICE, "customer", {"name": "华联电子", "email": "buyer@hualian.cn"})
    shop.records.create(ALICE, "customer", {"name": "联想集团"})
    for i in range(7):
        shop.records.create(ALICE, "product", {"name": f"华联打印机 {i}"})
    return shop


@pytest.fixture
def client(site):  # type: ignore[no-untyped-def]
    with TestClient(create_app(site), base_url="http://testserver") as c:
        yield c


def links(html: str) -> list[str]:
    return re.findall(r'<li><a href="([^"]+)"', html)


def test_the_search_finds_records_in_every_form_a_few_each(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/search", params={"q": "华联"})
    assert page.status_code == 200
    assert "在 2 个表单中找到记录" in page.text
    hits = links(page.text.split('class="search-results"')[1])
    assert len([h for h in hits if "/apps/sales/product/" in h]) == 5  # a few per form…
    assert "在“产品”中查看全部结果" in page.text  # …and the way to the rest: the list, searched
    assert 'href="/apps/sales/product?q=%E5%8D%8E%E8%81%94"' in page.text
    assert ">华联电子</a>" in page.text and "联想集团" not in page.text


def test_the_search_follows_read_rights_and_hidden_fields(client: TestClient) -> None:
    sign_in(client, "carol")  # a clerk: reads customers (their e-mail hidden), never products
    page = client.get("/search", params={"q": "华联"})
    assert ">华联电子</a>" in page.text and "/apps/sales/product" not in page.text
    assert "没有找到包含“hualian.cn”的记录" in client.get("/search", params={"q": "hualian.cn"}).text
    sign_in(client)
    assert ">华联电子</a>" in client.get("/search", params={"q": "hualian.cn"}).text  # the admin sees the e-mail


def test_an_empty_too_long_or_anonymous_search(client: TestClient) -> None:
    assert client.get("/search", params={"q": "华联"}, follow_redirects=False).status_code in (302, 303)
    sign_in(client)
    assert "在你能查看的所有表单中查找记录" in client.get("/search").text
    long = client.get("/search", params={"q": "华" * 300})
    assert long.status_code == 400 and "搜索词无法使用" in long.text
    english = client.get("/search", params={"q": "zzz"}, headers={"accept-language": "en"})
    assert "No record contains “zzz”." in english.text


def test_search_forms_skips_what_cannot_be_read(site) -> None:  # type: ignore[no-untyped-def]
    clerk = Actor(user_id=2, roles=("clerk",))
    found = search_forms(site.records, clerk, ["customer", "product", "nope", "customer"], "华联")
    assert [(f.form, [r.values["name"] for r in f.records], f.more) for f in found] == [
        ("customer", ["华联电子"], False)]
    assert search_forms(site.records, clerk, ["customer"], "   ") == []
    with pytest.raises(QueryInvalid):
        search_forms(site.records, clerk, ["customer"], "华" * 300)


def test_the_sidebar_shows_the_apps_forms_a_user_may_open(client: TestClient, site) -> None:  # type: ignore[no-untyped-def]
    path = next(p for p in site.sources() if p.endswith("app.yaml"))
    site.publish({path: APP})
    sign_in(client, "carol")
    page = client.get("/apps/sales/customer")
    side = page.text.split('<aside class="side"')[1].split("</aside>")[0]
    assert 'app-color-green' in side and '#shopping-cart"' in side
    assert '<details class="app-nav app-color-green" open>' in side  # the app of the page is open
    assert '<a href="/apps/sales/customer" aria-current="page">客户</a>' in side
    assert "/apps/sales/product" not in side and "/apps/sales/order" in side  # only what the clerk may read
    assert "/admin/users" not in page.text and "退出登录" in page.text


def test_the_language_switch_keeps_the_page_and_its_query(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apps/sales/customer", params={"q": "华联", "sort": "name"})
    switch = re.search(r'href="(/lang/en\?next=[^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    back = client.get(switch.replace("&amp;", "&"), follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/apps/sales/customer?q=%E5%8D%8E%E8%81%94&sort=name"
    assert "Search records" in client.get(back.headers["location"]).text
