"""Real Chromium through every CRM dashboard with the CRM's sample data, as its users see them (in Chinese): management
(赵磊) opens each dashboard of theirs, a sales rep (李娜) hers. Every box shows a drawn chart, a table, a KPI or "no
data" in words — never an error or an option's code — without console errors and without sideways scroll at 375 px;
the rep gets 403 on management's dashboard and no link to it. A click on a column, a funnel slice, a bar or a KPI
card lands on the list of exactly the clicked number, under each viewer's own scope. Screenshots at 1280 and 375 px
go to /tmp/shots-f14-crmwalk for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from engine.gallery.catalog import find
from engine.gallery.install import install
from tests.conftest import open_workspace
from tests.crm_sample import crm_sample
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
PASSWORD = crm_sample()["password"]
SHOTS = Path("/tmp/shots-f14-crmwalk")  # for a person to look at; nothing asserts on them

# Every dashboard of the template: {id: (app, roles)}, read from its documents.
DASHBOARDS = {doc["dashboard"]: (path.parents[1].name, doc.get("roles") or [])
              for path in sorted(CRM.glob("*/dashboards/*.yaml"))
              for doc in [yaml.safe_load(path.read_text(encoding="utf-8"))]}
MANAGEMENT = sorted(d for d, (_, roles) in DASHBOARDS.items() if "management" in roles)
REP = sorted(d for d, (_, roles) in DASHBOARDS.items() if "sales_rep" in roles)

# Option values of the CRM's forms that would betray a code shown instead of its label (stages, statuses,
# industries, provinces, lead sources, ticket types).
CODES = ("won", "lost", "proposal", "negotiation", "in_progress", "resolved", "guangdong", "zhejiang", "software",
         "hardware", "web_form", "cold_call", "online_ad", "key_account", "fault", "consult", "null", "None",
         "undefined", "NaN")

# Every chart box has settled: drawn, or failed (charts.js marks a box it could not draw).
SETTLED = """() => [...document.querySelectorAll('.chart[data-chart]')]
  .every((box) => box.dataset.drawn === 'done' || box.dataset.drawn === 'failed')"""

# How many pixels of a chart box's canvas are painted (0 while ECharts has not drawn its first frame).
PAINTED = """(box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
  return drawn;
}"""

ALL_PAINTED = """() => [...document.querySelectorAll('.chart[data-chart]')].every((box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return false;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
  return false;
})"""

# A chart's first series as [[name, value], …]: the axis categories of a bar or column, the slices of a funnel.
POINTS = """(box) => {
  const option = window.echarts.getInstanceByDom(box).getOption();
  const series = option.series[0];
  if (!option.xAxis || !option.xAxis.length) return series.data.map((d) => [d.name, d.value]);
  const axis = option.xAxis[0].type === "category" ? option.xAxis[0] : option.yAxis[0];
  return series.data.map((d, i) => [axis.data[i], d.value]);
}"""

# Where the i-th point of the first series is drawn, in page coordinates, from the layout ECharts gave it: the middle
# of a bar (beside the other series' bars in its category) or of a funnel slice (its four corners).
POINT_AT = """(box, i) => {
  const chart = window.echarts.getInstanceByDom(box);
  const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
  const rect = box.getBoundingClientRect();
  if (layout.points) {
    const x = layout.points.reduce((s, p) => s + p[0], 0) / layout.points.length;
    const y = layout.points.reduce((s, p) => s + p[1], 0) / layout.points.length;
    return [rect.left + x, rect.top + y];
  }
  return [rect.left + layout.x + layout.width / 2, rect.top + layout.y + layout.height / 2];
}"""


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("crmwalk")
    ws = open_workspace(f"sqlite:///{root / 'crm.db'}", root / "ws")
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    with live_server(ws) as url:
        yield url
    ws.close()


def board_url(dashboard: str) -> str:
    return f"/apps/{DASHBOARDS[dashboard][0]}/dashboards/{dashboard}"


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def settled(page: Any) -> None:
    """Every chart on the page drawn (or failed) and painted on its canvas."""
    expect(page.locator("#board")).to_be_visible()
    page.wait_for_function(SETTLED)
    assert page.locator(".chart[data-drawn=failed]").count() == 0, "a chart could not be drawn"
    page.wait_for_function(ALL_PAINTED)


def check_boxes(page: Any, where: str) -> None:
    """Each report box shows a painted chart or words (a table, a KPI, "no data"), never an error or a code."""
    boxes = page.locator(".board-item[data-report]")
    assert boxes.count() > 0, where
    for i in range(boxes.count()):
        box = boxes.nth(i)
        report = box.get_attribute("data-report")
        assert box.locator(".notice.error, .error").count() == 0, f"{where}: {report} shows an error"
        chart = box.locator(".chart[data-chart]")
        if chart.count():
            size = chart.evaluate("(b) => { const c = b.querySelector('canvas'); "
                                  "const r = c.getBoundingClientRect(); return [r.width, r.height]; }")
            assert size[0] > 50 and size[1] > 50, f"{where}: {report}'s chart is {size}"
            assert chart.evaluate(PAINTED) > 200, f"{where}: {report}'s chart is blank"
        else:
            shown = box.locator(".chart-table table, .chart-kpi .kpi-value, .chart-empty")
            assert shown.count() > 0, f"{where}: {report} shows neither a chart nor a table, KPI or message"
            assert shown.first.inner_text().strip(), f"{where}: {report} is empty"
        assert box.bounding_box()["height"] > 40, f"{where}: {report} is cut off"
    text = page.locator("#board").inner_text()
    for code in CODES:
        assert not re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", text), f"{where} shows the code {code!r}"
    assert page.locator(".board-refused").count() == 0, page.locator(".board-refused").all_inner_texts()


def no_sideways_scroll(page: Any, where: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"


def walk(chromium: Any, url: str, username: str, dashboards: list[str]) -> None:  # noqa: F811
    for width, height in ((1280, 900), (375, 800)):
        errors: list[str] = []
        page = new_page(chromium, url, width=width, height=height, errors=errors)
        sign_in(page, username, PASSWORD)
        for dashboard in dashboards:
            answer = page.goto(board_url(dashboard))
            assert answer is not None and answer.status == 200, (dashboard, answer and answer.status)
            settled(page)
            where = f"{username}'s {dashboard} at {width}px"
            check_boxes(page, where)
            if width == 375:
                no_sideways_scroll(page, where)
                widths = page.locator(".board-item").evaluate_all(
                    "(els) => els.map((e) => e.getBoundingClientRect().right)")
                assert max(widths) <= 375, f"{where}: a box is cut off at the right"
            shoot(page, f"{username}-{dashboard}-{width}")
        page.context.close()
        assert errors == [], "\n".join(errors)


def points(page: Any, report: str) -> list[list[Any]]:
    found: list[list[Any]] = page.locator(f'[data-report="{report}"] .chart').evaluate(POINTS)
    return found


def click_point(page: Any, report: str, index: int, modifiers: list[str] | None = None) -> None:
    box = page.locator(f'[data-report="{report}"] .chart')
    box.scroll_into_view_if_needed()
    x, y = box.evaluate(POINT_AT, index)
    for key in modifiers or []:
        page.keyboard.down(key)
    page.mouse.click(x, y)
    for key in modifiers or []:
        page.keyboard.up(key)


def listed(page: Any, form_path: str) -> int:
    page.wait_for_url(f"**{form_path}?**")
    return int(page.locator("#total").inner_text().split()[0])


def biggest(found: list[list[Any]]) -> int:
    """The index of the largest point (a point of 0 draws nothing to click)."""
    return max(range(len(found)), key=lambda i: found[i][1] or 0)


def kpi_number(page: Any, report: str) -> int:
    text = page.locator(f'[data-report="{report}"] .kpi-value').inner_text()
    return int(re.sub(r"[^\d]", "", text))


def test_management_sees_each_of_their_dashboards_drawn(chromium: Any, crm: str) -> None:  # noqa: F811
    assert len(MANAGEMENT) == 6 and "sales_rep" not in MANAGEMENT
    walk(chromium, crm, "zhaolei", MANAGEMENT)


def test_a_rep_sees_hers_and_not_managements(chromium: Any, crm: str) -> None:  # noqa: F811
    assert REP == ["attention", "sales_rep"]
    walk(chromium, crm, "lina", REP)
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page, "lina", PASSWORD)
    for dashboard in sorted(set(DASHBOARDS) - set(REP)):
        answer = page.goto(board_url(dashboard))
        assert answer is not None and answer.status == 403, (dashboard, answer and answer.status)
    for where in ("/", board_url("sales_rep")):
        page.goto(where)
        assert page.locator(f'a[href="{board_url("management")}"]').count() == 0, where
        assert page.locator(f'a[href="{board_url("sales_rep")}"]').count() > 0, where
    page.context.close()
    boss = new_page(chromium, crm, errors=errors)
    sign_in(boss, "zhaolei", PASSWORD)
    boss.goto("/")
    assert boss.locator(f'a[href="{board_url("management")}"]').count() > 0
    boss.context.close()
    assert errors == [], "\n".join(errors)


def test_management_drills_down_from_a_column_and_a_kpi(chromium: Any, crm: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page, "zhaolei", PASSWORD)
    page.goto(board_url("management"))
    settled(page)
    found = points(page, "new_clients_trend")
    i = biggest(found)
    assert found[i][1] > 0, found
    click_point(page, "new_clients_trend", i)
    assert listed(page, "/apps/client/client") == found[i][1], found[i]
    shoot(page, "zhaolei-drill-column-1280")

    page.goto(board_url("management"))
    settled(page)
    number = kpi_number(page, "new_clients_this_month")
    page.locator('[data-report="new_clients_this_month"] .chart-kpi').click()
    assert listed(page, "/apps/client/client") == number

    # the sales manager's funnel links to the stalled deals: Ctrl-click drills down instead
    page.goto(board_url("sales_manager"))
    settled(page)
    funnel = points(page, "sales_funnel")
    i = biggest(funnel)
    click_point(page, "sales_funnel", i, ["Control"])
    assert listed(page, "/apps/opportunity/opportunity") == funnel[i][1], funnel[i]
    shoot(page, "zhaolei-drill-funnel-1280")
    page.context.close()
    assert errors == [], "\n".join(errors)


def test_a_rep_drills_down_within_her_own_scope(chromium: Any, crm: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page, "lina", PASSWORD)
    page.goto(board_url("sales_rep"))
    settled(page)
    funnel = points(page, "my_pipeline")
    i = biggest(funnel)
    assert funnel[i][1] > 0, funnel
    click_point(page, "my_pipeline", i)
    assert listed(page, "/apps/opportunity/opportunity") == funnel[i][1], funnel[i]
    shoot(page, "lina-drill-funnel-1280")

    # the clients needing attention, by owner: the rep sees only her own (a linking chart: Ctrl-click drills)
    page.goto(board_url("attention"))
    settled(page)
    owners = points(page, "attention_by_owner")
    assert [name for name, _ in owners] == ["李娜"], owners
    click_point(page, "attention_by_owner", 0, ["Control"])
    assert listed(page, "/apps/client/client") == owners[0][1], owners
    shoot(page, "lina-drill-bar-1280")
    page.context.close()
    assert errors == [], "\n".join(errors)


# Where the value of the i-th point of series `s` is drawn, in page coordinates (a line's symbol, a bar's top).
SERIES_POINT_AT = """(box, [s, i]) => {
  const chart = window.echarts.getInstanceByDom(box);
  const data = chart.getModel().getSeriesByIndex(s).getData();
  const at = chart.convertToPixel({ seriesIndex: s }, [i, data.get(data.mapDimension("y"), i)]);
  const rect = box.getBoundingClientRect();
  return [rect.left + at[0], rect.top + at[1]];
}"""


def test_a_formula_point_is_not_clickable_and_a_bar_is(chromium: Any, crm: str) -> None:  # noqa: F811
    """The lead conversion per owner: its rate line (a formula over two counts) shows no hand and a click on it stays
    on the dashboard; a bar of the same chart shows a hand and drills down."""
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page, "zhaolei", PASSWORD)
    page.goto(board_url("sales_manager"))
    settled(page)
    box = page.locator('[data-report="lead_conversion_by_owner"] .chart')
    box.scroll_into_view_if_needed()
    x, y = box.evaluate(SERIES_POINT_AT, [1, 0])  # the rate line's first point
    page.mouse.move(x, y)
    page.wait_for_function("(box) => box.firstElementChild.style.cursor === 'default'", arg=box.element_handle())
    here = page.url
    page.mouse.click(x, y)
    expect(page.locator('[data-report="lead_conversion_by_owner"]')).to_be_visible()
    assert page.url == here
    x, y = box.evaluate(SERIES_POINT_AT, [0, 0])  # the first bar (leads): clickable
    page.mouse.move(x, y + 20)
    page.wait_for_function("(box) => box.firstElementChild.style.cursor === 'pointer'", arg=box.element_handle())
    page.mouse.click(x, y + 20)
    assert listed(page, "/apps/lead/lead") > 0
    page.context.close()
    assert errors == [], "\n".join(errors)


def test_the_funnel_counts_the_deals_that_reached_each_stage(chromium: Any, crm: str) -> None:  # noqa: F811
    """The sales funnel narrows (a won deal counts in every earlier stage), and a step's drill-down lists exactly
    the deals it counts; money reads as ¥ on the KPI cards; a pivot's months run in order."""
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page, "zhaolei", PASSWORD)
    page.goto(board_url("sales_manager"))
    settled(page)
    funnel = points(page, "sales_funnel")
    counts = [n for _, n in funnel]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] > 0, funnel
    months = page.locator('[data-report="target_vs_actual"] thead tr').first.locator("th.num").all_inner_texts()
    periods = [m for m in months if re.match(r"\d{4}-\d{2}", m)]
    assert periods and periods == sorted(periods), months
    click_point(page, "sales_funnel", 0, ["Control"])  # the first step: every deal that reached a stage
    assert listed(page, "/apps/opportunity/opportunity") == counts[0]
    page.goto(board_url("management"))
    settled(page)
    assert page.locator('[data-report="won_this_month"] .kpi-value').inner_text().startswith("¥")
    assert "." not in page.locator('[data-report="pipeline_value"] .kpi-value').inner_text()
    assert "上期 0" not in page.locator("#board").inner_text()
    page.context.close()
    assert errors == [], "\n".join(errors)


