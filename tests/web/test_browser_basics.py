"""Real Chromium: sign in, both languages, phone width, and no script or CSP errors on the main pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in, user_menu  # noqa: F401  (fixture)


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    from engine.records.model import Actor

    ws.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": "华联电子", "grade": "A"})
    with live_server(ws) as url:
        yield url
    ws.close()


def test_sign_in_in_chinese_then_switch_to_english(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    page.goto("/apps/sales/customer")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "登录"
    page.fill("input[name=password]", "wrong")
    page.fill("input[name=username]", "alice")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
    page.fill("input[name=password]", "correct horse 1")
    page.click("button[type=submit]")
    page.wait_for_url("**/apps/sales/customer")
    assert "华联电子" in page.locator("table").inner_text()
    user_menu(page).locator("a", has_text="Switch to English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Customer" in page.locator("h1").inner_text()
    assert errors == []


def test_english_browser_gets_english(chromium: Any, site: str) -> None:  # noqa: F811
    page = new_page(chromium, site, locale="en-US")
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Sign in"


@pytest.mark.parametrize("path", ["/", "/apps/sales/customer", "/apps/sales/customer/new", "/apps/sales/order/new"])
def test_pages_fit_a_phone(chromium: Any, site: str, path: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    assert errors == []
