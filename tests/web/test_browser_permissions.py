"""Real Chromium: the permission matrix's cell editor opens in place, shows a refused condition at its field, and
a saved change updates the cell — with no script or CSP errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url
    ws.close()


def test_editing_a_cell_in_the_matrix(chromium: Any, site: str, tmp_path: Path) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.click("header >> text=管理")
    page.click(".admin-nav >> text=权限矩阵")
    page.wait_for_url("**/admin/permissions")
    cell = page.locator("#cell-clerk-product")
    assert "无权限" in cell.inner_text()
    cell.click()
    editor = page.locator("#cell-editor form")
    editor.wait_for()
    assert "店员 · 商品" in editor.locator("h3").inner_text() or "店员" in editor.locator("h3").inner_text()
    assert page.url.endswith("/admin/permissions")  # opened in place
    condition = editor.locator("input[name=condition]")
    assert condition.is_hidden()
    editor.locator("input[value=read]").check()
    editor.locator("select[name=scope]").select_option("condition")
    assert condition.is_visible()
    condition.fill("nothing_here = 1")
    editor.locator("button[type=submit]").click()
    page.locator("#perm-condition-errors .error").wait_for()
    assert "nothing_here" in page.locator("#perm-condition-errors").inner_text()
    assert "无权限" in page.locator("#cell-clerk-product").inner_text()  # nothing saved
    page.locator("#cell-editor select[name=scope]").select_option("all")
    page.locator("#cell-editor button[type=submit]").click()
    page.locator("#cell-editor .notice").wait_for()
    assert "已保存" in page.locator("#cell-editor .notice").inner_text()
    updated = page.locator("#cell-clerk-product").inner_text()
    assert "查" in updated and "全部" in updated
    page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
    assert errors == []
