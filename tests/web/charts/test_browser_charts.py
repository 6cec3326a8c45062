"""Real Chromium drawing one chart of each type with the vendored ECharts under the app's security headers: every
box gets a canvas with something drawn, a click on a bar or a table cell dispatches `chart:select` with the keys of
the records behind it, a phone's width fits every chart, the China map is fetched only by pages that show one, and
nothing logs an error. Screenshots at 1280 and 375 px go to /tmp/formwork-charts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import chromium, new_page  # noqa: F401  (fixture)
from tests.web.charts.charts_page import ECHARTS_TYPES, serve

SHOTS = Path("/tmp/formwork-charts")

# The pixels of a box's canvas that are not blank (ECharts draws on a transparent canvas).
DRAWN_PIXELS = """(box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
  return drawn;
}"""

# Remembers every chart:select on the page, for the test to read.
LISTEN = """() => {
  window.selected = [];
  document.addEventListener("chart:select", (event) => window.selected.push(event.detail));
}"""

# Where the second column ("方案", 5 deals) is drawn, half way up, in page coordinates.
BAR_POINT = """(box) => {
  const chart = window.echarts.getInstanceByDom(box);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [1, 2.5]);
  const rect = box.getBoundingClientRect();
  return [rect.left + x, rect.top + y];
}"""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as url:
        yield url


def open_charts(chromium: Any, site: str, errors: list[str], width: int = 1280, query: str = "") -> Any:  # noqa: F811
    page = new_page(chromium, site, width=width, errors=errors)
    page.goto(f"/{query}")
    return page


def test_every_echarts_type_draws_a_canvas_and_a_click_on_a_bar_selects_its_records(chromium: Any,  # noqa: F811
                                                                                    site: str) -> None:
    errors: list[str] = []
    page = open_charts(chromium, site, errors)
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(len(ECHARTS_TYPES))
    for name in ECHARTS_TYPES:
        box = page.locator(f"#c-{name} .chart")
        expect(box.locator("canvas")).to_have_count(1)
        assert box.evaluate(DRAWN_PIXELS) > 500, f"the {name} chart drew nothing"
        box.scroll_into_view_if_needed()  # a tooltip (built without inline styles, which the CSP refuses)
        frame = box.bounding_box()
        assert frame is not None
        page.mouse.move(frame["x"] + frame["width"] * 0.5, frame["y"] + frame["height"] * 0.5)
    expect(page.locator("#c-pivot tr.line-subtotal")).to_have_count(2)
    expect(page.locator("#c-kpi .kpi-value")).to_have_text("¥460,001")  # a headline: whole units, rounded half up
    expect(page.locator("#c-kpi .kpi-value")).to_have_attribute("title", "¥460,000.50")  # the exact amount

    page.evaluate(LISTEN)
    column = page.locator("#c-column .chart")
    column.scroll_into_view_if_needed()
    x, y = column.evaluate(BAR_POINT)
    page.mouse.click(x, y)
    expect(page.locator("#c-column .chart")).to_have_attribute("data-drawn", "done")
    page.wait_for_function("() => window.selected.length === 1")
    assert page.evaluate("window.selected") == [{"keys": {"stage": "proposal"}, "value": 5, "name": "方案",
                                                 "measure": "count", "modifier": False}]

    cell = page.locator("#c-pivot tr.line-subtotal td.drill").first
    cell.click()
    page.wait_for_function("() => window.selected.length === 2")
    assert page.evaluate("window.selected[1].keys") == {"owner": 1, "month": "2026-01-01"}
    assert page.evaluate("window.selected[1].measure") is not None
    page.locator("#c-kpi .chart-kpi").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.selected.length === 3")
    assert page.evaluate("window.selected[2].keys") == {}

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "charts-1280.png"), full_page=True)
    assert errors == []


def test_charts_fit_a_phone_and_follow_their_box(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = open_charts(chromium, site, errors, width=375, query="?lang=en")
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(len(ECHARTS_TYPES))
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    for name in ECHARTS_TYPES:
        box = page.locator(f"#c-{name} .chart")
        right = box.evaluate("(box) => box.querySelector('canvas').getBoundingClientRect().right")
        assert right <= 375, f"the {name} chart is wider than the phone"
        assert box.evaluate(DRAWN_PIXELS) > 500, f"the {name} chart drew nothing"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "charts-375.png"), full_page=True)

    page.set_viewport_size({"width": 320, "height": 800})  # the box narrows: the chart is redrawn to fit
    canvas = page.locator("#c-line .chart canvas")
    expect(canvas).to_have_attribute("width", str(int(page.locator("#c-line .chart").evaluate(
        "(box) => box.clientWidth * window.devicePixelRatio"))))
    assert errors == []


def test_the_china_map_is_fetched_only_by_a_page_showing_it(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto("/?only=column")
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(1)
    assert not any("echarts-map" in url for url in fetched)
    assert any(url.endswith("/static/vendor/echarts/echarts.min.js") for url in fetched)
    page.goto("/?only=map_china")
    expect(page.locator(".chart[data-drawn=done]")).to_have_count(1)
    assert any(url.endswith("/static/vendor/echarts-map/china.json") for url in fetched)
    page.goto("/?only=table")
    expect(page.locator(".chart-table td.drill").first).to_be_visible()
    assert errors == []
