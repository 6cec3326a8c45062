"""What a walk through the CRM dashboards found hard to read, as the chart data says it: a formula measure's points
and cells are not clickable (no single set of records is behind them), value axes are named by every measure drawn
on them, a lone point of a line shows, curves do not overshoot, a pivot's columns come in their natural order, and
KPI cards read as money, say "nothing in the previous period" once and say so in words when there is no value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.reports.dataset import Column, Dataset, Member
from tests.web.charts import datasets as d
from web.charts import render
from web.i18n import translator
from web.render import environment

WIN_RATE = Column("win_rate", {"zh": "赢率", "en": "Win rate"}, "measure", "percent", 1, drillable=False)
WON = Column("won", {"zh": "赢单", "en": "Won"}, "measure", "number", 0)
LOST = Column("lost", {"zh": "输单", "en": "Lost"}, "measure", "number", 0)


def rate_by_stage() -> Dataset:
    return Dataset([d.STAGE, d.COUNT, WIN_RATE], [[d.LEAD, 12, 0.25], [d.WON, 3, 0.5]],
                   totals={"count": 15, "win_rate": 0.3})


def test_points_and_cells_of_a_formula_measure_are_not_clickable() -> None:
    option = render("dual_axis", rate_by_stage(), {}, "en").context["spec"]["option"]
    bars, line = option["series"]
    assert all("keys" in p for p in bars["data"]) and "cursor" not in bars
    assert all("keys" not in p for p in line["data"]) and line["cursor"] == "default"
    table = render("table", rate_by_stage(), {}, "en").context
    assert [c.keys is None for c in table["lines"][0].cells] == [True, False, True]
    assert [c.keys is None for c in table["total"].cells] == [True, False, True]
    kpi = render("kpi", rate_by_stage(), {"measure": "win_rate"}, "en")
    page = environment.get_template(kpi.template).render(chart=kpi, t=translator("en"), chart_title="t")
    assert "data-keys" not in page and "drill" not in page
    funnel = render("funnel", rate_by_stage(), {"measure": "win_rate"}, "en").context["spec"]["option"]["series"][0]
    assert funnel["cursor"] == "default" and all("keys" not in p for p in funnel["data"])


def test_each_value_axis_is_named_by_the_measures_on_it() -> None:
    won_lost = Dataset([d.MONTH, WON, LOST], [[Member("2026-01-01", {"zh": "1月", "en": "Jan"}), 3, 1]])
    assert render("stacked", won_lost, {}, "en").context["spec"]["option"]["yAxis"]["name"] == "Won / Lost"
    axes = render("dual_axis", rate_by_stage(), {}, "zh").context["spec"]["option"]["yAxis"]
    assert [a["name"] for a in axes] == ["商机数", "赢率"]


def test_a_line_shows_a_lone_point_and_curves_stay_monotone() -> None:
    months = [Member(f"2026-0{m}-01", {"zh": f"{m}月", "en": f"M{m}"}) for m in (1, 2, 3)]
    alone = Dataset([d.MONTH, d.COUNT], [[months[0], 4]])
    series = render("line", alone, {}, "en").context["spec"]["option"]["series"][0]
    assert series["showSymbol"] is True and series["showAllSymbol"] is True
    steady = Dataset([d.MONTH, d.COUNT], [[months[0], 0], [months[1], 9], [months[2], 0]])
    curve = render("line", steady, {"smooth": True}, "en").context["spec"]["option"]["series"][0]
    assert curve["smooth"] is True and curve["smoothMonotone"] == "x" and "showAllSymbol" not in curve


def test_a_pivot_puts_its_columns_in_their_natural_order() -> None:
    # rows sorted by amount: the stages first come won, lead, proposal; the options list lead, proposal, won
    lead, proposal, won = (Member(m.key, m.label, m.color, (0, float(i), "")) for i, m in
                           enumerate((d.LEAD, d.PROPOSAL, d.WON)))
    data = Dataset([d.OWNER, d.STAGE, d.AMOUNT], [
        [d.ANN, won, Decimal("900")], [d.BOB, lead, Decimal("500")], [d.ANN, proposal, Decimal("100")]])
    head = render("pivot", data, {"columns": ["stage"]}, "en").context["head"][0]
    assert [c.text for c in head.cells] == ["Owner", "Lead", "Proposal", "Won", "Total"]


def kpi(value: Any, previous: Any = None, lang: str = "zh") -> dict[str, Any]:
    data = Dataset([d.AMOUNT], [[value]], totals={"amount": value},
                   previous={"amount": previous} if previous is not None else None)
    found: dict[str, Any] = render("kpi", data, {}, lang).context
    return found


def test_a_kpi_reads_as_money_says_things_once_and_says_when_it_is_empty() -> None:
    assert kpi(Decimal("1234567.40"))["text"] == "¥1,234,567"
    new = kpi(Decimal("300"), Decimal("0"))["trend"]
    assert (new.direction, new.text, new.previous) == ("new", "上期为零", "")
    assert kpi(None)["empty"] == "本期无数据" and kpi(None, lang="en")["empty"] == "No data this period"
    assert kpi(Decimal("1"))["empty"] is None
    chart = render("kpi", Dataset([d.AMOUNT], [[None]], totals={"amount": None}), {}, "en")
    page = environment.get_template(chart.template).render(chart=chart, t=translator("en"), chart_title="t")
    assert "No data this period" in page and "—" not in page
    usd = Column("amount", {"zh": "金额", "en": "Amount"}, "measure", "money", 2, "USD")
    assert render("table", Dataset([d.STAGE, usd], [[d.LEAD, Decimal("12.5")]]), {}, "en").context["lines"][0] \
        .cells[1].text == "$12.50"
