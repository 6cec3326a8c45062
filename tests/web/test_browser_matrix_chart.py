"""Real Chromium at 1280 px on the CRM: the permission matrix uses the page's width (the cell editor's column only
shows once a cell is opened), and the flow chart's English node labels are whole and inside their boxes (measured with
getBBox). Screenshots go to /tmp/formwork-matrix-chart for a person to see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.gallery.catalog import find
from engine.gallery.install import install
from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-matrix-chart")
LONG = "Customer confirms the resolution and rates the service"  # wraps onto lines of its box


@pytest.fixture
def crm(tmp_path: Path, clock) -> Iterator[str]:  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws", clock)
    template = find("crm")
    assert template is not None
    install(ws, template)
    flow = (template.path / "workflows" / "ticket_handling.yaml").read_text(encoding="utf-8")
    ws.publish({"crm/workflows/ticket_handling.yaml": flow.replace("en: Customer confirms", f"en: {LONG}")})
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url
    ws.close()


def test_the_permission_matrix_uses_the_page_width(chromium: Any, crm: str) -> None:  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, crm, errors=errors)
    sign_in(page)
    page.goto("/admin/permissions")
    table = page.locator("table.perm-matrix")
    table.wait_for()
    page.screenshot(path=str(SHOTS / "matrix-1280.png"), full_page=True)
    main = page.evaluate("() => document.querySelector('.perm-layout').getBoundingClientRect().width")
    wrap = page.evaluate("() => document.querySelector('.perm-wrap').getBoundingClientRect().width")
    assert wrap >= main - 2, f"the matrix takes {wrap:.0f} of {main:.0f} px"
    page.locator(".perm-cell").first.click()
    page.locator("#cell-editor form").wait_for()
    page.screenshot(path=str(SHOTS / "matrix-editing-1280.png"), full_page=True)
    editing = page.evaluate("() => document.querySelector('.perm-wrap').getBoundingClientRect().width")
    assert editing < main - 300  # the editor takes its column beside the matrix
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/admin/permissions")
    table.wait_for()
    page.screenshot(path=str(SHOTS / "matrix-375.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 376  # the matrix scrolls in its own box
    assert errors == []


def test_english_node_labels_are_whole_and_inside_their_boxes(chromium: Any, crm: str) -> None:  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, crm, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/admin/workflows/ticket_handling")
    page.locator("details.wf-admin-chart summary").click()  # the chart sits in a closed disclosure
    page.locator(".wf-node").first.wait_for()
    page.screenshot(path=str(SHOTS / "chart-en-1280.png"), full_page=True)
    nodes = page.evaluate("""() => [...document.querySelectorAll('.wf-node')].map(g => {
        const shape = g.querySelector('rect, polygon').getBBox(), label = g.querySelector('.wf-node-label');
        const box = label.getBBox();
        return {text: [...label.querySelectorAll('tspan')].map(t => t.textContent).join(' '),
                title: g.querySelector('title').textContent, left: box.x - shape.x, right: shape.x + shape.width - box.x - box.width,
                top: box.y - shape.y, bottom: shape.y + shape.height - box.y - box.height};
    })""")
    assert any(n["title"] == LONG for n in nodes)
    for n in nodes:
        assert "…" not in n["text"] and n["text"].split() == n["title"].split(), n
        assert min(n["left"], n["right"], n["top"], n["bottom"]) >= 0, n
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / "chart-en-375.png"), full_page=True)
    assert errors == []
