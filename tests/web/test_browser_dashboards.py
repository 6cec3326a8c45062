"""Real Chromium on a dashboard: every chart drawn, a filter change redraws them and stays in the URL, a click on
a linked chart filters the others (with a chip to clear it), a click elsewhere drills down to a list whose count
equals the clicked number (under the linkage too), at 1280 px and on a 375 px phone without sideways scroll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.dashboards_app import SHOP_APP, fill

SHOTS = Path("/tmp/shots-f14-pages")
BOARD = "/apps/shop/dashboards/sales"

DRAWN_PIXELS = """(box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
  return drawn;
}"""

# The categories and values a chart draws: [[name, value], …] of its first series.
POINTS = """(box) => {
  const option = window.echarts.getInstanceByDom(box).getOption();
  const axis = option.xAxis[0].type === "category" ? option.xAxis[0] : option.yAxis[0];
  return option.series[0].data.map((d, i) => [axis.data[i], d.value]);
}"""

# Where the i-th bar (column or horizontal bar) is drawn, half way along, in page coordinates.
BAR_POINT = """([box, i]) => {
  const chart = window.echarts.getInstanceByDom(box);
  const option = chart.getOption();
  const value = option.series[0].data[i].value / 2;
  const vertical = option.xAxis[0].type === "category";
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, vertical ? [i, value] : [value, i]);
  const rect = box.getBoundingClientRect();
  return [rect.left + x, rect.top + y];
}"""


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish(SHOP_APP)
    fill(ws, add_user(ws, "alice"))
    with live_server(ws) as url:
        yield url
    ws.close()


def chart(page: Any, report: str) -> Any:
    return page.locator(f'[data-report="{report}"] .chart')


def drawn(page: Any) -> None:
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(3)  # column, bar, line (the KPI is HTML)


def points(page: Any, report: str) -> list[list[Any]]:
    found: list[list[Any]] = chart(page, report).evaluate(POINTS)
    return found


def click_bar(page: Any, report: str, index: int, modifiers: list[str] | None = None) -> None:
    chart(page, report).scroll_into_view_if_needed()
    x, y = chart(page, report).evaluate(f"(box, i) => ({BAR_POINT})([box, i])", index)
    for key in modifiers or []:
        page.keyboard.down(key)
    page.mouse.click(x, y)
    for key in modifiers or []:
        page.keyboard.up(key)


def listed(page: Any) -> int:
    page.wait_for_url("**/apps/shop/order?**")
    return int(page.locator("#total").inner_text().split()[0])


def test_a_dashboard_filters_links_and_drills_down(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto(BOARD)
    drawn(page)
    for report in ("by_channel", "by_size", "monthly"):
        assert chart(page, report).evaluate(DRAWN_PIXELS) > 500, report
    expect(page.locator('[data-report="revenue"] .kpi-value')).to_contain_text("7,092")
    assert points(page, "by_channel") == [["Web", 12], ["Store", 8], ["Phone", 4]]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-1280.png"), full_page=True)

    # a filter redraws every chart and is kept in the URL (a reload shows the same)
    page.select_option("select[name=channel]", "web")
    page.wait_for_url("**channel=web**")
    drawn(page)
    assert points(page, "by_channel") == [["Web", 12]]
    assert sum(v for _, v in points(page, "by_size")) == 12
    page.reload()
    drawn(page)
    expect(page.locator("select[name=channel]")).to_have_value("web")
    assert points(page, "by_channel") == [["Web", 12]]
    page.select_option("select[name=channel]", "")
    page.wait_for_url(lambda url: "channel=web" not in url)
    drawn(page)

    # a custom date range: its from/to inputs appear, the days given are in the URL
    page.select_option("select[name=period]", "custom")
    expect(page.locator("input[name=period-from]")).to_be_visible()
    page.fill("input[name=period-from]", "2024-01-01")
    page.fill("input[name=period-to]", "2024-03-31")
    page.locator("input[name=period-to]").dispatch_event("change")
    page.wait_for_url("**period-from=2024-01-01&period-to=2024-03-31**")
    drawn(page)
    page.wait_for_function("() => document.querySelector('#board')")
    expect(page.locator('[data-report="revenue"] .kpi-value')).not_to_contain_text("7,092")
    assert sum(v for _, v in points(page, "by_channel")) == 11  # the orders of 2 January to 12 March 2024
    page.select_option("select[name=period]", "")
    expect(page.locator("input[name=period-from]")).to_be_hidden()
    page.wait_for_url(lambda url: "period-from" not in url)
    drawn(page)
    expect(page.locator('[data-report="revenue"] .kpi-value')).to_contain_text("7,092")

    # a click on a linked chart filters the others and shows a chip
    click_bar(page, "by_channel", 1)  # Store: 8 orders
    expect(page.locator(".board-chip")).to_contain_text("Store")
    drawn(page)
    assert sum(v for _, v in points(page, "by_size")) == 8
    assert sum(v for _, v in points(page, "monthly")) == 8
    assert points(page, "by_channel") == [["Web", 12], ["Store", 8], ["Phone", 4]]  # the source is not filtered
    page.screenshot(path=str(SHOTS / "dashboard-linked-1280.png"), full_page=True)

    # a drill-down under the linkage lists exactly the clicked number
    name, value = points(page, "by_size")[0]
    click_bar(page, "by_size", 0)
    assert listed(page) == value, name
    page.screenshot(path=str(SHOTS / "drill-list-1280.png"), full_page=True)
    page.go_back()
    drawn(page)

    # the chip's ✕ clears the linkage; Ctrl-click on the linked chart drills down instead of linking
    page.locator(".chip-clear").click()
    expect(page.locator(".board-chip")).to_have_count(0)
    drawn(page)
    assert sum(v for _, v in points(page, "by_size")) == 24
    click_bar(page, "by_channel", 2, ["Control"])  # Phone: 4
    assert listed(page) == 4
    # the KPI card drills too: every order
    page.goto(BOARD)
    page.locator('[data-report="revenue"] .chart-kpi').click()
    assert listed(page) == 24
    assert errors == []


def test_the_report_page_draws_its_chart_and_table(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto("/apps/shop/reports/by_channel")
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(1)
    expect(page.locator(".report-table td.drill").first).to_be_visible()
    page.locator(".report-table td.drill").first.click()  # Web: 12
    assert listed(page) == 12
    page.goto("/")
    page.locator("summary", has_text="Shop").click()
    expect(page.get_by_role("link", name="Sales board")).to_be_visible()
    expect(page.get_by_role("link", name="Orders by channel")).to_be_visible()
    page.screenshot(path=str(SHOTS / "menu-1280.png"))
    assert errors == []


def test_on_a_phone_the_grid_is_one_column_without_sideways_scroll(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=800, errors=errors)
    sign_in(page)
    page.goto(BOARD)
    drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    boxes = [page.locator(f'[data-report="{r}"]').bounding_box() for r in ("by_channel", "by_size", "monthly")]
    assert all(b is not None and b["width"] > 300 for b in boxes)  # each as wide as the phone
    for report in ("by_channel", "by_size", "monthly"):
        assert chart(page, report).evaluate(DRAWN_PIXELS) > 500, report
        assert chart(page, report).evaluate("(box) => box.querySelector('canvas').getBoundingClientRect().width") \
            <= 375
    page.screenshot(path=str(SHOTS / "dashboard-375.png"), full_page=True)
    page.goto("/apps/shop/reports/monthly")
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(SHOTS / "report-375.png"), full_page=True)
    assert errors == []


def test_export_buttons_download_and_wrap_on_a_phone(chromium: Any, site: str) -> None:  # noqa: F811
    shots = Path("/tmp/shots-f14-dashexport")
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto(BOARD)
    drawn(page)
    page.screenshot(path=str(shots / "dashboard-1280.png"), full_page=True)
    with page.expect_download() as got:
        page.locator('[data-report="by_channel"] .box-export[data-format="xlsx"]').click()
    assert got.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as got:
        page.locator(".board-export").click()
    assert got.value.suggested_filename.endswith(".pdf")
    page.goto("/apps/shop/reports/monthly")
    page.screenshot(path=str(shots / "report-1280.png"))
    phone = new_page(chromium, site, width=375, height=800, errors=errors)
    sign_in(phone)
    for url, buttons in ((BOARD, ".board-export, .box-export"), ("/apps/shop/reports/monthly", ".report-export")):
        phone.goto(url)
        expect(phone.locator(".chart[data-drawn=done]").first).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        for box in phone.locator(buttons).evaluate_all("(els) => els.map((e) => e.getBoundingClientRect().right)"):
            assert box <= 375
        phone.screenshot(path=str(shots / f"{url.rsplit('/', 1)[1]}-375.png"), full_page=True)
    assert errors == []
