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


# Field types own their screens: web/ and engine/records/ ask a field's type (its widget, how it reads a post,
# what it refers to…) and never branch on its name. Comparisons of `<x>.type` with a registered field-type name,
# or with a constant listing some, are what this finds; names that only coincide with a field type's are listed
# here with what they are.
TYPE_NAME_CHECKED = ("web", "engine/records")
NOT_FIELD_TYPES = {
    ("web/views/admin_mail.py", "act.type"),  # an automation action's type ("email")
    ("web/views/reports/filter_bar.py", "c.type"),  # a dashboard filter component's type ("select", "owner", …)
}


def _literal_names(node: ast.AST | None) -> set[str]:
    """The strings a literal spells: "a", ("a", "b"), {"a"}, frozenset({"a"}), {"a": …} (keys)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {n for item in node.elts for n in _literal_names(item)}
    if isinstance(node, ast.Dict):
        return {n for key in node.keys for n in _literal_names(key)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("set", "frozenset", "tuple"):
        return {n for arg in node.args for n in _literal_names(arg)}
    return set()


def _module_constants(path: Path) -> dict[str, set[str]]:
    """Top-level NAME = <literal of strings> of a module, and those it imports from other modules of the repo."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = _literal_names(node.value)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            source = ROOT / (node.module.replace(".", "/") + ".py")
            if source.is_file() and source != path:
                imported = _module_constants_shallow(source)
                found.update({a.asname or a.name: imported[a.name] for a in node.names if a.name in imported})
    return found


def _module_constants_shallow(path: Path) -> dict[str, set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {t.id: _literal_names(node.value) for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def _names_in(node: ast.AST, constants: dict[str, set[str]]) -> set[str]:
    """The strings an operand stands for: a literal, or a module constant (`NAME`, `module.NAME`)."""
    if isinstance(node, ast.Name):
        return constants.get(node.id, set())
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return constants.get(node.attr, set()) if node.attr.isupper() else set()
    return _literal_names(node)


def field_type_name_checks(path: Path, field_types: set[str]) -> list[str]:
    """`file:line: code` of each comparison (or keyed lookup) of `<x>.type` against field-type names."""
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_constants(path)

    def is_type(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # f.type.startswith("user")
            return is_type(node.func.value)
        return isinstance(node, ast.Attribute) and node.attr == "type" and (rel, ast.unparse(node)) not in NOT_FIELD_TYPES

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(is_type(o) for o in operands) and any(_names_in(o, constants) & field_types for o in operands):
                found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_type(node.func.value) \
                and any(name.startswith(prefix) for a in node.args for prefix in _literal_names(a)
                        for name in field_types):
            found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Subscript) and is_type(node.slice) and _names_in(node.value, constants) & field_types:
            found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and is_type(node.args[0]) and _names_in(node.func.value, constants) & field_types:
            found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_web_and_records_ask_field_types_instead_of_naming_them() -> None:
    from engine.fields.registry import type_names

    field_types = set(type_names())
    offenders = [hit for folder in TYPE_NAME_CHECKED for path in sorted((ROOT / folder).rglob("*.py"))
                 for hit in field_type_name_checks(path, field_types)]
    assert offenders == []


def test_the_field_type_check_finds_what_it_is_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    code = ('MEDIA = ("file", "image")\nSIZES = {"file": 1}\n'
            'def f(x, n):\n'
            '    a = x.type == "money"\n    b = x.type in ("user", "users")\n    c = x.type in MEDIA\n'
            '    d = SIZES.get(x.type)\n    e = x.type.startswith("user")\n    g = n.type == "fill"\n'
            '    return a, b, c, d, e, g\n')
    sample.write_text(code, encoding="utf-8")
    hits = field_type_name_checks(sample, {"money", "user", "users", "file", "image"})
    assert [h.split(": ", 1)[1] for h in hits] == [
        "x.type == 'money'", "x.type in ('user', 'users')", "x.type in MEDIA", "SIZES.get(x.type)",
        "x.type.startswith('user')"]
