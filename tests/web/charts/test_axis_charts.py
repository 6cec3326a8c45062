"""Column, bar, stacked, line, area and dual-axis charts: the ECharts option each draws from a dataset."""

from __future__ import annotations

from typing import Any

from tests.web.charts import datasets as d
from web.charts import render


def spec(name: str, dataset: Any, options: dict[str, Any] | None = None, lang: str = "zh") -> dict[str, Any]:
    found = render(name, dataset, options, lang).context["spec"]
    assert isinstance(found, dict)
    return found


def test_a_column_chart_has_the_categories_in_row_order_and_each_bar_carries_its_keys_colour_and_text() -> None:
    option = spec("column", d.by_stage())["option"]
    assert option["xAxis"]["type"] == "category"
    assert option["xAxis"]["data"] == ["线索", "方案", "赢单"]
    assert option["yAxis"]["type"] == "value"
    [series] = option["series"]  # the count only: an amount on the same axis would flatten it
    assert series["type"] == "bar" and series["name"] == "商机数"
    assert series["data"][1] == {"value": 5, "text": "5", "keys": {"stage": "proposal"}, "measure": "count",
                                 "itemStyle": {"color": "#f59e0b"}}


def test_named_measures_are_drawn_and_the_axis_says_how_to_label_money() -> None:
    found = spec("column", d.by_stage(), {"measures": ["amount"]})
    [series] = found["option"]["series"]
    assert series["data"][1]["value"] == 250000.5 and series["data"][1]["text"] == "¥250,000.50"
    assert found["formats"] == {"yAxis": [{"kind": "money", "currency": "CNY"}]}
    usd = spec("column", d.by_stage(), {"measures": ["amount"], "currency": "USD"}, "en")
    assert usd["option"]["series"][0]["data"][0]["text"] == "$120,000.00"


def test_a_bar_chart_lies_sideways_with_the_first_row_on_top() -> None:
    found = spec("bar", d.by_stage(), lang="en")
    option = found["option"]
    assert option["yAxis"] == {"type": "category", "data": ["Lead", "Proposal", "Won"],
                               "axisLabel": {"hideOverlap": True}, "inverse": True}
    assert option["xAxis"]["type"] == "value"
    assert list(found["formats"]) == ["xAxis"]


def test_a_stacked_chart_has_a_series_per_member_of_the_second_dimension_sharing_one_stack() -> None:
    option = spec("stacked", d.by_stage_and_owner(), lang="en")["option"]
    assert option["xAxis"]["data"] == ["Lead", "Proposal", "Won"]
    assert [s["name"] for s in option["series"]] == ["Ann", "Bob"]
    assert all(s["stack"] == "total" and s["type"] == "bar" for s in option["series"])
    bob = option["series"][1]["data"]
    assert [p["value"] for p in bob] == [5, None, 2]  # Bob has no proposal: an empty point, still in place
    assert bob[1] == {"value": None, "text": "—", "keys": {"stage": "proposal", "owner": 2},
                      "measure": "count"}
    assert bob[2]["keys"] == {"stage": "won", "owner": 2}
    assert option["legend"]["data"] == ["Ann", "Bob"]
    sideways = spec("stacked", d.by_stage_and_owner(), {"horizontal": True})["option"]
    assert sideways["yAxis"]["type"] == "category" and sideways["series"][0]["stack"] == "total"


def test_series_of_members_take_the_members_colours() -> None:
    from engine.reports.dataset import Dataset
    data = d.by_stage_and_owner()
    swapped = Dataset([d.OWNER, d.STAGE, d.COUNT, d.AMOUNT],
                      [[r[1], r[0], r[2], r[3]] for r in data.rows], data.totals)
    option = spec("stacked", swapped)["option"]
    assert [(s["name"], s["itemStyle"]["color"]) for s in option["series"]] == \
        [("线索", "#3b82f6"), ("方案", "#f59e0b"), ("赢单", "#10b981")]


def test_line_and_area_charts() -> None:
    line = spec("line", d.by_month(), {"measures": ["amount"], "smooth": True})["option"]
    assert line["xAxis"]["data"] == ["2026年1月", "2026年2月", "2026年3月", "2026年4月"]
    [series] = line["series"]
    assert series["type"] == "line" and series["smooth"] is True and "areaStyle" not in series
    assert series["data"][0]["keys"] == {"month": "2026-01-01"}
    area = spec("area", d.by_stage_and_owner(), {"stack": True})["option"]
    assert all(s["type"] == "line" and "areaStyle" in s and s["stack"] == "total" for s in area["series"])


def test_a_dual_axis_chart_has_two_value_axes_bars_on_the_left_and_a_line_on_the_right() -> None:
    found = spec("dual_axis", d.by_month(), lang="en")
    option = found["option"]
    assert [a["name"] for a in option["yAxis"]] == ["Amount", "Win rate"]
    bars, line = option["series"]
    assert (bars["type"], bars["yAxisIndex"], line["type"], line["yAxisIndex"]) == ("bar", 0, "line", 1)
    assert line["data"][1] == {"value": 0.25, "text": "25.0%", "keys": {"month": "2026-02-01"}, "measure": "rate"}
    assert found["formats"] == {"yAxis": [{"kind": "money", "currency": "CNY"}, {"kind": "percent"}]}
    chosen = spec("dual_axis", d.by_month(), {"left": ["rate"], "right": ["amount"]})["option"]
    assert [s["name"] for s in chosen["series"]] == ["赢单率", "金额"]
    assert chosen["series"][0]["type"] == "bar"


def test_an_empty_dataset_draws_no_data() -> None:
    from engine.reports.dataset import Dataset
    option = spec("column", Dataset([d.STAGE, d.COUNT]), lang="en")["option"]
    assert option["title"]["text"] == "No data" and "series" not in option
