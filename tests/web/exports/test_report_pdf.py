"""Reports and lists of blocks as PDF: Chinese text, numbers, the chart drawn (coloured vector shapes, not only
text), the title, the time made, the filters in words and page numbers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.reports.dataset import Column, Dataset, Member
from engine.reports.run import run_report
from tests.web.exports.pdfs import coloured_pixels, page_count, pdf_text
from web.charts import render
from web.exports.pdf import ReportBlock, TextBlock, report_block, render_pdf
from web.exports.words import filter_words

MADE = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_report_pdf_has_its_chart_labels_numbers_and_filters(sales) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["pipeline"]
    block = report_block(sales.ws, sales.admin, report, "zh")
    pdf = render_pdf([block], "zh", "销售漏斗", made=MADE, filters=block.filters)
    assert pdf.startswith(b"%PDF")
    words = pdf_text(pdf)
    assert "销售漏斗" in words and "生成于 2026年12月7日 09:00 GMT+08:00" in words  # the reader's language, the zone
    assert "阶段 不是其中任何一个 输单" in words
    assert "第 1 页,共 1 页" in words
    assert "初步接洽 10" in words and "赢单 13" in words  # the funnel's own labels and values, drawn as SVG text
    assert coloured_pixels(pdf) > 200


def test_a_text_only_pdf_has_no_coloured_shapes(sales) -> None:  # type: ignore[no-untyped-def]
    pdf = render_pdf([TextBlock("本周重点:跟进大客户")], "zh", "看板", made=MADE)
    assert "本周重点:跟进大客户" in pdf_text(pdf)
    assert coloured_pixels(pdf) < 20


def test_blocks_come_in_order_with_tables_pivots_and_kpis_as_html(sales) -> None:  # type: ignore[no-untyped-def]
    ws, admin = sales.ws, sales.admin
    monthly = ws.definitions.reports["monthly"]
    dataset = run_report(ws.records, admin, monthly)
    pivot = ReportBlock("月度成交", render("pivot", dataset, {}, "zh"))
    kpi = report_block(ws, admin, ws.definitions.reports["won_this_month"], "zh")
    bars = report_block(ws, admin, ws.definitions.reports["by_industry"], "en")
    pdf = render_pdf([kpi, TextBlock("第二部分"), pivot, bars], "zh", "销售经理看板", made=MADE)
    words = pdf_text(pdf)
    assert words.index("本月赢单") < words.index("第二部分") < words.index("月度成交") < words.index("By industry")
    assert "2024年1月" in words and "合计" in words
    total = f"{dataset.totals['deals']:,}"
    assert total in words
    assert page_count(pdf) >= 2 and f"共 {page_count(pdf)} 页" in words


def test_filters_read_as_words_in_either_language(sales) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["won_this_month"]
    assert filter_words(sales.ws.records, report, "en") == ["Stage is Won", "Closed at is this month"]


def test_labels_that_look_like_markup_stay_text_and_no_url_is_fetched() -> None:
    stage = Column("stage", {"zh": "阶段", "en": "Stage"}, "dimension", "text")
    deals = Column("deals", "<b>Deals</b>", "measure", "number")
    rows = [[Member("x", '</svg><img src="file:///etc/hostname"><h1>boom'), 3], [Member("y", "<script>x</script>"), 5]]
    ds = Dataset([stage, deals], rows, {"deals": 8})
    blocks = [ReportBlock('<img src="http://127.0.0.1:9/x">', render("bar", ds, {}, "en")),
              ReportBlock("t", render("table", ds, {}, "en"))]
    words = pdf_text(render_pdf(blocks, "en", "<i>t</i>", made=MADE))
    assert '<img src="http://127.0.0.1:9/x">' in words and "<script>x</script> 5" in words
    assert '</svg><img src="file:///etc/hostname"><h1>boom 3' in words and "Total 8" in words


def test_charts_draw_from_a_thread_running_an_event_loop() -> None:
    """mini-racer binds a context to the loop running where it is made and then refuses timeouts: a PDF made where
    a loop runs (a server thread, playwright in tests) still draws its charts."""
    import asyncio

    from web.exports.svg import ChartDrawer

    spec = {"option": {"xAxis": {"type": "category", "data": ["甲"]}, "yAxis": {},
                       "series": [{"type": "bar", "data": [1]}]}, "formats": {}, "lang": "zh"}

    import threading

    async def draw() -> str:
        with ChartDrawer() as drawer:
            return drawer.svg(spec, 300, 200)

    drawn: list[str] = []  # on a thread of its own: the test's thread may itself be running a loop (playwright)
    thread = threading.Thread(target=lambda: drawn.append(asyncio.run(draw())))
    thread.start()
    thread.join()
    assert drawn and "<svg" in drawn[0]


def test_a_label_written_as_javascript_is_drawn_as_text() -> None:
    """Labels reach the embedded V8 as data for JSON.parse, never as source: a label closing the call and
    running code is drawn as its letters."""
    from web.exports.svg import ChartDrawer

    hostile = '"}), globalThis.pwned = 1, ({"a": "'
    spec = {"option": {"xAxis": {"type": "category", "data": [hostile, "__proto__"]}, "yAxis": {},
                       "series": [{"type": "bar", "data": [1, 2], "name": "</svg><script>x</script>"}]},
            "formats": {}, "lang": "en"}
    with ChartDrawer() as drawer:
        svg = drawer.svg(spec, 300, 200)
        assert drawer._v8.eval("typeof globalThis.pwned") == "undefined"
    assert "<script>" not in svg
