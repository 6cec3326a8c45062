"""Browser waits are written so they keep working under the app's Content-Security-Policy.

Playwright evaluates `wait_for_function`'s text with `eval` on every poll after the first unless the text is a
function, which it evaluates once and then calls. The app's policy refuses `eval`, so a bare expression passes when
it is true at the first look and fails when the browser is slow — exactly on a busy CI machine."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
A_FUNCTION = re.compile(r"\s*(\(|function\b|[A-Za-z_$][\w$]*\s*=>)")


def bare_expression_waits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "wait_for_function" and node.args:
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) else \
                constants.get(first.id) if isinstance(first, ast.Name) else None
            if not isinstance(text, str) or not A_FUNCTION.match(text):
                found.append(node.lineno)
    return found


def test_every_browser_wait_is_a_function() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in sorted((ROOT / "tests").rglob("*.py"))
                 for line in bare_expression_waits(path)]
    assert offenders == [], "write these waits as `() => …`: " + ", ".join(offenders)


def test_the_wait_check_finds_a_bare_expression(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('READY = "() => window.ready"\n'
                      'def f(page):\n'
                      '    page.wait_for_function("document.title === \'x\'")\n'
                      '    page.wait_for_function(READY)\n'
                      '    page.wait_for_function("s => s.scrollLeft > 0", arg=1)\n', encoding="utf-8")
    assert bare_expression_waits(sample) == [3]
