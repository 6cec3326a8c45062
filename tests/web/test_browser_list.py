"""Real Chromium on the record list and the kanban board: filter and sort without a reload, drag a card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

ALICE = Actor(user_id=1, is_admin=True)
CUSTOMERS = [("华联电子", "A", "2024-03-15"), ("东方物流", "A", "2024-03-11"), ("北辰软件", "B", "2024-02-20"),
             ("南山茶业", "C", "2024-01-05")]


@pytest.fixture
def shop_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    for name, grade, since in CUSTOMERS:
        ws.records.create(ALICE, "customer", {"name": name, "grade": grade, "since": since})
    with live_server(ws) as url:
        yield ws, url
    ws.close()


def table_names(page: Any) -> list[str]:
    return page.locator("table.records tbody tr td:nth-child(2) a").all_inner_texts()


def test_filter_sort_and_search_without_reloading_the_page(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    page.evaluate("window.__sameDocument = true")

    page.select_option("select[name=nf]", "grade")
    page.wait_for_selector("select[name=no]")
    page.select_option("select[name=no]", "in")
    page.wait_for_selector("select[name=nv][multiple]")  # the operator's own value input has come in
    page.select_option("select[name=nv]", ["A", "B"])
    page.click("#nf-rest button[type=submit]")
    page.wait_for_url("**/apps/sales/customer?f=grade:in:A,B")
    assert sorted(table_names(page)) == sorted(["华联电子", "东方物流", "北辰软件"])
    assert "3 条记录" in page.locator("#total").inner_text()
    assert "等级 是其中之一 A, B" in page.locator("#chips").inner_text()

    page.click("th >> text=首次合作")
    page.wait_for_url("**sort=since&dir=desc")
    assert table_names(page) == ["华联电子", "东方物流", "北辰软件"]
    page.click("th >> text=首次合作")
    page.wait_for_url("**sort=since&dir=asc")
    assert table_names(page) == ["北辰软件", "东方物流", "华联电子"]

    page.fill("#q", "物流")
    page.wait_for_url("**q=%E7%89%A9%E6%B5%81**")
    expect(page.locator("table.records tbody tr")).to_have_count(1)
    assert table_names(page) == ["东方物流"] and "1 条记录" in page.locator("#total").inner_text()

    page.go_back()
    page.wait_for_url("**sort=since&dir=asc")
    expect(page.locator("table.records tbody tr")).to_have_count(3)
    assert page.evaluate("window.__sameDocument") is True  # htmx swapped the list; the page never reloaded
    assert errors == []


def test_relative_date_filter_batch_edit_and_batch_delete(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    page.select_option("select[name=nf]", "since")
    page.wait_for_selector("select[name=no]")
    page.select_option("select[name=no]", "this_week")
    expect(page.locator("#nf-rest [name=nv]")).to_have_count(0)
    page.click("#nf-rest button[type=submit]")
    page.wait_for_url("**f=since:this_week")
    assert sorted(table_names(page)) == ["东方物流", "华联电子"]

    page.select_option("select[name=_field]", "grade")
    page.select_option("#batch-value select[name=grade]", "C")
    page.check("[data-select-all]")
    page.click("button[value=edit]")
    page.wait_for_selector(".notice")
    assert "Changed 2 of 2 records" in page.locator(".notice").inner_text()
    assert page.locator("table.records tbody tr td:nth-child(3)").all_inner_texts() == ["C", "C"]

    page.check("[data-select-all]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=delete]")
    page.wait_for_selector(".notice")
    assert "Deleted 2 of 2 records" in page.locator(".notice").inner_text()
    assert "clear" in page.locator("#results").inner_text().lower()  # nothing left matches: offer to clear
    assert errors == []


def _drag(page: Any, card: Any, target: Any) -> None:
    """SortableJS listens to pointer events: press, move in steps, release over the target list."""
    start, end = card.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 5, start["y"] + start["height"] / 2 + 5, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 10, steps=20)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 5, steps=5)
    page.mouse.up()


def test_drag_a_card_to_another_column_and_it_stays_there(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer/kanban?by=grade")
    column_a = page.locator(".kanban-cards[data-value=A]")
    card = page.locator(".kanban-card", has_text="南山茶业")
    with page.expect_response(lambda r: "/kanban/move" in r.url) as answer:
        _drag(page, card, column_a)
    assert answer.value.status == 200
    page.reload()
    assert "南山茶业" in page.locator(".kanban-cards[data-value=A]").inner_text()
    assert page.locator(".kanban-column", has=page.locator("[data-value=A]")).locator("[data-count]").inner_text() == "3"
    assert errors == []


def test_a_stale_card_goes_back_with_a_message(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    ws, url = shop_site
    page = new_page(chromium, url, locale="en-US")
    sign_in(page)
    page.goto("/apps/sales/customer/kanban?by=grade")
    record = next(r for r in ws.records.list(ALICE, "customer").records if r["name"] == "北辰软件")
    ws.records.update(ALICE, "customer", record.id, {"email": "bc@example.com"}, version=record.version)
    with page.expect_response(lambda r: "/kanban/move" in r.url) as answer:
        _drag(page, page.locator(".kanban-card", has_text="北辰软件"), page.locator(".kanban-cards[data-value=C]"))
    assert answer.value.status == 409
    message = page.locator("#kanban-message")
    message.wait_for(state="visible")
    assert "someone else just changed this record" in message.inner_text()
    assert "北辰软件" in page.locator(".kanban-cards[data-value=B]").inner_text()
    assert ws.records.get(ALICE, "customer", record.id)["grade"] == "B"


@pytest.mark.parametrize("path", ["/apps/sales/customer", "/apps/sales/customer/kanban?by=grade",
                                  "/apps/sales/customer?f=grade:eq:Z"])
def test_list_and_board_fit_a_phone(chromium: Any, shop_site: Any, path: str) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    assert errors == []
