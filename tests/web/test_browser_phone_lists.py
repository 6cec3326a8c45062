"""Real Chromium at phone (375 px) and desktop (1280 px) widths: a list shows each record as a card, a long form keeps
its save bar on screen, what a finger can hit is at least 40 px each way, and no page scrolls sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.files.sniff import PNG
from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_attacks import PNG as PNG_BYTES
from web.views.file_access import file_store

ALICE = Actor(user_id=1, is_admin=True)
C = "/apps/sales/customer"
CUSTOMERS = [("华联电子有限公司", "A", "2024-03-04"), ("东方物流", "B", "2024-03-05"), ("西湖旅游", "C", "2024-03-06")]
PAGES = [C, f"{C}/new", f"{C}/kanban?by=grade", f"{C}/calendar?by=since&month=2024-03", f"{C}/gallery?by=photo"]
# Controls in the visible viewport smaller than 40 × 40 px (a tick box or radio counts with the label around it).
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a, button, input, select, summary, textarea')) {
    if (el.type === 'hidden' || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    let r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) continue;
    const box = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label');
    if (box) r = box.getBoundingClientRect();
    if (r.width < 40 || r.height < 40)
      small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return small;
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Scrolled to the bottom, asked again on every check: a page that grows or lays out again after a first scroll (fonts,
# pictures, a list swapped in) is followed down rather than left half-way.
AT_THE_BOTTOM = """() => { scrollTo(0, document.documentElement.scrollHeight);
    return innerHeight + scrollY >= document.documentElement.scrollHeight - 1; }"""


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    picture = file_store(ws).save(PNG_BYTES, "p.png", PNG, 1).ref()
    for name, grade, since in CUSTOMERS:
        ws.records.create(ALICE, "customer", {"name": name, "grade": grade, "since": since, "email": "a@b.cn",
                                              "photo": [picture]})
    with live_server(ws) as url:
        yield url
    ws.close()


def test_a_list_on_a_phone_shows_cards_with_labelled_values_and_tick_boxes(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto(C + "?sort=name&dir=asc")
    card = page.locator("table.records tbody tr").filter(has_text="东方物流")
    expect(card).to_be_visible()
    assert card.evaluate("r => getComputedStyle(r).display") == "grid"
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    title = card.locator("td.card-title a")
    assert title.inner_text() == "东方物流" and title.get_attribute("href").startswith(C + "/")
    grade = card.locator("td[data-label='等级']")
    assert grade.evaluate("td => getComputedStyle(td, '::before').content") == '"等级："'
    assert grade.bounding_box()["y"] > title.bounding_box()["y"]  # label: value lines under the title
    expect(page.locator("[data-batch-bar]")).to_be_hidden()
    card.locator(".pick-box").click()  # the tick box stays: ticking a card shows the batch bar
    expect(page.locator("[data-batch-bar]")).to_be_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    page.screenshot(path="/tmp/phone-list-cards-375.png")
    assert errors == []


@pytest.mark.parametrize("width,height", [(375, 740), (1280, 800)])
def test_the_save_bar_of_a_long_form_stays_on_screen_and_hides_nothing(chromium: Any, site: str, width: int,
                                                                       height: int) -> None:  # noqa: F811
    page = new_page(chromium, site, width=width, height=height)
    sign_in(page)
    page.goto(C + "/new")
    assert page.evaluate("document.documentElement.scrollHeight") > height * 1.5  # a long form
    bar = page.locator(".save-bar")

    def on_screen() -> None:
        box = bar.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= height + 1, box
        expect(bar.get_by_role("button", name="保存")).to_be_visible()
        expect(bar.get_by_role("link", name="取消")).to_be_visible()

    on_screen()
    page.mouse.wheel(0, height)
    page.wait_for_function("() => window.scrollY > 0")
    on_screen()
    page.wait_for_function(AT_THE_BOTTOM)
    on_screen()
    last = page.locator(".record-form .cell:visible").last
    assert last.bounding_box()["y"] + last.bounding_box()["height"] <= bar.bounding_box()["y"] + 1  # nothing under it
    page.screenshot(path=f"/tmp/phone-save-bar-{width}.png")


def test_tap_targets_are_40px_and_nothing_scrolls_sideways_on_a_phone(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=740, errors=errors)
    sign_in(page)
    found = {}
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        small = page.evaluate(SMALL_TARGETS)
        page.wait_for_function(AT_THE_BOTTOM)
        small += page.evaluate(SMALL_TARGETS)
        if small:
            found[path] = sorted(set(small))
        assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways"
    assert not found, found
    assert errors == []


@pytest.mark.parametrize("path,current", [(f"{C}/kanban?by=grade", "看板 · 等级"),
                                          (f"{C}/calendar?by=since&month=2024-03", "日历 · 首次合作"),
                                          (f"{C}/gallery?by=photo", "画廊 · 照片")])
def test_the_kanban_calendar_and_gallery_share_the_lists_view_menu(chromium: Any, site: str, path: str,
                                                                   current: str) -> None:  # noqa: F811
    page = new_page(chromium, site, width=375, height=740)
    sign_in(page)
    page.goto(path)
    menu = page.locator("details.view-menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name=current)).to_have_attribute("aria-current", "page")
    page.locator("details.more-menu summary").click()  # one menu at a time
    expect(menu.get_by_role("link", name=current)).to_be_hidden()
    expect(page.locator("details.more-menu").get_by_role("link", name="回收站")).to_be_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    page.locator("details.view-menu summary").click()
    menu.get_by_role("link", name="表格").click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith(C) or f"{C}?" in url)
    expect(page.locator("table.records")).to_be_visible()
