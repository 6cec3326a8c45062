"""Real Chromium, issue 16's import test: a sales manager of the CRM (王芳) imports a 2,000-row xlsx with Chinese
headers into the client form — one column matched by hand, duplicates by full name updated, ten bad rows — follows
the progress across a reload, and downloads the error report, which names exactly the ten rows. A sales rep (李娜)
has no import right: no Import entry on her list. Every step fits a 375 px phone without sideways scroll; screenshots
at 1280 and 375 px go to /tmp/shots-f16-import for a person to look at."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.org.users import user_by_id, user_id_by_name
from engine.records.model import Actor, Filter, Query
from engine.settings import Settings
from tests.conftest import open_workspace
from tests.crm_sample import crm_sample
from tests.web.browser import chromium, list_menu, live_server, new_page, sign_in  # noqa: F401  (fixture)

CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
PASSWORD = crm_sample()["password"]
SHOTS = Path("/tmp/shots-f16-import")  # for a person to look at; nothing asserts on them
ROWS = 2000
EXISTING = 5  # rows naming clients that exist already (updated by the duplicate rule)
BAD_EMAIL = (17, 240, 611, 999, 1400)  # file row numbers (the header is row 1) with a broken email
BAD_INDUSTRY = (25, 333, 777, 1500, 2001)  # and with an industry the form does not offer
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def actor_of(ws: Any, username: str) -> Actor:
    with ws.reading() as conn:
        user_id = user_id_by_name(conn, username)
        user = user_by_id(conn, user_id) if user_id is not None else None
    assert user is not None
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"), roles=frozenset(user["roles"]))


def workbook(path: Path, existing: list[str]) -> None:
    """Chinese headers; 行业 does not match the form's label 所属行业 (the user matches it); 备注 is not imported."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户全称", "简称", "行业", "客户等级", "电话", "邮箱", "备注"])
    industries = ["制造业", "零售业", "信息技术", "金融"]
    for number in range(2, ROWS + 2):
        i = number - 2
        name = existing[i] if i < EXISTING else f"导入客户{i:05d}有限公司"
        email = "不是邮箱" if number in BAD_EMAIL else f"c{i}@example.com"
        industry = "航天科技" if number in BAD_INDUSTRY else industries[i % 4]
        sheet.append([name, f"客户{i}", industry, "VIP客户" if i % 10 == 0 else "普通客户", f"0571-8888{i:04d}",
                      email, "内部备注"])
    book.save(path)


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path, list[str]]]:
    root = tmp_path_factory.mktemp("crm-import")
    ws = open_workspace(f"sqlite:///{root / 'crm.db'}", root / "ws")
    ws.settings = Settings({**ws.settings.values, "import_max_mb": "1"})  # the 2,000-row workbook is ~100 KB
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    manager = actor_of(ws, "wangfang")
    seen = ws.records.list(manager, "client", Query(limit=EXISTING, sort=(("name", False),))).records
    existing = [str(r.values["name"]) for r in seen]
    assert len(existing) == EXISTING
    path = root / "客户导入.xlsx"
    workbook(path, existing)
    with live_server(ws) as url:
        yield url, ws, path, existing
    ws.close()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_sales_rep_sees_no_import_entry(chromium: Any, crm: Any) -> None:  # noqa: F811
    url, _, _, _ = crm
    page = new_page(chromium, url)
    sign_in(page, "lina", PASSWORD)
    page.goto("/apps/client/client")
    page.wait_for_selector("#listing")
    assert page.locator("a.import-link").count() == 0
    assert page.goto("/apps/client/client/import").status == 403


