"""Real Chromium: /settings lists where you are signed in; "sign out everywhere else" signs the phone out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import PATIENCE_MS, chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.fixture
def workspace(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    yield ws
    ws.close()


@pytest.mark.parametrize("width, locale, texts", [
    (1280, "en-US", ("This device", "Safari · iPhone", "Sign out everywhere else", "signed out everywhere else")),
    (375, "zh-CN", ("当前设备", "Safari · iPhone", "退出其他所有设备", "其他所有设备都已退出登录")),
])
def test_sign_out_everywhere_else(chromium: Any, workspace, width: int, locale: str,  # type: ignore[no-untyped-def]  # noqa: F811
                                  texts: tuple[str, ...]) -> None:
    errors: list[str] = []
    this_device, phone_name, button, done = texts
    with live_server(workspace) as url:
        page = new_page(chromium, url, locale=locale, width=width, errors=errors)
        phone_context = chromium.new_context(base_url=url, locale=locale, user_agent=IPHONE,
                                             viewport={"width": 390, "height": 844})
        phone = phone_context.new_page()
        phone.set_default_timeout(PATIENCE_MS)
        sign_in(phone)
        sign_in(page)
        page.goto("/settings")
        sessions = page.locator("#sessions")
        expect(sessions.locator("li.session")).to_have_count(2)
        expect(sessions.locator("li.current")).to_contain_text(this_device)
        expect(sessions.locator("li.session:not(.current)")).to_contain_text(phone_name)
        page.get_by_role("button", name=button).click()
        expect(page.locator(".notice")).to_contain_text(done, ignore_case=True)
        expect(sessions.locator("li.session")).to_have_count(1)
        phone.goto("/")
        phone.wait_for_url("**/login?next=/")
        page.goto("/")
        assert "/login" not in page.url  # this device stays signed in
        phone_context.close()
        page.context.close()
    assert errors == []
