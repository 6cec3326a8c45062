"""An app's colour (one of a fixed palette) and administrators (roles that exist) in app.yaml; the icon sprite
holds every icon the designer offers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.definitions.loader import load_sources, read_directory
from engine.definitions.palette import COLORS
from tests.conftest import FIXTURES
from web.icons import APP_ICONS

ROOT = Path(__file__).parents[2]


def shop_with_app(extra: str) -> tuple[list[str], object]:
    sources = read_directory(FIXTURES / "shop")
    sources["sales/app.yaml"] += extra
    result = load_sources(sources)
    return [str(p) for p in result.problems], result.definitions


def test_colour_and_administrators_are_read() -> None:
    problems, defs = shop_with_app("color: teal\nadmins: [clerk]\n")
    assert problems == []
    app = defs.apps[0]  # type: ignore[attr-defined]
    assert (app.color, app.admins) == ("teal", ("clerk",))


@pytest.mark.parametrize(("extra", "expected"), [
    ("admins: [clerks]\n", "sales/app.yaml:4 /admins/0: unknown role 'clerks' (did you mean 'clerk'?)"),
    ("color: pink\n", "/color"),
])
def test_unknown_roles_and_colours_are_problems(extra: str, expected: str) -> None:
    problems, _ = shop_with_app(extra)
    assert any(expected in p for p in problems), problems


def test_the_palette_is_the_schemas() -> None:
    schema = json.loads((ROOT / "metadata" / "app.schema.json").read_text())
    assert tuple(schema["properties"]["color"]["enum"]) == COLORS


def test_the_sprite_holds_every_offered_icon() -> None:
    sprite = (ROOT / "web" / "static" / "vendor" / "lucide" / "apps.svg").read_text()
    assert [name for name in APP_ICONS if f'<symbol id="{name}"' not in sprite] == []
