"""Printing records on the web: the print page and the PDF of a record, in the default layout or a print template,
the PDF of ticked records, the buttons; refusals (no read access, unknown or failing template) are pages, not
errors; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.definitions.loader import read_directory
from engine.records.model import Actor
from engine.storage.system import audit_log
from tests.conftest import FIXTURES, add_user
from tests.web.exports.pdfs import page_count, pdf_text
from tests.web.test_web import sign_in
from web.app import create_app
from web.views.printing.routes import MAX_PRINT

ADMIN = Actor(user_id=1, is_admin=True)
ORDERS = "/apps/sales/order"
TEMPLATES = """print_templates:
  - id: slip
    label: {zh: 发货单, en: Packing slip}
    html: |
      <style>.slip { color: #b91c1c; }</style>
      <h1 class="slip">发货单 {{ serial }}</h1>
      <p>客户:{{ fields.customer }}</p>
      {% for r in rows['items'] %}<p>{{ r.product }} × {{ r.quantity }} = {{ r.subtotal }}</p>{% endfor %}
      <p>大写:{{ values.total|rmb_upper }}</p>
  - id: broken
    label: {zh: 坏模板, en: Broken}
    html: "{{ fields.customer.__class__.__mro__ }}"
"""
CARD = """print_templates:
  - id: card
    label: {zh: 名片, en: Card}
    html: "<p>{{ fields.name }}|{{ fields.email }}|{{ values.email }}|{{ labels.email }}|{{ labels.name }}</p>"
"""


@pytest.fixture
def client(shop) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    sources = {f"shop/{k}": v for k, v in read_directory(FIXTURES / "shop").items()}
    sources["shop/sales/forms/order.yaml"] += TEMPLATES
    sources["shop/sales/forms/customer.yaml"] += CARD
    shop.publish(sources)
    shop.records.create(ADMIN, "customer", {"name": "华联电子", "email": "boss@hl.cn"})
    shop.records.create(ADMIN, "product", {"name": "螺丝刀", "price": "5"})
    for quantity in (2, 3):
        shop.records.create(ADMIN, "order", {"customer": 1, "items": [{"product": 1, "quantity": quantity,
                                                                        "price": "5"}]})
    add_user(shop, "carl", admin=False, roles=("clerk",))
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def test_the_record_page_offers_print_and_pdf_with_the_template_choice(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"{ORDERS}/1").text
    assert f'action="{ORDERS}/1/print"' in page and f'formaction="{ORDERS}/1/print.pdf"' in page
    assert '<option value="slip">发货单</option>' in page and '<option value="default">默认版式</option>' in page
    product = client.get("/apps/sales/product/1").text  # no templates: two plain links
    assert 'href="/apps/sales/product/1/print?autoprint=1"' in product
    assert 'href="/apps/sales/product/1/print.pdf"' in product


def test_the_default_print_page_shows_the_fields_rows_serial_and_qr(client: TestClient) -> None:
    sign_in(client)
    response = client.get(f"{ORDERS}/1/print")
    assert response.status_code == 200
    html = response.text
    assert "订单" in html and re.search(r"编号:SO-\d{6}-0001", html)
    assert "华联电子" in html and "螺丝刀" in html and "¥10.00" in html
    assert "取消原因" not in html  # hidden by the show rule while the order is not cancelled
    assert '<svg' in html and 'class="qr"' in html and '/static/js/print.js' in html
    assert "<script>" not in html
    policy = response.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy
    assert response.headers.get_list("content-security-policy") == [policy]


def test_a_template_prints_in_the_sandbox_and_its_pdf_has_the_text(client: TestClient) -> None:
    sign_in(client)
    html = client.get(f"{ORDERS}/1/print", params={"template": "slip"}).text
    assert "发货单 SO-" in html and "螺丝刀 × 2 = ¥10.00" in html and "大写:壹拾元整" in html
    assert '<style>.slip { color: #b91c1c; }</style>' in html
    response = client.get(f"{ORDERS}/2/print.pdf", params={"template": "slip"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    words = pdf_text(response.content)
    assert "螺丝刀 × 3 = ¥15.00" in words and "大写:壹拾伍元整" in words


def test_hidden_fields_are_not_printed_and_a_record_out_of_scope_is_not_found(client: TestClient) -> None:
    sign_in(client, "carl")
    customer = client.get("/apps/sales/customer/1/print")
    assert customer.status_code == 200 and "华联电子" in customer.text
    assert "boss@hl.cn" not in customer.text and "邮箱" not in customer.text
    assert "boss@hl.cn" not in pdf_text(client.get("/apps/sales/customer/1/print.pdf").content)
    card = client.get("/apps/sales/customer/1/print", params={"template": "card"}).text
    assert "<p>华联电子||||名称</p>" in card  # a template naming the hidden field gets nothing for it
    for url in (f"{ORDERS}/1/print", f"{ORDERS}/1/print.pdf", f"{ORDERS}/1/print?template=slip",
                f"{ORDERS}/999/print", f"{ORDERS}/abc/print.pdf", "/apps/sales/nothing/1/print",
                "/apps/other/order/1/print"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "华联电子" not in response.text


def test_unknown_and_failing_templates_say_why(client: TestClient) -> None:
    sign_in(client)
    unknown = client.get(f"{ORDERS}/1/print.pdf", params={"template": "nope"})
    assert unknown.status_code == 404 and "没有名为“nope”的打印模板" in unknown.text
    broken = client.get(f"{ORDERS}/1/print", params={"template": "broken"})
    assert broken.status_code == 422
    assert "打印模板“坏模板”无法生成" in broken.text and "请管理员在表单定义中修改它" in broken.text


def test_ticked_records_make_one_pdf_a_page_each(client: TestClient) -> None:
    token = sign_in(client)
    response = client.post(f"{ORDERS}/print.pdf", data={"csrf_token": token, "_ids": ["1:1", "2:1"],
                                                         "template": "slip"})
    assert response.status_code == 200, response.text
    words = pdf_text(response.content)
    assert page_count(response.content) == 2
    ws = client.ws  # type: ignore[attr-defined]
    with ws.reading() as conn:
        entry = conn.execute(sa.select(audit_log).order_by(audit_log.c.id.desc())).mappings().first()
    assert entry["action"] == "export" and entry["target"] == "order"
    assert entry["detail"] == {"format": "pdf", "rows": 2, "template": "slip"}
    assert words.index("螺丝刀 × 2") < words.index("螺丝刀 × 3")
    default = client.post(f"{ORDERS}/print.pdf", data={"csrf_token": token, "_ids": ["2:1"]})
    assert "螺丝刀" in pdf_text(default.content) and page_count(default.content) == 1


@pytest.mark.parametrize("ids, message", [([], "请先勾选要生成 PDF 的记录。"),
                                          ([f"{i}:1" for i in range(1, MAX_PRINT + 2)], f"一次最多生成 {MAX_PRINT} 条")])
def test_none_or_too_many_ticked_go_back_to_the_list_with_why(client: TestClient, ids: list[str],
                                                               message: str) -> None:
    token = sign_in(client)
    response = client.post(f"{ORDERS}/print.pdf", data={"csrf_token": token, "_ids": ids})
    assert response.status_code == 200 and response.url.path == ORDERS
    assert message in response.text


def test_the_list_offers_a_pdf_of_the_ticked_records(client: TestClient) -> None:
    sign_in(client)
    page = client.get(ORDERS).text
    assert f'formaction="{ORDERS}/print.pdf"' in page and "选中记录 PDF" in page


def test_printing_out_of_scope_records_in_a_batch_is_not_found(client: TestClient) -> None:
    token = sign_in(client, "carl")
    response = client.post(f"{ORDERS}/print.pdf", data={"csrf_token": token, "_ids": ["1:1"]})
    assert response.status_code == 404 and "华联电子" not in response.text


