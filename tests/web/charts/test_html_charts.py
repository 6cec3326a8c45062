"""Tables, pivots and KPI cards: the cells each shows (subtotals, totals, percent of target, trend) and their HTML."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.reports.dataset import Dataset
from tests.web.charts import datasets as d
from web.charts import Chart, render
from web.i18n import translator
from web.render import environment


def texts(line: Any) -> list[str]:
    return [c.text for c in line.cells]


def html(chart: Chart, lang: str = "zh") -> str:
    return environment.get_template(chart.template).render(chart=chart, t=translator(lang), chart_title="t")


def test_a_table_lists_the_rows_and_a_total_line_from_the_datasets_totals() -> None:
    chart = render("table", d.by_stage(), {}, "en")
    assert [c.text for c in chart.context["head"]] == ["Stage", "Deals", "Amount"]
    assert [texts(line) for line in chart.context["lines"]] == [
        ["Lead", "12", "¥120,000.00"], ["Proposal", "5", "¥250,000.50"], ["Won", "3", "¥90,000.00"]]
    assert texts(chart.context["total"]) == ["Total", "20", "¥460,000.50"]
    assert chart.context["lines"][1].cells[2].keys == {"stage": "proposal"}
    page = html(chart, "en")
    assert 'data-keys="{&#34;stage&#34;:&#34;proposal&#34;}"' in page and "<tfoot>" in page


def test_a_pivot_crosses_owners_and_stages_with_subtotals_per_owner_and_totals() -> None:
    chart = render("pivot", d.by_owner_stage_quarter(), {"rows": ["owner", "stage"], "columns": ["month"]}, "en")
    head = chart.context["head"]
    assert texts(head[0]) == ["Owner", "Stage", "2026 Q1", "2026 Q2", "Total"]
    assert [c.colspan for c in head[0].cells[2:]] == [2, 2, 2]
    assert texts(head[1]) == ["Deals", "Win rate"] * 3
    lines = chart.context["lines"]
    assert [(line.kind, texts(line)) for line in lines] == [
        ("row", ["Ann", "Lead", "4", "50.0%", "3", "25.0%", "7", "—"]),
        ("row", ["", "Won", "1", "100.0%", "—", "—", "1", "100.0%"]),
        ("subtotal", ["Ann subtotal", "", "5", "—", "3", "25.0%", "8", "—"]),
        ("row", ["Bob", "Lead", "2", "0.0%", "—", "—", "2", "0.0%"]),
        ("row", ["", "Won", "—", "—", "2", "50.0%", "2", "50.0%"]),
        ("subtotal", ["Bob subtotal", "", "2", "0.0%", "2", "50.0%", "4", "—"]),
        ("total", ["Total", "", "7", "—", "5", "—", "12", "40.0%"]),
    ]
    # Counts add up; a rate is not summed (a group of one row shows that row's rate); the grand total is the
    # dataset's own over every record.
    assert lines[2].cells[2].keys == {"owner": 1, "month": "2026-01-01"}
    assert lines[2].cells[6].keys == {"owner": 1}
    assert lines[0].cells[4].keys == {"owner": 1, "stage": "lead", "month": "2026-04-01"}
    assert lines[-1].cells[2].keys == {"month": "2026-01-01"} and lines[-1].cells[-1].keys == {}
    page = html(chart, "en")
    assert 'class="line-subtotal"' in page and 'colspan="2"' in page and 'rowspan="2"' in page


def test_a_pivot_without_column_dimensions_and_with_summable_measures_named() -> None:
    chart = render("pivot", d.by_owner_stage_quarter(), {"rows": ["owner"], "summable": ["count", "rate"]}, "zh")
    assert texts(chart.context["head"][0]) == ["负责人", "商机数", "赢单率"]
    assert [texts(line) for line in chart.context["lines"]] == [
        ["安妮", "8", "175.0%"], ["鲍勃", "4", "50.0%"], ["合计", "12", "40.0%"]]
    default = render("pivot", d.by_stage_and_owner(), {}, "zh")  # two dimensions: the last goes across
    assert texts(default.context["head"][0]) == ["阶段", "安妮", "鲍勃", "合计"]


def test_a_kpi_shows_the_total_the_percent_of_its_target_and_the_change_on_the_previous_period() -> None:
    chart = render("kpi", d.won_this_month({"amount": 400000}), {"target": 500000}, "zh")
    k = chart.context
    # a headline in whole units (the exact amount in its tooltip), as money with its currency sign
    assert (k["label"], k["text"], k["exact"], k["target"]) == ("金额", "¥460,001", "¥460,000.50", "目标 ¥500,000")
    assert k["reached"] == pytest.approx(0.920001) and k["reached_text"] == "完成目标的 92.0%"
    assert (k["trend"].direction, k["trend"].text, k["trend"].previous) == \
        ("up", "较上期增长 15.0%", "上期 ¥400,000")
    en = render("kpi", d.won_this_month({"amount": 500000, "cycle": 30}), {"measure": "cycle"}, "en").context
    assert en["text"] == "32.5 d" and en["target"] is None and en["reached"] is None
    assert en["trend"].direction == "up" and en["trend"].text == "Up 8.3% on the previous period"
    down = render("kpi", d.won_this_month({"amount": 920001}), {}, "en").context["trend"]
    assert (down.direction, down.text) == ("down", "Down 50.0% on the previous period")
    assert render("kpi", d.won_this_month({"amount": 0}), {}, "en").context["trend"].direction == "new"
    assert render("kpi", d.won_this_month(), {}, "en").context["trend"] is None
    page = html(chart)
    assert "<meter" in page and "完成目标的 92.0%" in page and "kpi-up" in page and 'data-keys="{}"' in page


def test_a_kpi_may_take_its_target_from_a_measure() -> None:
    data = Dataset([d.AMOUNT, d.Column("goal", {"zh": "目标", "en": "Goal"}, "measure", "money")],
                   [[400, 800]], totals={"amount": 400, "goal": 800})
    assert render("kpi", data, {"target_measure": "goal"}, "en").context["reached_text"] == "50.0% of target"


def test_an_empty_table_says_so() -> None:
    chart = render("table", Dataset([d.STAGE, d.COUNT]), {}, "en")
    assert "No data" in html(chart, "en")
    assert "暂无数据" in html(render("pivot", Dataset([d.STAGE, d.COUNT]), {}, "zh"))


def test_the_echarts_partial_carries_the_spec_exactly() -> None:
    chart = render("column", d.by_stage(), {}, "zh")
    page = html(chart)
    start = page.index('data-chart="') + len('data-chart="')
    import html as html_module
    assert json.loads(html_module.unescape(page[start:page.index('"', start)])) == chart.context["spec"]
