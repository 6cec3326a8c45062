"""The chart registry: every type the report documents name, options described, unfit datasets refused in words,
numbers formatted by what they are, and every option plain JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from engine.reports.dataset import Column, Dataset
from tests.web.charts import datasets as d
from web.charts import ChartUnfit, chart_type, chart_types, render
from web.charts.numbers import format_value
from web.i18n import TEXTS

ALL = {"table", "pivot", "kpi", "bar", "column", "stacked", "line", "area", "dual_axis", "pie", "ring", "funnel",
       "gauge", "radar", "map_china", "scatter"}


def test_every_chart_type_is_registered_with_a_label_in_both_languages_and_its_options_schema() -> None:
    types = chart_types()
    assert set(types) == ALL
    for name, found in types.items():
        assert found.name == name and set(found.label) == {"zh", "en"}
        assert isinstance(found.options_schema, dict)
        assert found.template.startswith("charts/")


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_chart_type_draws_a_dataset_as_plain_json_in_both_languages(name: str) -> None:
    dataset = d.by_owner_scatter() if name in ("scatter", "dual_axis") else d.by_stage_and_owner()
    for lang in ("zh", "en"):
        chart = render(name, dataset, {}, lang)
        assert chart.type == name
        if "spec" in chart.context:
            assert json.loads(chart.spec_json) == chart.context["spec"]
            assert chart.context["spec"]["lang"] == lang


def test_a_dataset_without_what_the_chart_draws_is_refused_in_words() -> None:
    one_measure = Dataset([d.STAGE, d.COUNT], [[d.LEAD, 3]])
    with pytest.raises(ChartUnfit) as refused:
        render("scatter", one_measure)
    assert refused.value.message("zh") == "“散点图”图表至少需要 1 个维度和 2 个指标"
    assert refused.value.message("en") == "A Scatter chart needs at least 1 dimension(s) and 2 measure(s)"
    with pytest.raises(ChartUnfit):
        render("pie", Dataset([d.COUNT], [[3]]))
    with pytest.raises(KeyError):
        chart_type("sunburst")
    assert render("kpi", Dataset([d.COUNT], [[3]], {"count": 3})).context["text"] == "3"


def test_numbers_are_formatted_by_kind() -> None:
    plain_number = Column("n", "n", "measure")
    assert format_value(plain_number, 1234, "zh") == "1,234"
    assert format_value(plain_number, 1234.5, "zh") == "1,234.50"
    assert format_value(plain_number, None, "zh") == "—"
    assert format_value(d.AMOUNT, Decimal("-1234.5"), "zh") == "-¥1,234.50"
    assert format_value(d.AMOUNT, 10, "en", "EUR") == "€10.00"
    assert format_value(d.AMOUNT, 10, "en", "CHF") == "CHF 10.00"
    assert format_value(d.RATE, 0.256, "zh") == "25.6%"
    assert format_value(Column("r", "r", "measure", "percent", 0), 0.256, "zh") == "26%"
    assert format_value(d.CYCLE, 12.25, "zh") == "12.3 天" and format_value(d.CYCLE, 12, "en") == "12.0 d"


def test_chart_texts_are_in_both_languages_and_in_the_pages_texts() -> None:
    from web.texts.charts import TEXTS as CHART_TEXTS
    for key, entry in CHART_TEXTS.items():
        assert set(entry) == {"zh", "en"} and TEXTS[key] == entry
