"""Real Chromium: drag a list column's edge to resize it, save the view, reload, and the width is kept; the keyboard
does the same; in English as in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, list_menu, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)

ALICE = Actor(user_id=1, is_admin=True)


@pytest.fixture
def shop_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    for name, grade in [("华联电子", "A"), ("东方物流", "B")]:
        ws.records.create(ALICE, "customer", {"name": name, "grade": grade})
    with live_server(ws) as url:
        yield url
    ws.close()


def header_width(page: Any, field: str) -> float:
    return float(page.locator(f"th:has([data-col-resize={field}])").evaluate("th => th.getBoundingClientRect().width"))


@pytest.mark.parametrize(("locale", "save_words"), [("zh-CN", "保存"), ("en-US", "Save")])
def test_a_dragged_width_is_kept_in_the_saved_view(chromium: Any, shop_site: str, locale: str,  # noqa: F811
                                                   save_words: str) -> None:
    errors: list[str] = []
    page = new_page(chromium, shop_site, locale=locale, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    before = header_width(page, "grade")
    handle = page.locator("[data-col-resize=grade]").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):  # in small steps, as a hand moves
        page.mouse.move(x + 12 * step, y)
    page.mouse.up()
    page.wait_for_url("**w=*")
    settled(page)
    wanted = round(before + 120)
    assert f"grade:{wanted}" in page.url
    assert abs(header_width(page, "grade") - wanted) <= 2
    assert page.locator("table.records").evaluate("t => getComputedStyle(t).tableLayout") == "fixed"

    menu = list_menu(page)
    menu.locator("form.save-view input[name=name]").fill("宽等级")
    menu.locator("form.save-view button", has_text=save_words).click()
    page.wait_for_url("**view=*")
    page.goto("/apps/sales/customer")  # the plain list: default widths
    assert page.locator("table.records.sized").count() == 0
    page.locator("nav.views a", has_text="宽等级").click()
    page.wait_for_url("**view=*")
    settled(page)
    page.reload()
    assert abs(header_width(page, "grade") - wanted) <= 2
    assert errors == []


def test_the_arrow_keys_resize_a_focused_column_edge(chromium: Any, shop_site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, shop_site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer?w=name:200")
    assert abs(header_width(page, "name") - 200) <= 2
    page.locator("[data-col-resize=name]").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**name:184*")
    settled(page)
    assert abs(header_width(page, "name") - 184) <= 2
    page.reload()
    assert abs(header_width(page, "name") - 184) <= 2
    assert errors == []
