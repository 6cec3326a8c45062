"""Definition YAML is read within bounds checked while parsing: an alias bomb, a 100,000-deep nesting or an
oversized file is refused at its line — from a folder (`formwork validate`), from stored texts and from the roles
document — while anchors used within the budget keep working. Each test runs with libyaml's loader and with the Python
loader used where PyYAML was built without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.definitions.loader import load_directory, load_sources
from engine.definitions.yamlsource import DEFINITION_LIMITS, YamlLimits, YamlSyntaxError, parse_yaml, safe_data
from engine.permissions.document import roles_paths


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    return str(request.param)


def bomb(levels: int = 9) -> str:
    """The "billion laughs": each level an anchor holding nine aliases of the level below."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "form: bomb\n" + "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_by_its_expanded_size() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(bomb(), "crm/bomb.yaml")
    assert (caught.value.file, caught.value.line) == ("crm/bomb.yaml", 1)
    assert caught.value.message["en"].endswith("values once its aliases are expanded; at most 200,000 are allowed")
    assert int(caught.value.message["en"].split()[3].replace(",", "")) > 9 ** 9  # the size it would have had, counted


def test_deep_nesting_stops_at_the_depth_limit_with_its_line() -> None:
    for text in ("form: x\nlabel: y\ndeep: " + "[" * 100_000, "form: x\nlabel: y\ndeep: " + "{a: " * 100_000):
        with pytest.raises(YamlSyntaxError) as caught:
            parse_yaml(text, "deep.yaml")
        assert caught.value.line == 3 and f"more than {DEFINITION_LIMITS.max_depth} levels" in caught.value.message["en"]


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = "form: big\nlabel: |\n" + ("  " + "x" * 1000 + "\n") * 1100
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(big, "big.yaml")
    assert caught.value.line == 1 and "larger than 1 MB, the most one file may hold" in caught.value.message["en"]
    (tmp_path / "big.yaml").write_text(big, encoding="utf-8")
    problems = load_directory(tmp_path).problems
    assert [(p.file, p.line, p.message) for p in problems] == [(f"{tmp_path}/big.yaml", 1, caught.value.message)]


def test_too_many_aliases_are_refused() -> None:
    text = "form: x\nbase: &b 1\nmany: [" + ", ".join(["*b"] * 1001) + "]\n"
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text, "aliases.yaml")
    assert caught.value.line == 3 and "more than 1,000 aliases" in caught.value.message["en"]
    assert parse_yaml(text, "aliases.yaml", YamlLimits(max_aliases=2_000)).data["many"][1000] == 1


def test_anchors_within_the_budget_keep_working_and_keep_their_lines() -> None:
    text = ("form: deal\nlabel: {zh: 商机, en: Deal}\nfields:\n"
            "  - &money {id: amount, type: money, label: {zh: 金额, en: Amount}}\n"
            "  - {<<: *money, id: cost, label: {zh: 成本, en: Cost}}\n")
    doc = parse_yaml(text, "deal.yaml")
    assert [f["id"] for f in doc.data["fields"]] == ["amount", "cost"]
    assert doc.data["fields"][1]["type"] == "money"
    assert doc.line("/fields/1/label") == 5


def test_a_bomb_in_stored_texts_is_one_problem_and_the_rest_still_loads() -> None:
    result = load_sources({"crm/bomb.yaml": bomb(), "crm/app.yaml": "app: crm\nlabel: {zh: 客户, en: CRM}\n"})
    assert [(p.file, p.line) for p in result.problems] == [("crm/bomb.yaml", 1)]
    assert [app.id for app in result.definitions.apps] == ["crm"]


def test_the_roles_document_reader_is_bounded() -> None:
    assert roles_paths({"a.yaml": bomb(), "roles.yaml": "roles: []\n"}) == ["roles.yaml"]
    with pytest.raises(YamlSyntaxError):
        safe_data(bomb())


def test_formwork_validate_refuses_a_bomb_quickly_and_small(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(bomb(), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", MEASURED_CLI, "validate", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr
    assert "bomb.yaml:1" in run.stdout + run.stderr and "aliases are expanded" in run.stdout + run.stderr
    peak_kib = int(run.stderr.rsplit("peak_kib=", 1)[1])
    assert peak_kib < 100 * 1024  # the whole command, interpreter and imports included, stays under 100 MB


# VmHWM is this process's own peak (getrusage's maxrss would carry the forking test process's size over exec)
MEASURED_CLI = """
import sys
from engine.cli import main
sys.argv[0] = "formwork"
try:
    main()
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print("peak_kib=%d" % int(peak.split()[1]), file=sys.stderr)
"""
