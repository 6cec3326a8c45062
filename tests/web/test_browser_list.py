"""Real Chromium on the record list and the kanban board: filter and sort without a reload, pages, the sticky header,
the batch bar, the toolbar menus at 375 px, drag a card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, list_menu, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)

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

    expect(page.locator(".batch-bar")).to_be_hidden()  # nothing ticked: no batch bar
    page.check("[data-select-all]")
    expect(page.locator("[data-picked-count]")).to_have_text("2 selected")
    page.select_option("select[name=_field]", "grade")
    page.select_option("#batch-value select[name=grade]", "C")
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


@pytest.fixture
def long_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    """60 customers with long notes: the table is taller and wider than the window."""
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    ws.records.create_many(ALICE, "customer", [
        {"name": f"客户{i:02d}", "grade": "ABC"[i % 3], "email": f"customer{i:02d}@example.com",
         "tags": ["长期合作伙伴", "华东大区重点"]} for i in range(60)])
    with live_server(ws) as url:
        yield url
    ws.close()


def test_numbered_pages_and_size_without_reloading(chromium: Any, long_site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, long_site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer?sort=name&dir=asc")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("table.records tbody tr")).to_have_count(20)
    page.locator(".list-pager a.page", has_text="3").click()
    page.wait_for_url("**page=3")
    expect(page.locator(".list-pager .page.current")).to_have_text("3")
    assert table_names(page)[0] == "客户40"
    page.locator(".list-pager a.size", has_text="50").click()
    page.wait_for_url("**size=50")
    expect(page.locator("table.records tbody tr")).to_have_count(50)
    assert "page=" not in page.url and table_names(page)[0] == "客户00"
    assert page.evaluate("window.__sameDocument") is True
    assert errors == []


@pytest.mark.parametrize("width", [1280, 700])  # a phone shows cards instead (test_browser_phone_lists.py)
def test_the_header_and_the_name_column_stay_in_view_as_the_table_scrolls(chromium: Any, long_site: str,  # noqa: F811
                                                                           width: int) -> None:
    page = new_page(chromium, long_site, width=width, height=740)
    sign_in(page)
    page.goto("/apps/sales/customer?size=50&sort=name&dir=asc")
    wrap = page.locator("#listing .table-wrap")
    head = page.locator("table.records thead th").nth(1)
    top = wrap.bounding_box()["y"]
    page.evaluate("() => { const w = document.querySelector('#listing .table-wrap'); w.scrollTop = 900; "
                  "w.scrollLeft = 400; }")
    page.wait_for_function("() => document.querySelector('#listing .table-wrap').scrollTop > 0")
    assert abs(head.bounding_box()["y"] - top) <= 2, "the header row scrolled away"
    expect(head).to_be_in_viewport()
    row = page.locator("table.records tbody tr", has_text="客户20")
    name = row.locator("td").nth(1)
    assert name.bounding_box()["x"] - wrap.bounding_box()["x"] <= 60, "the name column scrolled away"
    if page.evaluate("() => { const w = document.querySelector('#listing .table-wrap'); "
                     "return w.scrollWidth > w.clientWidth; }"):
        assert page.evaluate("() => document.querySelector('#listing .table-wrap').scrollLeft") > 0
        email = row.locator("td").nth(3)
        assert email.bounding_box()["x"] < name.bounding_box()["x"] + name.bounding_box()["width"] + 400
    page.screenshot(path=f"/tmp/lists-sticky-{width}.png")


def test_the_batch_bar_appears_with_the_count_of_ticked_rows(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer")
    bar = page.locator(".batch-bar")
    expect(bar).to_be_hidden()
    boxes = page.locator("input[name=_ids]")
    boxes.nth(0).check()
    expect(bar).to_be_visible()
    expect(bar.locator("[data-picked-count]")).to_have_text("已选 1 条")
    boxes.nth(2).check()
    expect(bar.locator("[data-picked-count]")).to_have_text("已选 2 条")
    page.check("[data-select-all]")
    expect(bar.locator("[data-picked-count]")).to_have_text("已选 4 条")
    page.uncheck("[data-select-all]")
    expect(bar).to_be_hidden()
    assert errors == []


def test_the_batch_bar_works_without_javascript(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    page = new_page(chromium, url, locale="en-US", javascript=False)
    sign_in(page)
    page.goto("/apps/sales/customer")
    expect(page.locator(".batch-bar")).to_be_hidden()
    page.locator("input[name=_ids]").first.check()
    expect(page.locator(".batch-bar")).to_be_visible()
    page.locator("button[value=delete]").click()
    expect(page.locator(".notice.success")).to_contain_text("Deleted 1 of 1 records")


def test_a_warning_shows_amber_and_a_success_green(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    page = new_page(chromium, url)
    sign_in(page)
    page.goto("/apps/sales/customer")
    page.evaluate("() => document.getElementById('batch').requestSubmit()")  # sent with nothing ticked
    notice = page.locator(".notice")
    expect(notice).to_contain_text("请先勾选记录")
    assert notice.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(255, 251, 235)"  # amber
    page.locator("input[name=_ids]").first.check()
    page.select_option("select[name=_field]", "grade")
    page.select_option("#batch-value select[name=grade]", "C")
    page.click("button[value=edit]")
    expect(notice).to_contain_text("已修改 1 / 1 条记录")
    assert notice.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(236, 253, 245)"  # green


def test_the_toolbar_fits_two_lines_at_375_and_its_menus_open(chromium: Any, shop_site: Any) -> None:  # noqa: F811
    _, url = shop_site
    errors: list[str] = []
    page = new_page(chromium, url, width=375, height=740, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer?sort=name")
    bar = page.locator(".list-toolbar")
    tops = bar.evaluate("b => [...b.querySelectorAll('h1, .actions > *')].map(e => Math.round(e.getBoundingClientRect().top))")
    assert len({t // 10 for t in tops}) <= 2, f"the toolbar takes more than two lines: {tops}"
    more = page.locator("details.more-menu")
    expect(more.locator("a.export-link").first).to_be_hidden()
    more.locator("summary").click()
    for link in ("导出 Excel", "导出 CSV", "回收站"):
        expect(more.get_by_role("link", name=link)).to_be_visible()
    expect(more.get_by_role("button", name="保存")).to_be_visible()  # the list is sorted: it can be saved as a view
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the open menu makes the page scroll sideways by {overflow}px"
    page.screenshot(path="/tmp/lists-more-375.png")
    view = list_menu(page, "view")
    expect(more.locator("a.export-link").first).to_be_hidden()  # one menu at a time
    view.get_by_role("link", name="看板 · 等级").click()
    page.wait_for_url("**/kanban?by=grade")
    page.go_back()
    list_menu(page).locator("summary").click()
    page.locator("h1").click()  # a click elsewhere closes it
    expect(more.locator("a.export-link").first).to_be_hidden()
    assert errors == []
