"""Real Chromium: the CRM home of a sales rep and the admin home page at 1280 and 375 px — no console errors, no
sideways scroll; the admin adds a block with the keyboard and the rep's home shows it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from engine.gallery.catalog import find
from engine.gallery.install import install
from tests.conftest import add_user, open_workspace
from tests.crm_sample import crm_sample
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

PASSWORD = crm_sample()["password"]
SHOTS = os.environ.get("FORMWORK_SHOTS")  # a folder to keep screenshots in, when set


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("home")
    ws = open_workspace(f"sqlite:///{root / 'b.db'}", root / "ws")
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    add_user(ws, "root")
    yield ws
    ws.close()


def _no_sideways_scroll(page: Any, where: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_home_and_its_admin_page_at_two_widths(chromium: Any, workspace: Any, width: int) -> None:  # noqa: F811
    errors: list[str] = []
    with live_server(workspace) as url:
        rep = new_page(chromium, url, width=width, errors=errors)
        sign_in(rep, "lina", PASSWORD)
        rep.goto("/")
        rep.wait_for_selector("[data-home-block=todos]")
        assert rep.locator("[data-home-block=attention]").count() == 2
        _no_sideways_scroll(rep, "the rep's home", width)
        _shot(rep, f"home-rep-{width}")

        admin = new_page(chromium, url, locale="en-US", width=width, errors=errors)
        sign_in(admin, "root")
        admin.goto("/admin/home")
        section = admin.locator("[data-role=sales_rep]")
        section.locator("summary", has_text="Add a block").focus()
        admin.keyboard.press("Enter")  # opens the add form from the keyboard
        section.locator("select[name=block]").select_option("apps")
        section.locator("select[name=block]").focus()
        section.locator("button[type=submit]").last.focus()
        admin.keyboard.press("Enter")
        admin.wait_for_selector("p.notice")
        _no_sideways_scroll(admin, "the admin home page", width)
        _shot(admin, f"admin-home-{width}")
        blocks = section.locator(".home-admin-block")
        assert blocks.last.get_attribute("data-block") == "apps"
        blocks.last.locator("button", has_text="Remove").click()  # leave the home as it was for the next width
        admin.wait_for_selector("p.notice")
        assert section.locator(".home-admin-block[data-block=apps]").count() == 0
    assert errors == []
