"""Real Chromium: the settings page — a refused password change, an API token created, copied, used and revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from starlette.testclient import TestClient

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in, user_menu  # noqa: F401  (fixture)
from web.app import create_app


@pytest.fixture
def workspace(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    yield ws
    ws.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_token_lifecycle_and_password_errors(chromium: Any, workspace, width: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    errors: list[str] = []
    with live_server(workspace) as url:
        page = new_page(chromium, url, locale="en-US", width=width, errors=errors)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        sign_in(page)
        user_menu(page).locator("a[href='/settings']").click()
        page.wait_for_url("**/settings")
        page.fill("input[name=current_password]", "correct horse 1")
        page.fill("input[name=new_password]", "battery staple 2")
        page.fill("input[name=repeat_password]", "battery staple 3")
        page.click("#password button[type=submit]")
        assert "the two new passwords do not match" in page.locator("#password").inner_text()
        page.fill("input[name=name]", "spreadsheet sync")
        page.click("#tokens button[type=submit]")
        token = page.locator("#new-token").input_value()
        assert token.startswith("fw_") and "shown only this once" in page.locator(".new-token").inner_text()
        page.click("[data-copy=new-token]")
        expect(page.locator("[data-copy=new-token]")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == token
        assert "spreadsheet sync" in page.locator("table.tokens").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/settings scrolls sideways by {overflow}px at {width}px"
        api = TestClient(create_app(workspace))
        assert api.get("/api/v1/customer", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        page.click("table.tokens button.danger")
        assert "Token revoked" in page.locator("[role=status]").inner_text()
        assert api.get("/api/v1/customer", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert errors == []
