"""Real Chromium: the list's export links download what the list shows after searching without a reload."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, list_menu, live_server, new_page, sign_in  # noqa: F401  (fixture)


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    from engine.records.model import Actor

    for name, grade in (("华联电子", "A"), ("大同商贸", "B"), ("华夏五金", "C")):
        ws.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": name, "grade": grade})
    with live_server(ws) as url:
        yield url
    ws.close()


def test_the_export_follows_the_search_typed_into_the_list(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer?sort=name&dir=asc")
    page.fill("#q", "华")
    page.wait_for_url("**q=*")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 2")
    with page.expect_download() as caught:
        list_menu(page).locator("a.export-link[data-format=csv]").click()
    download = caught.value
    assert "q=" in download.url and "format=csv" in download.url and download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "名称" and sorted(r[0] for r in rows[1:]) == ["华夏五金", "华联电子"]
    with page.expect_download() as caught:
        list_menu(page).locator("a.export-link[data-format=xlsx]").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes())).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["华夏五金", "华联电子"]
    assert errors == []


@pytest.fixture
def big_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    """Exports of more than one record run in the background; the test runs the jobs itself."""
    from engine.records.model import Actor
    from engine.settings import Settings

    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.settings = Settings({**ws.settings.values, "export_background_rows": "1"})
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    ws.records.create_many(Actor(user_id=1, is_admin=True), "customer", [{"name": n} for n in ("华联电子", "大同商贸", "华夏五金")])
    with live_server(ws) as url:
        yield url, ws
    ws.close()


def test_a_big_export_shows_progress_across_a_reload_then_downloads(chromium: Any, big_site: Any) -> None:  # noqa: F811
    site, ws = big_site
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/customer?sort=name&dir=asc")
    list_menu(page).locator("a.export-link[data-format=xlsx]").click()
    page.wait_for_url("**/exports/*")
    assert page.locator("#export-job progress").is_visible()
    assert "已导出 0 / 3 条记录" in page.locator("#export-job").inner_text()
    page.reload()  # the job lives on the server: its page comes back as it was
    assert page.locator("#export-job progress").is_visible()
    ws.jobs.drain()
    page.wait_for_selector("a.export-download")  # htmx polling brings the finished state in
    assert "导出完成:3 条记录" in page.locator("#export-job").inner_text()
    with page.expect_download() as caught:
        page.click("a.export-download")
    assert caught.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes())).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["华夏五金", "华联电子", "大同商贸"]  # the list's sort
    assert errors == []
