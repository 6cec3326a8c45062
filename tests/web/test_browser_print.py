"""Real Chromium: the record page's print buttons and the print page at desktop and phone width — the print
template's own styles apply (its page allows them), the Print button opens the print dialog, no script error or
CSP refusal; screenshots kept in the test's folder for a look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.definitions.loader import read_directory
from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_printing import TEMPLATES

PRINT_COUNTER = "window.print = () => { window.printed = (window.printed || 0) + 1; };"


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    sources = {f"shop/{k}": v for k, v in read_directory(FIXTURES / "shop").items()}
    sources["shop/sales/forms/order.yaml"] += TEMPLATES
    ws.publish(sources)
    add_user(ws, "alice")
    actor = Actor(user_id=1, is_admin=True)
    ws.records.create(actor, "customer", {"name": "华联电子有限责任公司", "grade": "A"})
    ws.records.create(actor, "product", {"name": "螺丝刀", "price": "5"})
    ws.records.create(actor, "order", {"customer": 1, "items": [{"product": 1, "quantity": 2, "price": "5"}]})
    with live_server(ws) as url:
        yield url
    ws.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_print_buttons_and_the_print_page_at_each_width(chromium: Any, site: str, width: int,  # noqa: F811
                                                        tmp_path: Path) -> None:
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors, width=width)
    sign_in(page)
    page.goto("/apps/sales/order/1")
    choice = page.locator("form.print-choice")
    expect(choice.locator("select[name=template]")).to_be_visible()
    expect(choice.get_by_role("button", name="打印")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"record-{width}.png"))
    page.goto("/apps/sales/order")
    expect(page.get_by_role("button", name="选中记录 PDF")).to_be_hidden()  # the batch bar waits for a ticked row
    page.locator("input[name=_ids]").first.check()
    expect(page.get_by_role("button", name="选中记录 PDF")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"list-{width}.png"))

    page.context.add_init_script(PRINT_COUNTER)
    page.goto("/apps/sales/order/1/print?template=slip")
    heading = page.locator("h1.slip")
    expect(heading).to_contain_text("发货单 SO-")
    assert heading.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"  # the template's own style
    page.get_by_role("button", name="打印").click()
    page.wait_for_function("() => window.printed === 1")
    page.screenshot(path=str(tmp_path / f"print-slip-{width}.png"), full_page=True)

    page.goto("/apps/sales/order/1/print?autoprint=1")
    page.wait_for_function("() => window.printed === 1")  # opened from the record page: the dialog opens itself
    sheet = page.locator("article.sheet")
    expect(sheet).to_contain_text("华联电子有限责任公司")
    box = sheet.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width  # the sheet fits the screen
    page.screenshot(path=str(tmp_path / f"print-default-{width}.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_the_designers_template_editor_previews_in_a_new_tab(chromium: Any, site: str, width: int,  # noqa: F811
                                                             tmp_path: Path) -> None:
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors, width=width)
    sign_in(page)
    page.goto("/design/forms/order")
    page.get_by_role("link", name="打印模板").click()
    page.get_by_role("link", name="发货单").click()
    html = page.locator("#pt-html")
    expect(html).to_have_value(TEMPLATES.split("html: |\n")[1].split("  - id: broken")[0].replace("      ", ""))
    html.fill('<h1 class="slip">预览 {{ fields.customer }}</h1>')
    page.screenshot(path=str(tmp_path / f"editor-{width}.png"), full_page=True)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="在新窗口预览").click()
    preview = opened.value
    expect(preview.locator("h1.slip")).to_have_text("预览 华联电子有限责任公司")
    preview.screenshot(path=str(tmp_path / f"editor-preview-{width}.png"))
    assert errors == []
