"""Real Chromium on a kanban board with sums: a dragged card moves its count and amount between the columns' sums,
as the server writes them; the board fits a phone's width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, drag, live_server, new_page, sign_in  # noqa: F401  (fixture)

ALICE = Actor(user_id=1, is_admin=True)


@pytest.fixture
def deals_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "deals", "deals/")
    add_user(ws, "alice")
    for name, stage, amount in (("华联扩容", "lead", "1200.50"), ("北辰软件", "proposal", "30000"),
                                ("西湖旅游", "won", "5000.25")):
        ws.records.create(ALICE, "deal", {"name": name, "stage": stage, "amount": amount, "owner": 1,
                                          "close_date": "2024-04-30"})
    with live_server(ws) as url:
        yield ws, url
    ws.close()


def column(page: Any, value: str) -> Any:
    return page.locator(".kanban-column", has=page.locator(f".kanban-cards[data-value={value}]"))


def test_a_dragged_card_moves_its_amount_between_the_sums(chromium: Any, deals_site: Any) -> None:  # noqa: F811
    _, url = deals_site
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    page.goto("/apps/crm/deal/kanban")
    expect(column(page, "proposal").locator("[data-sum-text]")).to_have_text("¥30,000.00")
    card = page.locator(".kanban-card", has_text="华联扩容")
    with page.expect_response(lambda r: "/kanban/move" in r.url) as answer:
        drag(page, card, page.locator(".kanban-cards[data-value=proposal] .kanban-card").last,
             ".kanban-cards[data-value=proposal] .kanban-card:has-text('华联扩容')")
    assert answer.value.status == 200
    expect(column(page, "proposal").locator("[data-sum-text]")).to_have_text("¥31,200.50")
    expect(column(page, "lead").locator("[data-sum-text]")).to_have_text("¥0.00")
    expect(column(page, "proposal").locator("[data-count]")).to_have_text("2")
    page.reload()
    expect(column(page, "proposal").locator("[data-sum-text]")).to_have_text("¥31,200.50")
    assert errors == []


def test_the_board_fits_a_phone(chromium: Any, deals_site: Any) -> None:  # noqa: F811
    _, url = deals_site
    page = new_page(chromium, url, locale="en-US", width=375, height=800)
    sign_in(page)
    page.goto("/apps/crm/deal/kanban")
    expect(column(page, "won").locator("[data-sum-text]")).to_have_text("¥5,000.25")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
