"""Bad reports are refused at publish, each problem at its file:line and path, with the closest name."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions.loader import load_sources, read_directory

FIXTURE = Path(__file__).parents[2] / "fixtures" / "reports"
HEAD = "report: bad\nlabel: Bad\nform: deal\n"


def problems(body: str, head: str = HEAD, where: str = "sales/reports/bad.yaml") -> list:  # type: ignore[type-arg]
    sources = {**read_directory(FIXTURE), where: head + body}
    return [p for p in load_sources(sources).problems if p.file.endswith(where)]


@pytest.mark.parametrize(("body", "path", "words", "suggestion"), [
    ("measures: [{id: n, aggregate: count}]\n", "/form", "unknown form 'dael'", "deal"),
    ("measures: [{id: s, aggregate: sum, field: amuont}]\n", "/measures/0/field", "no field 'amuont'", "amount"),
    ("measures: [{id: s, aggregate: sum, field: name}]\n", "/measures/0/field", "not a number", None),
    ("measures: [{id: s, aggregate: avg, field: owner}]\n", "/measures/0/field", "not a number", None),
    ("dimensions: [{field: name, bucket: month}]\nmeasures: [{id: n, aggregate: count}]\n",
     "/dimensions/0/bucket", "not a date", None),
    ("dimensions: [{field: client.industy}]\nmeasures: [{id: n, aggregate: count}]\n",
     "/dimensions/0/field", "does not resolve", None),
    ("measures: [{id: n, aggregate: count}, {id: r, formula: 'won / n'}]\n", "/measures/1/formula", "won", None),
    ("measures: [{id: n, aggregate: count}, {id: r, formula: \"n & 'x'\"}]\n", "/measures/1/formula",
     "must give a number", None),
    ("measures: [{id: n, aggregate: count}, {id: n, aggregate: sum, field: amount}]\n", "/measures/1/id",
     "used twice", None),
    ("dimensions: [{id: n, field: stage}]\nmeasures: [{id: n, aggregate: count}]\n", "/measures/0/id", "used twice", None),
    ("filters: [{field: stage, op: gt, value: won}]\nmeasures: [{id: n, aggregate: count}]\n", "/filters/0/op",
     "no operator 'gt'", None),
    ("measures: [{id: n, aggregate: count, filter: [{field: stag, op: eq, value: won}]}]\n",
     "/measures/0/filter/0/field", "no field 'stag'", "stage"),
    ("measures: [{id: deals, aggregate: count}]\nsort: [{by: dels}]\n", "/sort/0/by", "not a dimension or measure",
     "deals"),
    ("measures: [{id: n, aggregate: count}]\ncompare: previous_period\n", "/compare", "relative date filter", None),
    ("measures: [{id: n, aggregate: count}]\nlimit: 3\n", "/limit", "needs a dimension", None),
    ("measures: [{id: n, aggregate: duration, from: opened_on, to: name}]\n", "/measures/0/to", "not a date", None),
    ("measures: [{id: n, aggregate: count}]\nchart: {type: pie}\n", "/chart/type", "needs 1 dimension", None),
    ("dimensions: [{field: stage}]\nmeasures: [{id: n, aggregate: count}]\nchart: {type: pie, options: {smoth: true}}\n",
     "/chart/options/smoth", "no option 'smoth'", None),
    ("measures: [{id: n, aggregate: count}]\nchart: {type: gauge, options: {measure: rate}}\n",
     "/chart/options/measure", "not a measure of the report", None),
    ("measures: [{id: n}]\n", "/measures/0", "needs an aggregate", None),
])
def test_bad_report_is_refused_with_its_place(body: str, path: str, words: str, suggestion: str | None) -> None:
    head = HEAD.replace("form: deal", "form: dael") if path == "/form" else HEAD
    found = problems(body, head)
    match = [p for p in found if p.path == path and words in p.text("en")]
    assert match, [str(p) for p in found]
    assert match[0].line > 0
    assert match[0].suggestion == suggestion or suggestion is None


def test_a_report_outside_an_apps_reports_folder_is_refused() -> None:
    found = problems("measures: [{id: n, aggregate: count}]\n", where="sales/bad.yaml")
    assert any("<app>/reports/" in p.text("en") for p in found)


def test_an_unknown_chart_type_is_refused_by_the_schema() -> None:
    found = problems("measures: [{id: n, aggregate: count}]\nchart: {type: donut}\n")
    assert any(p.path.startswith("/chart") for p in found)


def test_the_fixture_reports_are_clean() -> None:
    assert load_sources(read_directory(FIXTURE)).problems == []
