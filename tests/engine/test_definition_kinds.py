"""Document kinds are registered: each names its schema, builder, placement and checks; the loader asks the registry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.definitions.kinds import Kind, get_kind, kind_names, kinds, register_kind
from engine.definitions.schemas import METADATA_DIR

ROOT = Path(__file__).parents[2]


def test_built_in_kinds_in_order_each_with_its_schema() -> None:
    assert kind_names() == ("template", "app", "form", "roles", "automation", "pipeline", "workflow", "report",
                            "dashboard", "home")
    for kind in kinds():
        assert (METADATA_DIR / kind.schema_file).is_file(), kind.name
    assert get_kind("workflow").slot == "workflows"


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register_kind(Kind("form", "forms", get_kind("form").add))


def test_the_loader_does_not_branch_on_kind_names() -> None:
    tree = ast.parse((ROOT / "engine/definitions/loader.py").read_text(encoding="utf-8"))
    compared = [node for node in ast.walk(tree) if isinstance(node, ast.Compare)
                and any(isinstance(c, ast.Constant) and c.value in kind_names() for c in node.comparators)]
    # load_workflow_text reads one workflow alone: the only comparison with a kind name allowed.
    assert len(compared) <= 1, [ast.unparse(c) for c in compared]
