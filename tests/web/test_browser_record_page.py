"""Real Chromium: the record page's tabs below the fields switch without JavaScript at desktop and phone widths, and a
phone never scrolls sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    actor = Actor(user_id=1, is_admin=True)
    customer = ws.records.create(actor, "customer", {"name": "华联电子有限公司深圳分公司", "grade": "A"})
    ws.records.create(actor, "product", {"name": "Widget", "price": "5"})
    ws.records.create(actor, "order", {"customer": customer.id, "items": [{"product": 1, "quantity": 2, "price": "5"}]})
    with live_server(ws) as url:
        yield url
    ws.close()


@pytest.mark.parametrize("width,javascript", [(1280, True), (375, True), (375, False)])
def test_the_tabs_below_the_fields_switch(chromium: Any, site: str, width: int, javascript: bool) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=width, errors=errors, javascript=javascript, locale="en")
    sign_in(page)
    page.goto("/apps/sales/customer/1")
    orders, activity = page.locator('[data-panel="related-order-customer"]'), page.locator('[data-panel="timeline"]')
    expect(orders).to_be_visible()
    expect(orders.locator("table.records")).to_contain_text("SO-")
    expect(activity).to_be_hidden()
    page.locator('label[for="rtab-timeline"]').click()
    expect(activity).to_be_visible()
    expect(activity).to_contain_text("created the record")
    expect(orders).to_be_hidden()
    page.locator('label[for="rtab-comments"]').click()
    expect(page.locator("#comment-body")).to_be_visible()
    expect(activity).to_be_hidden()
    assert errors == []


def test_a_phone_does_not_scroll_sideways_and_taps_hit_40_px(chromium: Any, site: str) -> None:  # noqa: F811
    page = new_page(chromium, site, width=375)
    sign_in(page)
    for path in ("/apps/sales/customer/1", "/apps/sales/order/1"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, path
        small = page.evaluate("""() => [...document.querySelectorAll(
                '.record-page .rtab, .record-page a.button, .record-page button, .record-back a')]
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 40)
            .map(e => e.outerHTML.slice(0, 80))""")
        assert small == [], (path, small)
