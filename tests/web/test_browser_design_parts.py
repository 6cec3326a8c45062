"""Real Chromium in the designers' finer parts: a report filter's value input following its field and condition
(option labels, relative dates), a pivot's layout, a dashboard's text block edited in its box and a filter
component added and edited, and /admin/home's condition builder — at 1280 px and 375 px, with no console error.
Screenshots go to /work/shots/f14d/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.dashboards_app import SHOP_APP, fill

SHOTS = Path("/work/shots/f14d")
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish(SHOP_APP)
    fill(ws, add_user(ws, "alice"))
    with live_server(ws) as url:
        yield url
    ws.close()


def settled(page: Any) -> None:
    """Wait until no htmx request is in flight (a click on a box being replaced would be lost)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_report_filter_values_and_pivot_layout(site: str, chromium: Any) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/design/reports/by_channel")
    page.locator("button[title='Add as filter: Channel']").click()
    card = page.locator("[data-drop=filters] li.rd-card")
    expect(card).to_have_count(1)
    settled(page)
    card.locator("select[name=op]").select_option("in")
    values = card.locator("select[name=value][multiple]")
    expect(values).to_be_visible()
    expect(values.locator("option")).to_have_text(["Web", "Store", "Phone"])  # labels, not codes
    values.select_option(["web", "store"])
    card.locator("[data-apply]").click()
    settled(page)
    expect(page.locator("[data-drop=filters] select[name=value] option[value=store]")).to_have_attribute("selected", "")
    page.locator("button[title='Add as filter: Placed at']").click()
    second = page.locator("[data-drop=filters] li.rd-card").nth(1)
    expect(second).to_be_visible()
    settled(page)
    second.locator("select[name=op]").select_option("this_month")
    expect(second.locator(".cv-none")).to_have_text("No value needed")
    settled(page)
    second.locator("select[name=op]").select_option("last_n_days")
    expect(second.locator("input[type=number][name=value]")).to_be_visible()
    second.locator("[data-apply]").click()
    settled(page)
    expect(page.locator("[data-drop=filters] li.rd-card").nth(1).locator("input[type=number]")).to_have_value("7")
    # a second dimension and the pivot: its layout in the chart panel
    page.locator("button[title='Add as dimension: Size']").click()
    settled(page)
    page.locator("[data-chart-type=pivot]").click()
    layout = page.locator("form.rd-layout")
    expect(layout).to_contain_text("Pivot layout")
    layout.locator("input[name=place_channel][value=columns]").check()
    layout.locator("input[name=place_size][value=rows]").check()
    layout.locator("input[name=totals]").uncheck()
    layout.locator("button[type=submit]").click()
    expect(page.locator("form.rd-layout input[name=place_channel][value=columns]")).to_be_checked()
    expect(page.locator("form.rd-layout input[name=totals]")).not_to_be_checked()
    expect(page.locator(".rd-preview-chart table")).to_be_visible()
    shot(page, "report-designer-filters-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS)
    shot(page, "report-designer-filters-375")
    assert errors == []


def test_dashboard_text_block_and_components_in_place(site: str, chromium: Any) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/design/dashboards/sales")
    box = page.locator(".db-item.board-text").first
    box.locator("summary").click()
    box.locator("input[name=title_en]").fill("How to read this")
    box.locator("input[name=title_zh]").fill("阅读说明")
    box.locator("textarea[name=text_en]").fill("Click a channel bar.\nThe other charts follow.")
    box.locator("button[data-apply]").click()
    expect(page.locator(".db-item.board-text h2.board-title").first).to_have_text("How to read this")
    expect(page.locator(".db-item.board-text .board-text-body").first).to_contain_text("The other charts follow.")
    side = page.locator(".db-side")
    side.locator("summary", has_text="Add a filter component").click()
    side.locator("select[name=kind_field]").select_option("select:size")
    side.locator("form:has(select[name=kind_field]) input[name=label_en]").fill("Order size")
    side.locator("form:has(select[name=kind_field]) button[type=submit]").click()
    component = page.locator(".db-component[data-component=size]")
    expect(component).to_contain_text("Order size")
    component.locator("summary").click()
    component.locator("select[name=default]").select_option(label="Large")
    component.locator("select[name=apply_revenue]").select_option("")
    component.locator("button.secondary[type=submit]").click()
    again = page.locator(".db-component[data-component=size]")
    again.locator("summary").click()
    expect(again.locator("select[name=default] option:checked")).to_have_text("Large")
    expect(again.locator("select[name=apply_revenue] option:checked")).to_have_text("Not filtered")
    settled(page)
    page.locator(".db-component[data-component=size] details").evaluate("d => d.open = true")
    page.locator(".db-item.board-text details.db-text-edit").first.evaluate("d => d.open = true")
    shot(page, "dashboard-designer-parts-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS)
    shot(page, "dashboard-designer-parts-375")
    assert errors == []


def test_home_admin_condition_builder(site: str, chromium: Any) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/admin/home")
    section = page.locator("section[data-role=default]")
    section.locator("summary", has_text="Add a block").click()
    form = section.locator("form.home-admin-add")
    form.locator("select[name=block]").select_option("attention")
    form.locator("select[name=form]").select_option("order")
    form.locator("button.cond-add").click()
    expect(form.locator("select[name=cf_0]")).to_be_visible()
    settled(page)
    form.locator("select[name=cf_0]").select_option(label="Channel")
    expect(form.locator("select[name=cv_0] option")).to_have_text(["Choose…", "Web", "Store", "Phone"])
    settled(page)
    form.locator("select[name=co_0]").select_option("in")
    expect(form.locator("select[name=cv_0][multiple]")).to_be_visible()
    form.locator("select[name=cv_0]").select_option(["web", "phone"])
    form.locator("button.cond-add").click()
    expect(form.locator("select[name=cf_1]")).to_be_visible()
    settled(page)
    form.locator("select[name=cf_1]").select_option(label="Owner")
    expect(form.locator("select[name=cv_1] option[value='$me']")).to_have_text("Me (the viewer)")  # the row redrawn
    form.locator("select[name=cv_1]").select_option("$me")
    settled(page)
    form.locator("button.cond-add").click()
    expect(form.locator(".cond-row")).to_have_count(3)
    form.locator(".cond-row").nth(2).locator(".cond-remove").click()
    expect(form.locator(".cond-row")).to_have_count(2)
    form.locator("input[name=label_en]").fill("My web and phone orders")
    form.locator("input[name=label_zh]").fill("我的网店和电话订单")
    shot(page, "home-admin-conditions-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS)
    shot(page, "home-admin-conditions-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    form.locator("button[type=submit]").click()
    expect(page.locator("p.notice")).to_be_visible()
    block = page.locator("section[data-role=default] .home-admin-block").last
    expect(block).to_contain_text("My web and phone orders")
    # the block's conditions, back in the builder: edited and saved
    block.locator("summary", has_text="Edit the conditions (2)").click()
    edit = block.locator("form.cond-builder")
    expect(edit.locator("select[name=cv_0] option:checked")).to_have_text(["Web", "Phone"])
    expect(edit.locator("select[name=cv_1] option:checked")).to_have_text("Me (the viewer)")
    edit.locator(".cond-row").nth(1).locator(".cond-remove").click()
    edit.locator("select[name=cv_0]").select_option(["store"])
    shot(page, "home-admin-edit-conditions-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(NO_SIDEWAYS)
    shot(page, "home-admin-edit-conditions-375")
    edit.locator("button[type=submit]").click()
    expect(page.locator("p.notice")).to_be_visible()
    block = page.locator("section[data-role=default] .home-admin-block").last
    expect(block.locator("summary", has_text="Edit the conditions (1)")).to_be_visible()
    assert errors == []
