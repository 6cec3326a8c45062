"""The API's ad hoc questions as words (`ordered_on:month`, `sum:amount`) and as the reports the engine runs."""

from __future__ import annotations

import pytest

from engine.errors import QueryInvalid
from engine.records.model import Filter
from engine.reports.adhoc import MAX_GROUPS, Grouping, Measure, Question, as_report, grouping, measure


@pytest.mark.parametrize("word, expected", [
    ("stage", Grouping("stage")), ("close_date:month", Grouping("close_date", "month")),
    ("client.grade", Grouping("client.grade")), ("client.since:year", Grouping("client.since", "year")),
])
def test_groupings_are_a_field_and_an_optional_bucket(word: str, expected: Grouping) -> None:
    assert grouping(word) == expected and expected.name == word


@pytest.mark.parametrize("word, expected", [
    ("count", Measure("count")), ("sum:amount", Measure("sum", "amount")), ("avg:client.credit",
                                                                          Measure("avg", "client.credit")),
    ("min:amount", Measure("min", "amount")), ("max:amount", Measure("max", "amount")),
])
def test_measures_are_count_or_an_aggregate_of_a_field(word: str, expected: Measure) -> None:
    assert measure(word) == expected and expected.name == word


@pytest.mark.parametrize("word", ["median:amount", "sum", "sum:", "count:amount", "count:", "", "amount"])
def test_other_measures_are_refused_naming_them(word: str) -> None:
    with pytest.raises(QueryInvalid) as caught:
        measure(word)
    assert caught.value.error.code == "bad_measure" and f"'{word}'" in caught.value.error.message("en")


def test_an_unknown_bucket_is_refused_listing_the_buckets() -> None:
    with pytest.raises(QueryInvalid) as caught:
        grouping("close_date:decade")
    assert caught.value.error.code == "bad_bucket" and "quarter" in caught.value.error.message("zh")


def test_a_question_becomes_a_report_with_plain_number_measures_and_the_group_cap() -> None:
    question = Question("deal", (Grouping("close_date", "month"),), (Measure("count"), Measure("avg", "probability")),
                        (Filter("stage", "eq", "won"),), "acme")
    report = as_report(question)
    assert [(d.field, d.bucket) for d in report.dimensions] == [("close_date", "month")]
    assert [(m.aggregate, m.field, m.format) for m in report.measures] == [("count", None, "number"),
                                                                            ("avg", "probability", "number")]
    assert report.filters == question.filters and report.search == "acme" and report.max_groups == MAX_GROUPS
    assert as_report(Question("deal")).max_groups is None  # one row: nothing to cap
