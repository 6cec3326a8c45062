"""Real Chromium in the report and dashboard designers: a report built by dragging a field to dimensions and one to
measures, a bar chart picked, the live preview following each change, published and opened; then the report added
to a dashboard, resized and moved by drag, published, and the new layout on the dashboard page — at 1280 px and on
a 375 px phone (one column, no sideways scroll), with no console error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, drag, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.dashboards_app import SHOP_APP, fill

SHOTS = Path("/tmp/shots-f14-rdesigner")
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish(SHOP_APP)
    fill(ws, add_user(ws, "alice"))
    with live_server(ws) as url:
        yield url
    ws.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_build_a_report_and_lay_it_out_on_a_dashboard(site: str, chromium: Any) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/design/apps/shop")
    form = page.locator("form[action='/design/apps/shop/reports']")
    form.locator("input[name=id]").fill("by_channel_amount")
    form.locator("input[name=label_en]").fill("Amount by channel")
    form.locator("select[name=form]").select_option("order")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/design/reports/by_channel_amount")

    dims = page.locator("[data-drop=dimensions]")
    drag(page, page.locator(".rd-field[data-path=channel]"), dims, "[data-drop=dimensions] .rd-field")
    expect(dims.locator("li.rd-card")).to_have_count(1)
    measures = page.locator("[data-drop=measures]")
    drag(page, page.locator(".rd-field[data-path=amount]"), measures, "[data-drop=measures] .rd-field")
    expect(measures.locator("li.rd-card")).to_have_count(2)
    expect(page.locator(".rd-preview .chart-table, .rd-preview table").first).to_be_visible()
    page.locator("[data-chart-type=bar]").click()
    expect(page.locator("[data-chart-type=bar]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".rd-preview .chart.chart-bar canvas")).to_have_count(1)
    # a formula measure over the measures before it, typed with the formula editor's suggestions
    page.locator(".rd-add button", has_text="Formula measure").click()
    expect(measures.locator("li.rd-card")).to_have_count(3)
    card = measures.locator("li.rd-card").last
    card.locator("summary").click()
    formula = card.locator("textarea[name=formula]")
    formula.fill("")
    formula.type("amo")
    expect(page.locator(".formula-suggest")).to_be_visible()
    formula.press("Enter")
    formula.type(" / 2")
    card.locator("[data-apply]").click()
    # the measure's id, suggested from its name
    expect(measures.locator("li.rd-card").last.locator("textarea[name=formula]")).to_have_value("sum_amount / 2")
    expect(page.locator(".rd-preview .chart.chart-bar canvas")).to_have_count(1)
    shot(page, "report-designer-1280")

    page.locator("#publish-open").click()
    expect(page.locator("#publish-go")).to_be_enabled()
    page.locator("#publish-go").click()
    page.locator("#design-dialog-body a.button").click()
    page.wait_for_url("**/apps/shop/reports/by_channel_amount")
    expect(page.locator(".report-chart .chart.chart-bar canvas")).to_have_count(1)
    expect(page.locator("a.design-link")).to_be_visible()

    page.goto("/design/dashboards/sales")
    before = page.locator(".db-item").count()
    page.locator(".db-add-report button", has_text="Amount by channel").click()
    expect(page.locator(".db-item")).to_have_count(before + 1)
    added = page.locator(".db-item").last
    expect(added.locator(".chart canvas")).to_have_count(1)
    # resize by its corner: from 6 columns to about 9
    handle = added.locator(".db-resize")
    handle.scroll_into_view_if_needed()
    box, grid = handle.bounding_box(), page.locator(".db-grid").bounding_box()
    column = (grid["width"] - 16 * 11) / 12
    page.mouse.move(box["x"] + 9, box["y"] + 9)
    page.mouse.down()
    page.mouse.move(box["x"] + 9 + 3 * (column + 16), box["y"] + 9 + 100, steps=12)
    page.mouse.up()
    expect(page.locator(".db-item").last).to_have_attribute("data-w", "9")
    expect(page.locator(".db-item").last).to_have_attribute("data-h", "4")
    # move it first by dragging its head onto the first box (a tall window shows the whole grid)
    page.set_viewport_size({"width": 1280, "height": 1800})
    drag(page, page.locator(".db-item").last.locator(".db-head"), page.locator(".db-item").first,
         ".db-item.sortable-chosen:first-child", across=0.5, down=0.3)
    expect(page.locator(".db-item").first.locator(".board-title")).to_have_text("Amount by channel")
    position = 0
    shot(page, "dashboard-designer-1280")
    page.locator("#publish-open").click()
    expect(page.locator("#publish-go")).to_be_enabled()
    page.locator("#publish-go").click()
    page.locator("#design-dialog-body a.button").click()
    page.wait_for_url("**/apps/shop/dashboards/sales")
    moved = page.locator(".board-item").nth(position)
    expect(moved).to_have_attribute("data-report", "by_channel_amount")
    expect(moved).to_have_class(re.compile(r"\bgw-9\b.*\bgh-4\b"))
    expect(moved.locator(".chart canvas")).to_have_count(1)
    shot(page, "dashboard-after-1280")

    phone = new_page(chromium, site, locale="zh-CN", width=375, height=800, errors=errors)
    sign_in(phone)
    for url, name in (("/design/apps/shop", "app-375"), ("/design/reports/by_channel_amount", "report-designer-375"),
                      ("/design/dashboards/sales", "dashboard-designer-375")):
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate(NO_SIDEWAYS), url
        shot(phone, name)
    expect(phone.locator(".db-phone-hint")).to_be_visible()  # resizing by drag is for a desktop: said on screen
    assert not errors, errors