def test_on_a_phone_tables_scroll_inside_their_boxes(chromium: Any, crm: str) -> None:  # noqa: F811
    """At 375 px the stalled deals and the target-vs-actual pivot stay inside their boxes and scroll there; charts
    keep a readable height; the page never scrolls sideways."""
    errors: list[str] = []
    page = new_page(chromium, crm, width=375, height=800, errors=errors)
    sign_in(page, "zhaolei", PASSWORD)
    page.goto(board_url("sales_manager"))
    settled(page)
    no_sideways_scroll(page, "sales_manager at 375px")
    for report, way in (("stalled_deals", "down"), ("target_vs_actual", "across")):
        body = page.locator(f'[data-report="{report}"] .board-body')
        size = body.evaluate("(b) => [b.scrollWidth, b.clientWidth, b.scrollHeight, b.clientHeight]")
        if way == "down":
            assert size[2] > size[3] and size[3] <= 460, (report, size)  # a long table scrolls inside its box
        else:
            assert size[0] > size[1], (report, size)  # a wide pivot scrolls across inside its box
        assert page.locator(f'[data-report="{report}"]').bounding_box()["width"] <= 375
        header = page.locator(f'[data-report="{report}"] thead th').first
        body.evaluate("(b) => { b.scrollTop = 200; }")
        assert header.bounding_box()["y"] >= body.bounding_box()["y"] - 1  # the head stays in sight
    heights = page.locator(".board-body .chart").evaluate_all("(els) => els.map((e) => e.clientHeight)")
    assert heights and min(heights) >= 200, heights
    page.context.close()
    assert errors == [], "\n".join(errors)
