"""The page shell in Chromium: on a wide screen the apps sidebar sits beside the page and the menu button hides it
for the next pages too; on a phone it is a drawer (the menu button, the dimmed page or Escape close it) and nothing
scrolls sideways; the search in the header finds records across forms; screenshots at 1280 and 375 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-shell")  # for a person to look at; nothing asserts on them
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the page, not the database, is under test


@pytest.fixture
def site(shop) -> Any:  # type: ignore[no-untyped-def]
    alice = Actor(user_id=1, is_admin=True)
    for name in ("华联电子", "联想集团"):
        shop.records.create(alice, "customer", {"name": name})
    shop.records.create(alice, "product", {"name": "华联打印机"})
    with live_server(shop) as url:
        yield url


def test_the_sidebar_beside_the_page_hides_and_stays_hidden(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    side = page.locator("#side")
    expect(side.locator("a[aria-current=page]")).to_have_text("客户")
    side.locator("a", has_text="产品").click()
    page.wait_for_url("**/apps/sales/product")
    expect(side.locator("a[aria-current=page]")).to_have_text("产品")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "shell-list-1280.png"))
    page.locator("label.nav-toggle").click()
    expect(side).to_be_hidden()
    page.goto("/apps/sales/customer")  # the choice holds on the next page
    expect(side).to_be_hidden()
    page.locator("label.nav-toggle").click()
    expect(side).to_be_visible()
    page.locator(".global-search input").fill("华联")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    results = page.locator(".search-results")
    expect(results.locator("a", has_text="华联电子")).to_be_visible()
    expect(results.locator("a", has_text="华联打印机")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert errors == []


def test_on_a_phone_the_sidebar_is_a_drawer(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    side = page.locator("#side")
    expect(side).not_to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    toggle = page.locator("label.nav-toggle")
    box = toggle.bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40  # a tap target
    page.screenshot(path=str(SHOTS / "shell-list-375.png"))
    toggle.click()
    expect(side).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "shell-drawer-375.png"))
    page.keyboard.press("Escape")
    expect(side).not_to_be_in_viewport()
    toggle.click()
    expect(side).to_be_in_viewport()
    page.locator(".scrim").click(position={"x": 360, "y": 400})  # the dimmed page beside the drawer
    expect(side).not_to_be_in_viewport()
    toggle.click()
    side.locator("a", has_text="产品").click()
    page.wait_for_url("**/apps/sales/product")
    expect(side).not_to_be_in_viewport()  # a new page starts with the drawer closed
    page.locator("details.user-menu summary").click()
    expect(page.locator(".user-menu button", has_text="退出登录")).to_be_visible()
    assert errors == []
