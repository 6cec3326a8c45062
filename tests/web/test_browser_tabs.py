"""Real Chromium on forms laid out in tabs: a click or the arrow keys show a tab's fields, a refused save opens the
tab holding the error, rules that hide every field of a tab hide its button, a phone scrolls the strip sideways,
and without JavaScript every tab's fields show under the tab's title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import PATIENCE_MS, chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.tabs_app import DESK_APP


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish(DESK_APP)
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url
    ws.close()


def tab(page: Any, name: str) -> Any:
    """The tab button whose name has `name` (a marked tab's name also says it has fields to correct)."""
    return page.get_by_role("tab", name=name)


def test_clicking_a_tab_or_pressing_the_arrows_shows_its_fields(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto("/apps/desk/ticket/new")
    expect(page.get_by_role("tablist", name="Parts of the form")).to_be_visible()
    expect(page.locator(".tab:visible .tab-label")).to_have_text(["Contact", "Handling", "Attachments and related documents"])
    expect(tab(page, "Contact")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#phone")).to_be_visible()
    expect(page.locator("#due")).to_be_hidden()

    tab(page, "Handling").click()
    expect(page.locator("#due")).to_be_visible()
    expect(page.locator("#phone")).to_be_hidden()
    expect(page.get_by_role("tabpanel")).to_have_count(1)
    expect(page.get_by_role("tabpanel")).to_contain_text("Due date")
    expect(tab(page, "Handling")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "Contact")).to_have_attribute("tabindex", "-1")

    page.keyboard.press("ArrowRight")  # focus stayed on the clicked tab: the arrow moves and opens the next one
    expect(tab(page, "Attachments and related documents")).to_be_focused()
    expect(page.locator("#reference")).to_be_visible()
    page.keyboard.press("ArrowRight")  # past the last one: back to the first
    expect(tab(page, "Contact")).to_be_focused()
    page.keyboard.press("End")
    expect(tab(page, "Attachments and related documents")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(page.locator("#phone")).to_be_visible()
    assert errors == []


def test_a_rule_hiding_every_field_of_a_tab_hides_its_button(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto("/apps/desk/ticket/new")
    expect(tab(page, "Bug details")).to_be_hidden()  # kind is a question: the only field of the tab is hidden
    page.select_option("#kind", "bug")
    expect(tab(page, "Bug details")).to_be_visible()
    tab(page, "Bug details").click()
    expect(page.locator("#steps")).to_be_visible()
    page.select_option("#kind", "question")  # the open tab goes away: the first one opens
    expect(tab(page, "Bug details")).to_be_hidden()
    expect(tab(page, "Contact")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#phone")).to_be_visible()
    assert errors == []


def test_a_refused_save_opens_the_tab_holding_the_error(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/desk/ticket/new")
    page.fill("#title", "打印机卡纸")
    page.fill("#phone", "555-0100")
    page.locator(".record-form button[type=submit]").click()
    expect(page.locator(".record-form.submitted")).to_be_attached()
    expect(tab(page, "处理")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "处理")).to_have_attribute("data-tab-error", "")
    expect(page.locator("#err-due")).to_have_text("截止日期为必填项")
    expect(page.locator("#due")).to_be_visible()
    expect(page.locator("#phone")).to_be_hidden()

    tab(page, "联系方式").click()
    expect(page.locator("#phone")).to_have_value("555-0100")  # the other tabs kept what was typed
    tab(page, "处理").click()
    page.fill("#due", "2024-05-01")
    expect(tab(page, "处理")).not_to_have_attribute("data-tab-error", "")  # the preview cleared the error
    page.locator(".record-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/new" not in url)

    expect(tab(page, "联系方式")).to_have_attribute("aria-selected", "true")  # the record page has the tabs too
    expect(page.locator(".record")).to_contain_text("555-0100")
    tab(page, "处理").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("2024年5月1日")
    expect(page.get_by_role("tabpanel")).not_to_contain_text("555-0100")
    assert errors == []


def test_on_a_phone_the_strip_scrolls_sideways_not_the_page(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", width=375, height=800, errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto("/apps/desk/ticket/new")
    strip = page.get_by_role("tablist")
    expect(strip).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")  # the tabs do not fit: the strip scrolls
    tab(page, "Contact").focus()
    page.keyboard.press("End")  # the last tab opened is scrolled into view
    last = tab(page, "Attachments and related documents")
    expect(last).to_have_attribute("aria-selected", "true")
    page.wait_for_function("s => s.scrollLeft > 0", arg=strip.element_handle(), timeout=PATIENCE_MS)
    expect(page.locator("#reference")).to_be_in_viewport()
    assert errors == []


def test_without_javascript_every_tab_shows_under_its_title(chromium: Any, site: str) -> None:  # noqa: F811
    context = chromium.new_context(base_url=site, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page)
    page.goto("/lang/en")
    page.goto("/apps/desk/ticket/new")
    expect(page.get_by_role("tab")).to_have_count(0)  # the buttons stay hidden
    expect(page.locator("h2.tab-title:visible")).to_have_text(  # rules hide the bug details of a question
        ["Contact", "Handling", "Attachments and related documents"])
    for field in ("#phone", "#street", "#due", "#notes", "#reference", "#extra"):
        expect(page.locator(field)).to_be_visible()
    context.close()
