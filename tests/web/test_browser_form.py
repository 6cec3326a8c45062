"""Real Chromium fills generated forms: type-ahead relations, subform rows, uploads, signature, rating, rich text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_widgets import png_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    alice = Actor(user_id=1, is_admin=True)
    for name in ("华联电子", "华为", "联想"):
        ws.records.create(alice, "customer", {"name": name})
    for name in ("服务器", "打印机"):
        ws.records.create(alice, "product", {"name": name})
    with live_server(ws) as url:
        yield url
    ws.close()


def test_order_with_a_row_a_type_ahead_relation_and_an_upload(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/order/new")
    customer = page.locator("#customer")
    customer.click()
    customer.press_sequentially("华联")
    option = page.locator("#customer-options [role=option]")
    expect(option).to_have_text(["华联电子"])  # the search after typing stopped, not everything
    customer.press("ArrowDown")
    customer.press("Enter")  # keyboard choice; Enter must not submit the form
    assert customer.input_value() == "华联电子" and "/new" in page.url
    assert page.locator("input[name=customer]").input_value().isdigit()

    product = page.locator("[id='items[0].product']")
    product.fill("服务")
    page.locator("[id='items[0].product-options'] [role=option]", has_text="服务器").click()
    page.fill("[name='items[0].quantity']", "2")
    page.fill("[name='items[0].price']", "100")
    page.locator("[data-add-row]").click()  # a row added in the page gets a working picker too
    page.locator("[id='items[1].product']").fill("打印")
    page.locator("[id='items[1].product-options'] [role=option]", has_text="打印机").click()

    page.set_input_files("#contract", files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.locator(".file-item a", has_text="合同.pdf").wait_for()
    page.set_input_files("#contract", files=[{"name": "evil.pdf", "mimeType": "application/pdf",
                                              "buffer": b"MZ\x90\x00 not a pdf"}])
    expect(page.locator("[data-upload-error]")).to_contain_text("不支持此文件类型")
    page.set_input_files("#contract", files=[{"name": "draft.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.locator(".file-item", has_text="draft.pdf").locator("[data-file-remove]").click()  # removed before saving
    expect(page.locator(".file-item")).to_have_count(1)

    page.locator("button[type=submit]", has_text="保存").click()
    page.wait_for_url(lambda url: "/new" not in url)
    record = page.locator(".record").inner_text()
    assert "华联电子" in record and "服务器" in record and "打印机" in record
    assert "合同.pdf" in record and "draft.pdf" not in record
    link = page.locator(".record a", has_text="合同.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "合同.pdf"
    assert [e for e in errors if "evil.pdf" not in e and "415" not in e] == []


def test_customer_with_photo_signature_rating_and_rich_text(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer/new")
    page.fill("#name", "Acme")
    page.set_input_files("#photo", files=[{"name": "face.png", "mimeType": "image/png", "buffer": png_bytes(8, 8)}])
    page.locator(".file-item img.thumb").wait_for()

    page.locator("#signature").scroll_into_view_if_needed()
    box = page.locator("#signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 20 + (step % 3) * 15)
    page.mouse.up()
    assert page.locator("[name='signature.png']").input_value().startswith("data:image/png;base64,")

    page.locator("label[for='rating-star-4']").click()
    page.locator("#rating-star-4").press("ArrowRight")  # keyboard moves the choice to 5 stars
    assert page.locator("#rating-star-5").is_checked()

    editor = page.locator("[data-rich-editor]")
    editor.click()
    page.locator("[data-rich-toolbar] [data-cmd=bold]").click()
    page.keyboard.type("Important")
    assert "<b>Important</b>" in page.locator("textarea[name=profile]").input_value()

    page.locator("button[type=submit]", has_text="Save").click()
    page.wait_for_url(lambda url: "/new" not in url)
    assert page.locator(".record .stars").inner_text() == "★★★★★"
    assert page.locator(".record .rich-value b").inner_text() == "Important"
    assert page.locator(".record img.signature-image").evaluate("img => img.naturalWidth") == 600
    assert page.locator(".record img.thumb").evaluate("img => img.naturalWidth") == 8
    assert errors == []