def test_import_two_thousand_clients_with_a_mapping_change_a_duplicate_rule_and_ten_bad_rows(
        chromium: Any, crm: Any) -> None:  # noqa: F811
    url, ws, path, existing = crm
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page, "wangfang", PASSWORD)
    page.goto("/apps/client/client")
    list_menu(page).locator("a.import-link").click()
    page.wait_for_url("**/apps/client/client/import")
    assert page.locator("input[type=file]").get_attribute("accept") == ".xlsx,.xls,.csv"
    shoot(page, "1-upload-1280")
    page.set_input_files("input[type=file]", str(path))
    page.click(".import-upload button[type=submit]")
    page.wait_for_url("**/mapping")
    assert "2,000" in page.locator(".import-mapping").inner_text()
    industry = page.get_by_label("导入到字段: 行业")
    assert industry.input_value() == ""  # 行业 is not the form's label 所属行业: not suggested
    assert page.get_by_label("导入到字段: 客户全称").input_value() == "name"
    assert page.get_by_label("导入到字段: 备注").input_value() == ""
    industry.select_option("industry")
    page.select_option("select[name=key]", "name")
    page.check("input[name=on_duplicate][value=update]")
    shoot(page, "2-mapping-1280")
    page.click(".import-mapping button[type=submit]")
    page.wait_for_url("**/preview")
    problems = page.locator(".import-problems").inner_text()
    assert "邮箱 → 邮箱:5 个值无法转换" in problems and "行业 → 所属行业:5 个值无法转换" in problems
    assert page.locator("table.import-preview tbody tr:not(.import-row-problems)").count() == 20
    assert page.locator(".import-missing").count() == 0
    shoot(page, "3-preview-1280")
    page.click(".import-start button[type=submit]")
    page.wait_for_url("**/imports/*")
    assert page.locator("#import-job progress").is_visible()
    page.reload()  # the import lives on the server: its page comes back
    assert page.locator("#import-job progress").is_visible()
    ws.jobs.drain()  # in tests the job runs in this process; htmx polling brings the finished state in
    page.wait_for_selector("a.import-report")
    counts = {k: page.locator(f"dd[data-count={k}]").inner_text() for k in ("written", "updated", "skipped", "errors")}
    assert counts == {"written": f"{ROWS - EXISTING - 10:,}", "updated": str(EXISTING), "skipped": "0", "errors": "10"}
    assert "已处理 2,000 / 2,000 行" in page.locator("#import-job").inner_text()
    shoot(page, "4-done-1280")
    with page.expect_download() as caught:
        page.click("a.import-report")
    assert caught.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "行号" and rows[0][-1] == "问题"
    assert sorted(r[0] for r in rows[1:]) == sorted(BAD_EMAIL + BAD_INDUSTRY)
    manager = actor_of(ws, "wangfang")
    stored = ws.records.list(manager, "client", Query(filters=(Filter("name", "eq", "导入客户00100有限公司"),)))
    assert [r.values["industry"] for r in stored.records] == ["MANU"]  # 制造业, in the column matched by hand
    updated = ws.records.list(manager, "client", Query(filters=(Filter("name", "eq", existing[1]),))).records
    assert [r.values["short_name"] for r in updated] == ["客户1"]  # the existing client, updated from its row
    assert errors == []
    page.click("text=返回列表")
    page.wait_for_url("**/apps/client/client")


def test_the_import_pages_fit_a_phone(chromium: Any, crm: Any) -> None:  # noqa: F811
    url, ws, path, _ = crm
    errors: list[str] = []
    page = new_page(chromium, url, width=375, height=800, errors=errors)
    sign_in(page, "wangfang", PASSWORD)
    page.goto("/apps/client/client/import")
    assert page.evaluate(NO_SIDEWAYS)
    big = {"name": "大文件.csv", "mimeType": "text/csv", "buffer": b"name\n" + b"x" * (1024 * 1024 + 10)}
    page.set_input_files("input[type=file]", big)  # over the 1 MB limit: refused before it is sent
    page.wait_for_selector("#import-size-note:not([hidden])")
    assert "文件超过 1 MB" in page.locator("#import-size-note").inner_text()
    assert not page.evaluate("document.querySelector('input[type=file]').checkValidity()")
    shoot(page, "1-upload-too-big-375")
    page.set_input_files("input[type=file]", str(path))
    page.click(".import-upload button[type=submit]")
    page.wait_for_url("**/mapping")
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "2-mapping-375")
    page.select_option("select[name=key]", "name")
    page.check("input[name=on_duplicate][value=skip]")
    page.check("input[name=dry_run]")
    page.click(".import-mapping button[type=submit]")
    page.wait_for_url("**/preview")
    assert "必填字段没有对应的列:所属行业" in page.locator(".import-missing").inner_text()  # 行业 left unmatched
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "3-preview-375")
    page.click(".import-start button[type=submit]")
    page.wait_for_url("**/imports/*")
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "4-progress-375")
    assert "试导入" in page.locator(".import-file").inner_text()
    ws.jobs.drain()
    page.wait_for_selector("#import-job[data-import-status=done]")
    done = page.locator("#import-job").inner_text()
    assert "试导入完成,没有写入任何数据" in done and "将跳过" in done  # the earlier test's clients exist: skipped
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "5-dry-run-done-375")
    assert errors == []
