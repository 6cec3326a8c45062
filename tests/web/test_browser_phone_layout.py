"""Real Chromium at phone width (375 px): pages found scrolling sideways during QA stay within the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    from engine.records.model import Actor

    ws.records.create(Actor(user_id=1, is_admin=True), "order", {"customer": ws.records.create(
        Actor(user_id=1, is_admin=True), "customer", {"name": "华联电子", "grade": "A"}).id})
    path = next(p for p in ws.sources() if p.endswith("roles.yaml"))  # a matrix wider than a phone
    ws.publish({path: ws.sources()[path] + "".join(
        f"  - id: regional_role_{i}\n    label: {{zh: 区域销售经理{i}, en: Regional sales manager {i}}}\n"
        "    permissions: {}\n" for i in range(8))})
    with live_server(ws) as url:
        yield url
    ws.close()


@pytest.mark.parametrize("path", ["/admin/permissions", "/settings", "/apps/sales/order", "/apps/sales/order/kanban"])
def test_no_sideways_scrolling_on_a_phone(chromium: Any, site: str, path: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, locale="en-US", width=375, errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width} px wide"
    assert errors == []
