"""Definition problems and formula errors speak Chinese and English: `text(lang)`, with `str()` staying English."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.definitions.loader import load_sources, read_directory
from engine.errors import FormulaError, Problem
from engine.formulas import check, compile_formula, evaluate
from engine.formulas.evaluator import MappingEnv
from engine.formulas.types import NUMBER

ROOT = Path(__file__).parents[2]
SHOP = read_directory(ROOT / "tests" / "fixtures" / "shop")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def problems_after(path: str, old: str, new: str) -> list[Problem]:
    assert old in SHOP[path]
    return load_sources({**SHOP, path: SHOP[path].replace(old, new)}).problems


def test_an_unknown_field_with_a_suggestion_reads_naturally_in_both_languages() -> None:
    problem, = problems_after("sales/forms/order.yaml", "[code, customer]", "[code, custmer]")
    assert problem.text("zh") == "未知字段“custmer”,是否想写“customer”?"
    assert problem.text("en") == "unknown field 'custmer' (did you mean 'customer'?)"
    assert str(problem) == problem.describe("en") and str(problem).endswith(problem.text("en"))
    assert problem.describe("zh").startswith("sales/forms/order.yaml:") and problem.describe("zh").endswith("?")


def test_a_formula_problem_carries_the_formula_error_in_both_languages() -> None:
    problem, = problems_after("sales/forms/order.yaml", 'formula: "quantity * price"', 'formula: "quantity * prise"')
    assert problem.text("zh") == "公式“quantity * prise”:未知字段“prise”,是否想写“price”?(第 12 个字符处)"
    assert problem.text("en") == "formula 'quantity * prise': unknown field 'prise' (did you mean 'price'?) at position 12"


def test_a_schema_problem_names_the_values_in_chinese() -> None:
    problems = problems_after("sales/forms/product.yaml", "required: true", "required: maybe")
    assert [p.text("zh") for p in problems] == ["应为是/否(true/false),实际是文本"]
    assert [p.text("en") for p in problems] == ["expected boolean, got string"]


@pytest.mark.parametrize("source,zh,en", [
    ("1 + * 2", "这里不能出现“*”(第 5 个字符处)", "unexpected '*' at position 5"),
    ("SUMM(1)", "未知函数“SUMM”,是否想写“SUM”?(第 1 个字符处)", "unknown function 'SUMM' (did you mean 'SUM'?) at position 1"),
    ("(1 + 2", "公式提前结束了(缺少括号或值)(第 7 个字符处)",
     "the formula ends too early (a bracket or a value is missing) at position 7"),
    ("SUM('x')", "SUM 需要数字,实际是文本(第 1 个字符处)", "SUM needs numbers, got text at position 1"),
])
def test_formula_errors_of_parsing_and_checking(source: str, zh: str, en: str) -> None:
    with pytest.raises(FormulaError) as caught:
        check(compile_formula(source), lambda path: NUMBER if path == ("amount",) else None, candidates=["amount"])
    assert (caught.value.text("zh"), caught.value.text("en"), str(caught.value)) == (zh, en, en)


def test_formula_errors_of_evaluation() -> None:
    env = MappingEnv(values={}, now=datetime(2026, 1, 1, tzinfo=timezone.utc), tz=timezone.utc)
    with pytest.raises(FormulaError) as caught:
        evaluate(compile_formula("1 / 0"), env)
    assert caught.value.text("zh") == "除数不能为 0(第 3 个字符处)"
    assert caught.value.text("en") == "division by zero at position 3"


BROKEN = [  # (document, text in it, replacement): one broken definition each, across the kinds of checks
    ("sales/forms/product.yaml", "type: money", "type: mony"),
    ("sales/forms/product.yaml", "required: true", "requird: true"),
    ("sales/forms/product.yaml", "required: true", "required: 3"),
    ("sales/forms/product.yaml", "form: product", "form: product\nlabel: 5\nicon: [1]"),
    ("sales/forms/order.yaml", 'formula: "SUM(items.subtotal)"', 'formula: "SUMM(items.subtotal)"'),
    ("sales/forms/order.yaml", 'formula: "SUM(items.subtotal)"', 'formula: "outstanding + 1"'),
    ("sales/forms/order.yaml", "path: customer.grade", "path: customer.grde"),
    ("sales/forms/order.yaml", "{show: [cancel_reason]", "{show: [cancel_reson]"),
    ("sales/forms/order.yaml", 'pattern: "SO-{YYYY}{MM}-{seq:04}"', 'pattern: "SO-{YYYY}{stauts}"'),
    ("sales/forms/order.yaml", "link: order, aggregate: sum", "link: customer, aggregate: sum"),
    ("sales/forms/order.yaml", "{id: code, type: serial", "{id: version, type: serial"),
    ("roles.yaml", "discount: read_only", "discont: hidden_ish"),
    ("sales/forms/product.yaml", "form: product", "form: product\nform: again\n  x: ["),
    ("sales/app.yaml", "app: sales", "app: shop"),
]


def broken_problems() -> Iterator[Problem]:
    for path, old, new in BROKEN:
        yield from problems_after(path, old, new)
    workflow = ("workflow: approve\nform: order\nnodes:\n  - {id: start, type: start, next: check}\n"
                "  - {id: check, type: approval, assignees: [{role: nobody}], next: [done, start]}\n")
    yield from load_sources({**SHOP, "sales/workflows/approve.yaml": workflow}).problems
    automation = ("automation: remind\nform: order\ntrigger: {on: schedule, cron: 'every monday'}\n"
                  "actions:\n  - {id: a, type: update, values: {totl: '1 +'}}\n")
    yield from load_sources({**SHOP, "sales/automations/remind.yaml": automation}).problems


def test_every_problem_of_a_corpus_of_broken_definitions_has_its_own_chinese() -> None:
    problems = list(broken_problems())
    assert len(problems) >= len(BROKEN) + 4
    for p in problems:
        assert isinstance(p.message, dict), p
        assert CHINESE.search(p.text("zh")) and p.text("zh") != p.text("en"), p


def _message_argument(call: ast.Call) -> ast.expr | None:
    """The message given to Problem(…) (4th), report.add(…) (3rd) or FormulaError(…) (1st)."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    index = {"Problem": 3, "FormulaError": 0, "add": 2}.get(name)
    if index is None or (name == "add" and not isinstance(call.func, ast.Attribute)):
        return None
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    if name == "add" and getattr(owner, "id", getattr(owner, "attr", "")) not in ("report", "self"):
        return None

    args = [*call.args, *(k.value for k in call.keywords if k.arg == "message")]
    return args[index] if len(args) > index else None


def test_no_engine_or_web_code_makes_a_problem_or_formula_error_from_english_alone() -> None:
    plain: list[str] = []
    for path in [*(ROOT / "engine").rglob("*.py"), *(ROOT / "web").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                message = _message_argument(node)
                if isinstance(message, (ast.Constant, ast.JoinedStr, ast.BinOp)):
                    plain.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert plain == []
