"""The gallery view of a form with an image field: a card per record with its first picture, title and a few fields,
under the reader's scope and the list's filters, paged, linked from the "View" menu; in Chinese and English, on
SQLite and PostgreSQL (the `shop` fixture: customers have a `photo` image field)."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from engine.files.sniff import PNG
from engine.records.model import Actor
from tests.conftest import add_user
from tests.web.test_attacks import PNG as PNG_BYTES
from tests.web.test_web import sign_in
from web.app import create_app
from web.views.file_access import file_store

ALICE = Actor(user_id=1, is_admin=True)
GALLERY = "/apps/sales/customer/gallery?by=photo"
ZH, EN = {"accept-language": "zh-CN"}, {"accept-language": "en-US"}
ROLES = """roles:
  - id: rep
    label: {zh: 销售, en: Sales rep}
    permissions:
      customer: {operations: [read], scope: own}
"""


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    """Three customers with a photo (华联 and 东方 owned by the rep) and one without."""
    shop.publish({"shop/roles.yaml": ROLES})
    rep = add_user(shop, "rep", admin=False, roles=("rep",))
    picture = file_store(shop).save(PNG_BYTES, "huali.png", PNG, 1).ref()
    for name, grade, owner, photo in (("华联电子", "A", rep, [picture]), ("东方物流", "B", rep, []),
                                      ("西湖旅游", "A", 1, [picture])):
        shop.records.create(ALICE, "customer", {"name": name, "grade": grade, "owner": owner, "photo": photo})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        c.picture = picture  # type: ignore[attr-defined]
        yield c


def cards(html: str) -> dict[str, str]:
    """Card title → the card's markup."""
    found = re.findall(r'<li class="gallery-card">(.*?)</li>\s*(?=<li class="gallery-card">|</ul>)', html, re.S)
    return {re.search(r'class="gallery-title"[^>]*>([^<]+)<', c).group(1): c for c in found}  # type: ignore[union-attr]


def test_each_record_is_a_card_with_its_first_picture_title_and_fields(client: TestClient) -> None:
    sign_in(client)
    page = client.get(GALLERY, headers=ZH)
    assert page.status_code == 200
    shown = cards(page.text)
    assert set(shown) == {"华联电子", "东方物流", "西湖旅游"}
    assert f'<img src="/files/{client.picture["id"]}/thumb/320"' in shown["华联电子"]  # type: ignore[attr-defined]
    assert "<img" not in shown["东方物流"] and "无图片" in shown["东方物流"]
    assert "<dt>等级</dt><dd>A</dd>" in shown["华联电子"]
    assert len(re.findall("<dt>", shown["华联电子"])) <= 3
    assert 'href="/apps/sales/customer/' in shown["西湖旅游"]
    menu = re.search(r'<details class="menu view-menu">.*?</details>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert '>画廊 · 照片</a>' in menu and 'aria-current="page">画廊 · 照片' in menu
    assert '>表格</a>' in menu and ">看板 · 等级</a>" in menu


def test_the_list_filters_and_the_search_narrow_the_gallery(client: TestClient) -> None:
    sign_in(client)
    assert set(cards(client.get(GALLERY + "&f=grade:eq:A", headers=ZH).text)) == {"华联电子", "西湖旅游"}
    assert set(cards(client.get(GALLERY + "&q=东方", headers=ZH).text)) == {"东方物流"}
    listing = client.get("/apps/sales/customer?f=grade:eq:A", headers=ZH).text
    assert 'href="/apps/sales/customer/gallery?by=photo&amp;f=grade:eq:A"' in listing  # the menu keeps the filter


def test_a_scoped_reader_sees_only_their_records(client: TestClient) -> None:
    sign_in(client, "rep")
    page = client.get(GALLERY, headers=ZH)
    assert page.status_code == 200 and set(cards(page.text)) == {"华联电子", "东方物流"}
    assert "西湖旅游" not in page.text


def test_the_empty_gallery_and_an_empty_search_say_so(client: TestClient) -> None:
    sign_in(client)
    none = client.get(GALLERY + "&q=nobody", headers=ZH)
    assert none.status_code == 200 and not cards(none.text) and "清除筛选" in none.text
    for record in client.ws.records.list(ALICE, "customer").records:  # type: ignore[attr-defined]
        client.ws.records.delete(ALICE, "customer", record.id)  # type: ignore[attr-defined]
    empty = client.get(GALLERY, headers=EN)
    assert empty.status_code == 200 and not cards(empty.text) and '<p class="empty">' in empty.text


def test_a_form_without_an_image_field_or_a_wrong_field_is_not_found(client: TestClient) -> None:
    sign_in(client)
    assert client.get("/apps/sales/order/gallery", headers=ZH).status_code == 404
    assert client.get("/apps/sales/customer/gallery?by=grade", headers=ZH).status_code == 404
    assert client.get("/apps/sales/customer/gallery?by=nothing", headers=ZH).status_code == 404
    assert client.get("/apps/sales/customer/gallery", headers=ZH).status_code == 200  # the first image field
    assert client.get(GALLERY + "&f=grade:zz:1", headers=ZH).status_code == 400
    assert "gallery" not in client.get("/apps/sales/order", headers=ZH).text


def test_the_gallery_in_english_and_paged(client: TestClient) -> None:
    client.ws.records.create_many(ALICE, "customer", [{"name": f"C{i:02d}"} for i in range(25)])  # type: ignore[attr-defined]
    sign_in(client)
    first = client.get(GALLERY + "&sort=name&dir=asc", headers=EN)
    assert first.status_code == 200 and len(cards(first.text)) == 20
    assert "Gallery · Photo" in first.text and "No picture" in first.text and "<dt>Grade</dt>" in first.text
    following = re.search(r'<a href="([^"]+)"[^>]*rel="next"', first.text).group(1)  # type: ignore[union-attr]
    assert following.startswith("/apps/sales/customer/gallery?") and "by=photo" in following
    assert "page=2" in following and "sort=name" in following
    second = client.get(GALLERY + "&sort=name&dir=asc&page=2", headers=EN)
    assert len(cards(second.text)) == 8
