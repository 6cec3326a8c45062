"""The engine stays free of web imports; imports flow one way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORBIDDEN = ("web", "starlette", "jinja2", "uvicorn", "httpx")
# Admins' text templates (notices, emails) are rendered by the engine's jobs, in Jinja2's sandbox: that one
# module may import jinja2; pages stay the web layer's.
ALLOWED = {("engine/templating.py", "jinja2")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_engine_imports_nothing_from_the_web_layer() -> None:
    offenders = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in FORBIDDEN and (path.relative_to(ROOT).as_posix(), top) not in ALLOWED:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_pure_layers_do_not_import_storage_or_records() -> None:
    offenders = []
    for package in ("formulas", "fields", "definitions"):
        for path in sorted((ROOT / "engine" / package).rglob("*.py")):
            for module in imported_modules(path):
                if module.startswith(("engine.storage", "engine.records", "engine.workspace", "engine.gallery")):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_formulas_are_pure() -> None:
    offenders = []
    for path in sorted((ROOT / "engine" / "formulas").rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in ("sqlalchemy", "os", "subprocess", "socket") or module.startswith("engine.") \
                    and not module.startswith(("engine.formulas", "engine.errors", "engine.i18n")):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def storage_imports(path: Path) -> set[str]:
    """The engine.storage modules a file imports, however it is spelled (`from engine import storage` too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {m for m in imported_modules(path) if m == "engine.storage" or m.startswith("engine.storage.")}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "engine" and node.level == 0:
            found.update(f"engine.{alias.name}" for alias in node.names if alias.name == "storage")
    return found


def test_web_goes_through_the_engine_never_its_storage() -> None:
    offenders = [f"{path.relative_to(ROOT)} imports {module}"
                 for path in sorted((ROOT / "web").rglob("*.py")) for module in sorted(storage_imports(path))]
    assert offenders == []
