"""Real Chromium: an administrator reorders an app's forms on /design/apps/{app} by dragging one (and with the
↑ button, the keyboard way); the menu follows; the app's history restores the first order after a confirm; no
script error and no sideways scroll at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def workspace(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'd.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    yield ws
    ws.close()


def _order(page: Any) -> list[str]:
    return [str(x) for x in page.eval_on_selector_all("ol.design-forms li", "els => els.map(e => e.dataset.form)")]


def _drag(page: Any, source: str, target: str) -> None:
    """Press on a form's handle, move below another form in small steps (Sortable needs moves), release."""
    start = page.locator(f"li[data-form={source}] .drag-handle").bounding_box()
    end = page.locator(f"li[data-form={target}]").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = end["y"] + end["height"] * 0.75
    page.mouse.move(start["x"] + 5, y, steps=20)
    page.mouse.move(start["x"] + 6, y + 2, steps=5)
    page.mouse.up()


@pytest.mark.parametrize("width", [1280, 375])
def test_forms_are_reordered_by_drag_and_by_button(chromium: Any, workspace, width: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    errors: list[str] = []
    with live_server(workspace) as url:
        page = new_page(chromium, url, locale="en-US", width=width, errors=errors)
        sign_in(page)
        page.goto(f"{url}/design")
        page.click("a.design-app[href='/design/apps/sales']")
        page.wait_for_url("**/design/apps/sales")
        assert _order(page) == ["customer", "product", "order", "payment"]
        expect(page.locator("[data-sortable-forms]")).to_have_attribute("data-started", "1")

        _drag(page, "customer", "order")
        page.wait_for_url("**done=ordered")
        assert "The order of the forms is published" in page.locator("[role=status]").inner_text()
        assert _order(page) == ["product", "order", "customer", "payment"]
        assert next(a for a in workspace.definitions.apps if a.id == "sales").forms == (
            "product", "order", "customer", "payment")

        page.focus("li[data-form=payment] button[value='payment:up']")
        page.keyboard.press("Enter")
        expect(page.locator("ol.design-forms li").nth(2)).to_have_attribute("data-form", "payment")
        assert _order(page) == ["product", "order", "payment", "customer"]
        _no_sideways_scroll(page, "/design/apps/sales", width)

        page.click("a[href='/design/history?path=shop/sales/app.yaml']")
        page.wait_for_url("**/design/history**")
        assert page.locator("ol.design-versions > li").count() == 3
        _no_sideways_scroll(page, "the history of app.yaml", width)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#v1 button[type=submit]")
        page.wait_for_url("**done=restored")
        assert "Version 4" in page.locator("ol.design-versions > li").first.inner_text()
        assert next(a for a in workspace.definitions.apps if a.id == "sales").forms == (
            "customer", "product", "order", "payment")
    assert errors == []


def _no_sideways_scroll(page: Any, where: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"
