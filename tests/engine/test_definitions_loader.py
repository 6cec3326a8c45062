"""The loader and checker: every problem reported with file, line and a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions.loader import load_directory, load_sources, read_directory

FIXTURES = Path(__file__).parents[1] / "fixtures"


def shop_sources() -> dict[str, str]:
    return read_directory(FIXTURES / "shop")


def problems_for(changes: dict[str, str]) -> list[str]:
    sources = {**shop_sources(), **changes}
    return [str(p) for p in load_sources(sources).problems]


def test_shop_fixture_is_clean() -> None:
    result = load_directory(FIXTURES / "shop")
    assert [str(p) for p in result.problems] == []
    defs = result.definitions
    assert [a.id for a in defs.apps] == ["sales"]
    assert list(defs.apps[0].forms) == ["customer", "product", "order", "payment"]
    order = defs.form("order")
    assert order.table == "f_sales_order"
    assert order.field("items").child("subtotal").formula == "quantity * price"


def replace(path: str, old: str, new: str) -> dict[str, str]:
    text = shop_sources()[path]
    assert old in text
    return {path: text.replace(old, new)}


def test_unknown_type_names_file_line_and_suggestion() -> None:
    problems = problems_for(replace("sales/forms/product.yaml", "type: money", "type: mony"))
    assert any(p.startswith("sales/forms/product.yaml:5 /fields/1/type:") and "did you mean 'money'" in p
               for p in problems), problems


def test_unknown_property_points_at_the_key() -> None:
    problems = problems_for(replace("sales/forms/product.yaml", "required: true", "requird: true"))
    assert any(":4 /fields/0/requird: unknown property 'requird'" in p and "did you mean 'required'" in p
               for p in problems), problems


def test_every_problem_is_reported_not_just_the_first() -> None:
    changes = {
        **replace("sales/forms/product.yaml", "type: money", "type: mony"),
        **replace("sales/forms/payment.yaml", "to: order", "to: ordr"),
    }
    problems = problems_for(changes)
    assert any("product.yaml" in p and "mony" in p for p in problems)
    assert any("payment.yaml:4 /fields/0/to: unknown form 'ordr'" in p and "did you mean 'order'" in p
               for p in problems), problems


@pytest.mark.parametrize("old,new,expected", [
    ('formula: "quantity * price"', 'formula: "quantity * prise"', "unknown"),
    ('formula: "SUM(items.subtotal)"', 'formula: "SUMM(items.subtotal)"', "SUM"),
    ("path: customer.grade", "path: customer.grde", "does not resolve"),
    ("[code, customer]", "[code, custmer]", "unknown field 'custmer'"),
    ("{show: [cancel_reason]", "{show: [cancel_reson]", "unknown field 'cancel_reson'"),
    ('pattern: "SO-{YYYY}{MM}-{seq:04}"', 'pattern: "SO-{YYYY}{MM}"', "needs a {seq:N} part"),
    ('pattern: "SO-{YYYY}{MM}-{seq:04}"', 'pattern: "SO-{YYYY}{stauts}-{seq:04}"', "unknown pattern part"),
    ("link: order, aggregate: sum", "link: customer, aggregate: sum", "is not a relation"),
    ("{id: code, type: serial", "{id: version, type: serial", "system column"),
    ("title: code\n", "title: code\nstatus: stauts\n", "/status: unknown field 'stauts'"),
    ("title: code\n", "title: code\nstatus: ship_by\n", "must be a single choice"),
    ("title: code\n", "title: code\nkey_fields: [total, totl]\n", "/key_fields/1: unknown field 'totl'"),
    ("title: code\n", "title: code\nkey_fields: [items]\n", "cannot be a key field"),
    ("title: code\n", "title: code\nkey_fields: [code, total, ship_by, status, grade]\n", "key_fields"),
])
def test_semantic_problems(old: str, new: str, expected: str) -> None:
    problems = problems_for(replace("sales/forms/order.yaml", old, new))
    assert any(expected in p and p.startswith("sales/forms/order.yaml:") for p in problems), problems


def test_formula_cycle_is_reported() -> None:
    changes = replace("sales/forms/order.yaml", 'formula: "SUM(items.subtotal)"', 'formula: "outstanding + 1"')
    problems = problems_for(changes)
    assert any("circular dependency" in p and "order.total" in p for p in problems), problems


def test_rollup_cycle_across_forms_is_reported() -> None:
    # customer.order_total sums order.total; make order.total read customer.order_total back.
    changes = replace("sales/forms/order.yaml", 'formula: "SUM(items.subtotal)"', 'formula: "customer.order_total"')
    problems = problems_for(changes)
    assert any("circular dependency" in p for p in problems), problems


def test_yaml_syntax_error_has_a_line() -> None:
    problems = problems_for({"sales/forms/product.yaml": "form: product\nfields: [\n  - a\n"})
    assert any(p.startswith("sales/forms/product.yaml:") and "invalid YAML" in p for p in problems), problems


def test_yaml_is_loaded_safely() -> None:
    problems = problems_for({"sales/forms/product.yaml": "form: !!python/object/apply:os.system ['true']\n"})
    assert problems and all("invalid YAML" in p or "product" in p for p in problems)


def test_role_referencing_unknown_field() -> None:
    text = shop_sources()["roles.yaml"].replace("discount: read_only", "discont: read_only")
    problems = problems_for({"roles.yaml": text})
    assert any("has no field 'discont'" in p and "did you mean 'discount'" in p for p in problems), problems


def test_an_option_colour_outside_the_palette_is_refused_at_its_key() -> None:
    problems = problems_for(replace("sales/forms/order.yaml", "label: {zh: 新建, en: New}}",
                                    "label: {zh: 新建, en: New}, color: cyan}"))
    assert any("order.yaml:10 /fields/" in p and "/color" in p and "'cyan'" in p for p in problems), problems
