"""Pie, ring, funnel, gauge, radar, China map and scatter charts: the ECharts option each draws from a dataset."""

from __future__ import annotations

from typing import Any

from engine.reports.dataset import Dataset, Member
from tests.web.charts import datasets as d
from web.charts import render
from web.charts.provinces import map_name


def option(name: str, dataset: Any, options: dict[str, Any] | None = None, lang: str = "zh") -> dict[str, Any]:
    found = render(name, dataset, options, lang).context["spec"]["option"]
    assert isinstance(found, dict)
    return found


def test_pie_labels_are_in_the_viewers_language_with_colours_and_keys() -> None:
    [zh] = option("pie", d.by_stage(), {"measure": "amount"})["series"]
    assert zh["type"] == "pie" and zh["name"] == "金额"
    assert [p["name"] for p in zh["data"]] == ["线索", "方案", "赢单"]
    assert zh["data"][0] == {"name": "线索", "value": 120000.0, "text": "¥120,000.00", "keys": {"stage": "lead"}, "measure": "amount",
                             "itemStyle": {"color": "#3b82f6"}}
    [en] = option("pie", d.by_stage(), lang="en")["series"]
    assert [p["name"] for p in en["data"]] == ["Lead", "Proposal", "Won"] and en["name"] == "Deals"
    assert isinstance(zh["radius"], str)


def test_a_ring_is_a_pie_with_a_hole_and_others_and_no_value_have_their_own_words() -> None:
    data = Dataset([d.STAGE, d.COUNT], [[d.LEAD, 5], [Member(None, {}), 2], [Member("__others__", {}), 3]])
    [zh] = option("ring", data)["series"]
    assert zh["type"] == "pie" and len(zh["radius"]) == 2
    assert [p["name"] for p in zh["data"]] == ["线索", "(空)", "其他"]
    [en] = option("ring", data, lang="en")["series"]
    assert [p["name"] for p in en["data"]] == ["Lead", "(No value)", "Others"]
    assert en["data"][2]["keys"] == {"stage": "__others__"} and en["data"][1]["keys"] == {"stage": None}


def test_a_funnel_keeps_the_stage_order_and_labels_each_stage_with_its_value() -> None:
    [series] = option("funnel", d.by_stage(), {"measure": "amount"})["series"]
    assert series["type"] == "funnel" and series["sort"] == "none"
    assert [p["keys"] for p in series["data"]] == [{"stage": "lead"}, {"stage": "proposal"}, {"stage": "won"}]
    assert series["data"][1]["label"] == {"formatter": "方案  ¥250,000.50"}


def test_a_gauge_ends_at_the_target_and_shows_the_total() -> None:
    [series] = option("gauge", d.won_this_month(), {"target": 500000}, "en")["series"]
    assert series["type"] == "gauge" and series["max"] == 500000
    [point] = series["data"]
    assert point["value"] == 460000.5 and point["text"] == "¥460,000.50" and point["keys"] == {}
    assert point["name"] == "Amount\nTarget ¥500,000.00"
    [rounded] = option("gauge", d.won_this_month())["series"]
    assert rounded["max"] == 500000  # no target: the round number above the value
    [rate] = option("gauge", d.by_month(), {"measure": "rate"})["series"]
    assert rate["max"] == 1 and rate["data"][0]["text"] == "24.0%"


def test_a_radar_has_a_spoke_per_category_and_a_polygon_per_owner() -> None:
    found = option("radar", d.by_stage_and_owner(), lang="en")
    assert [i["name"] for i in found["radar"]["indicator"]] == ["Lead", "Proposal", "Won"]
    assert found["radar"]["indicator"][0]["max"] >= 7
    ann, bob = found["series"][0]["data"]
    assert (ann["name"], ann["value"], ann["keys"]) == ("Ann", [7, 5, 1], {"owner": 1})
    assert bob["value"] == [5, None, 2]


def test_the_china_map_names_provinces_as_the_map_does_and_leaves_out_others() -> None:
    found = render("map_china", d.by_province(), {}, "zh").context["spec"]
    assert found["map"] == "china"
    [series] = found["option"]["series"]
    assert series["type"] == "map" and series["map"] == "china"
    assert [(p["name"], p["value"]) for p in series["data"]] == [("广东", 40), ("广东", 1), ("北京", 25), ("内蒙古", 4)]
    assert series["data"][0]["keys"] == {"province": "广东省"}
    assert found["option"]["visualMap"]["max"] == 40
    [en] = option("map_china", d.by_province(), lang="en")["series"]
    assert en["nameMap"]["广东"] == "Guangdong" and en["data"][0]["name"] == "Guangdong"


def test_province_names_codes_and_english_find_the_map_name() -> None:
    assert map_name("广东省") == map_name("广东") == map_name("Guangdong") == map_name("440305") == "广东"
    assert map_name("新疆维吾尔自治区") == "新疆" and map_name("香港特别行政区") == "香港"
    assert map_name(None, "", "Inner Mongolia") == "内蒙古"
    assert map_name("__others__") is None and map_name("990000") is None


def test_a_scatter_places_each_owner_by_two_measures() -> None:
    found = render("scatter", d.by_owner_scatter(), {}, "en").context["spec"]
    [series] = found["option"]["series"]
    assert series["type"] == "scatter"
    ann = series["data"][0]
    assert (ann["name"], ann["value"], ann["keys"]) == ("Ann", [13, 350000.5], {"owner": 1})
    assert ann["text"] == "Deals 13 · Amount ¥350,000.50"
    assert found["option"]["xAxis"]["name"] == "Deals" and found["option"]["yAxis"]["name"] == "Amount"
    assert found["formats"]["yAxis"] == [{"kind": "money", "currency": "CNY"}]
