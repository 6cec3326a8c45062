"""Print templates in a form definition: loaded, checked (unique ids, HTML that parses in the sandbox), rendered in
the sandbox with the rmb_upper filter; a failing template is a TemplateProblem, never a crash."""

from __future__ import annotations

import pytest

from engine.definitions.loader import load_sources, read_directory
from engine.printing.templates import render_print
from engine.templating import TemplateProblem, rmb_upper
from tests.conftest import FIXTURES


def _shop_with(templates: str) -> tuple[list[str], object]:
    sources = read_directory(FIXTURES / "shop")
    sources["sales/forms/order.yaml"] += templates
    result = load_sources(sources)
    return [str(p) for p in result.problems], result.definitions


def test_templates_load_with_their_labels_and_html() -> None:
    problems, defs = _shop_with('print_templates:\n  - {id: slip, label: {zh: 发货单, en: Slip}, '
                                'html: "<h1>{{ serial }}</h1>"}\n')
    assert problems == []
    template = defs.forms["order"].print_template("slip")  # type: ignore[attr-defined]
    assert template is not None and template.label == {"zh": "发货单", "en": "Slip"}
    assert render_print(template, {"serial": "SO-1<b>"}) == "<h1>SO-1&lt;b&gt;</h1>"


@pytest.mark.parametrize("templates, expected", [
    ('  - {id: a, label: A, html: "{% if %}"}\n', "/print_templates/0/html"),
    ('  - {id: a, label: A, html: "x"}\n  - {id: a, label: B, html: "y"}\n', "print template 'a' appears twice"),
    ('  - {id: default, label: A, html: "x"}\n', "'default' names the built-in print layout"),
    ('  - {id: a, label: A, html: "{{ x|no_such_filter }}"}\n', "no_such_filter"),
    ('  - {id: a, label: A}\n', "html"),
])
def test_bad_templates_are_named_where_they_are(templates: str, expected: str) -> None:
    problems, _ = _shop_with("print_templates:\n" + templates)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("amount, words", [
    ("133660.92", "壹拾叁万叁仟陆佰陆拾元玖角贰分"), (118400, "壹拾壹万捌仟肆佰元整"), ("1,000.5", "壹仟元伍角"),
    (None, ""), ("", ""),
])
def test_rmb_upper_is_the_rmbcap_formulas_words(amount: object, words: str) -> None:
    assert rmb_upper(amount) == words


def test_rmb_upper_of_a_value_not_in_the_context_is_empty() -> None:
    problems, defs = _shop_with('print_templates:\n  - {id: a, label: A, html: "[{{ values.secret|rmb_upper }}]"}\n')
    assert render_print(defs.forms["order"].print_template("a"), {"values": {}}) == "[]"  # type: ignore[attr-defined]


@pytest.mark.parametrize("html", [
    "{{ values.total.__class__.__mro__ }}",  # the sandbox refuses
    "{{ values.total|rmb_upper }}",  # not a number
    "{{ 'x' * 10000000 }}",  # too long
])
def test_a_failing_template_is_a_template_problem(html: str) -> None:
    problems, defs = _shop_with(f"print_templates:\n  - {{id: a, label: A, html: \"{html}\"}}\n")
    assert problems == []
    with pytest.raises(TemplateProblem):
        render_print(defs.forms["order"].print_template("a"), {"values": {"total": "abc"}})  # type: ignore[attr-defined]
