"""Real Chromium: an administrator builds a department, creates a user (password shown once and copied),
disables them after confirming, and finds it all in the audit log, which downloads as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def workspace(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    yield ws
    ws.close()


def _no_sideways_scroll(page: Any, where: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"


@pytest.mark.parametrize("width", [1280, 375])
def test_an_administrator_manages_users_and_reads_the_audit_log(chromium: Any, workspace, width: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    errors: list[str] = []
    with live_server(workspace) as url:
        page = new_page(chromium, url, locale="en-US", width=width, errors=errors)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        sign_in(page)
        page.click("a[href='/admin/users']")
        page.wait_for_url("**/admin/users")
        page.click("a[href='/admin/departments']")
        page.fill("#new-department input[name=name_zh]", "销售部")
        page.fill("#new-department input[name=name_en]", "Sales")
        page.click("#new-department button[type=submit]")
        assert "Department created" in page.locator("[role=status]").inner_text()
        assert "Sales" in page.locator("table.department-tree").inner_text()
        _no_sideways_scroll(page, "/admin/departments", width)

        page.goto(f"{url}/admin/users/new")
        page.fill("input[name=username]", "lina")
        page.fill("input[name=display_name]", "Li Na")
        page.select_option("select[name=department_id]", label="Sales")
        page.check("input[name=roles][value=clerk]")
        page.click(".admin-form button[type=submit]")
        assert "User created" in page.locator("[role=status]").first.inner_text()
        password = page.locator("#new-password").input_value()
        page.click("[data-copy=new-password]")
        assert page.evaluate("navigator.clipboard.readText()") == password
        _no_sideways_scroll(page, "the new user", width)

        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#account button.danger")
        page.wait_for_url("**done=disabled")
        assert "The user is disabled" in page.locator("[role=status]").inner_text()

        page.click("a[href='/admin/audit']")
        page.wait_for_url("**/admin/audit")
        log = page.locator("table.audit-log").inner_text()
        assert "User disabled" in log and "User created" in log and "Department changed" in log
        _no_sideways_scroll(page, "/admin/audit", width)
        with page.expect_download() as download:
            page.click("a[href^='/admin/audit.csv']")
        content = Path(download.value.path()).read_bytes()
        assert content.startswith(b"\xef\xbb\xbf") and "销售部".encode() in content
    assert errors == []
