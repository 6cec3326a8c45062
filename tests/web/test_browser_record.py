"""Real Chromium: live formulas and errors while typing, subform rows, the address cascade, edit conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_record_page import ADDRESS_APP


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    ws.publish(ADDRESS_APP)
    add_user(ws, "alice")
    add_user(ws, "bob")
    actor = Actor(user_id=1, is_admin=True)
    customer = ws.records.create(actor, "customer", {"name": "华联电子", "grade": "A"})
    ws.records.create(actor, "product", {"name": "Widget", "price": "5"})
    ws.records.create(actor, "order", {"customer": customer.id, "items": [{"product": 1, "quantity": 2, "price": "5"}]})
    with live_server(ws) as url:
        yield url
    ws.close()


def _cell(page: Any, path: str) -> Any:
    return page.locator(f'[data-path="{path}"]')


def test_typing_a_quantity_updates_subtotal_and_total_live(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/order/1/edit")
    assert page.locator("#calc-total").inner_text() == "¥10.00"
    page.fill('input[name="items[0].quantity"]', "7")
    expect(page.locator("#calc-total")).to_have_text("¥35.00")
    assert page.locator("#calc-items-0-subtotal").inner_text() == "¥35.00"
    page.click("[data-add-row]")
    assert page.locator('input[name="items.rows"]').input_value() == "2"
    product = _cell(page, "items[1].product")
    product.locator(".picker-input").fill("Wid")
    product.locator("li[role=option]").first.click()
    page.fill('input[name="items[1].quantity"]', "1")
    page.fill('input[name="items[1].price"]', "100")
    expect(page.locator("#calc-total")).to_have_text("¥135.00")
    page.locator("tr[data-row]").nth(1).locator("[data-move='-1']").click()
    assert page.locator('input[name="items[0].price"]').input_value() == "100"
    assert page.locator("tbody .row-no").nth(0).inner_text() == "1"
    page.locator("tr[data-row]").nth(1).locator("[data-remove-row]").click()
    expect(page.locator("#calc-total")).to_have_text("¥100.00")
    page.click("button[type=submit]:text('保存')")
    page.wait_for_url("**/apps/sales/order/1")
    assert "100.00" in page.locator(".record").inner_text()
    assert errors == []


def test_rules_and_errors_appear_at_the_field_while_typing(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/apps/sales/order/1/edit")
    reason = page.locator('[data-field="cancel_reason"]')
    assert reason.is_hidden()
    page.select_option('select[name="status"]', "cancelled")
    reason.wait_for(state="visible")
    assert page.locator("#state-cancel_reason").get_attribute("data-required") == "1"
    page.fill('input[name="items[0].quantity"]', "0")
    message = _cell(page, "items[0].quantity").locator(".field-errors .error")
    message.wait_for()
    assert "Quantity must be at least 1" in message.inner_text()
    assert _cell(page, "customer").locator(".field-errors .error").count() == 0
    page.select_option('select[name="status"]', "new")
    reason.wait_for(state="hidden")
    assert errors == []


def test_address_cascade_in_the_browser(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/places/site/new")
    page.fill('input[name="name"]', "总部")
    page.select_option('select[name="where.province"]', "广东省")
    page.locator('select[name="where.city"] option[value="深圳市"]').wait_for(state="attached")
    page.select_option('select[name="where.city"]', "深圳市")
    page.locator('select[name="where.district"] option[value="南山区"]').wait_for(state="attached")
    page.select_option('select[name="where.district"]', "南山区")
    page.fill('input[name="where.detail"]', "科技园 8 栋")
    page.click("button[type=submit]:text('保存')")
    page.wait_for_url("**/apps/places/site/*")
    assert "广东省深圳市南山区科技园 8 栋" in page.locator(".record").inner_text()
    assert errors == []


def test_edit_conflict_between_two_browsers(chromium: Any, site: str) -> None:  # noqa: F811
    alice = new_page(chromium, site, locale="en-US")
    bob = new_page(chromium, site, locale="en-US")
    sign_in(alice)
    sign_in(bob, "bob")
    for page in (alice, bob):
        page.goto("/apps/sales/order/1/edit")
    alice.fill('input[name="discount"]', "10")
    alice.click("button[type=submit]:text('Save')")
    alice.wait_for_url("**/apps/sales/order/1")
    bob.fill('input[name="discount"]', "20")
    bob.click("button[type=submit]:text('Save')")
    alert = bob.locator("[role=alert]").first
    alert.wait_for()
    assert "changed" in alert.inner_text().lower()
    saved = bob.locator('[data-field="discount"] .saved')
    assert "10" in saved.inner_text()
    assert bob.locator('input[name="discount"]').input_value() == "20"
    bob.click("button[type=submit]:text('Save')")
    bob.wait_for_url("**/apps/sales/order/1")
    assert "20" in bob.locator(".record").inner_text()


@pytest.mark.parametrize("path", ["/apps/sales/order/1", "/apps/sales/customer/1", "/apps/sales/order/1/edit",
                                  "/apps/places/site/new"])
def test_record_pages_fit_a_phone(chromium: Any, site: str, path: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    assert errors == []
