"""The import pages of a form: the list's Import entry and every step only for users with the import right (403 and
no button otherwise); uploads refused with their message on the page (4xx, never 500); CSRF; the mapping, preview,
progress (polled, across a reload) and error report of a run; only one's own imports are seen."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor, Query
from engine.settings import Settings
from tests.conftest import add_user
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)
EN = {"accept-language": "en-US"}
ZH = {"accept-language": "zh-CN"}
ROLES = """roles:
  - id: importer
    label: Importer
    permissions:
      customer: {operations: [create, read, update, import], scope: all}
  - id: clerk
    label: Clerk
    permissions:
      customer: {operations: [create, read, update], scope: all}
"""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def site(shop):  # type: ignore[no-untyped-def]
    """Ivy may import customers, Carl may create them but not import; one customer exists."""
    shop.publish({"shop/roles.yaml": ROLES})
    users = {"ivy": add_user(shop, "ivy", admin=False, roles=("importer",)),
             "carl": add_user(shop, "carl", admin=False, roles=("clerk",))}
    shop.records.create(ADMIN, "customer", {"name": "华联电子", "grade": "A"})
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        yield client, shop, users


def upload(client: TestClient, csrf: str, data: bytes, name: str = "clients.csv", headers: dict[str, str] = EN,
           **kwargs: object):  # type: ignore[no-untyped-def]
    return client.post("/apps/sales/customer/import", data={"csrf_token": csrf}, files={"file": (name, data)},
                       headers=headers, follow_redirects=False, **kwargs)


def staged_url(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert re.fullmatch(r"/apps/sales/customer/import/[0-9a-f]{32}/mapping", location), location
    return location.rsplit("/", 1)[0]


def test_only_users_with_the_import_right_see_the_entry_and_the_pages(site) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = site
    sign_in(client, "carl")
    listing = client.get("/apps/sales/customer", headers=EN)
    assert listing.status_code == 200 and "/apps/sales/customer/import" not in listing.text
    refused = client.get("/apps/sales/customer/import", headers=EN)
    assert refused.status_code == 403 and "import and create rights" in refused.text
    csrf = csrf_of(client.get("/settings").text)
    assert upload(client, csrf, csv_bytes([["Name"], ["A"]])).status_code == 403
    client.cookies.clear()
    sign_in(client, "ivy")
    listing = client.get("/apps/sales/customer", headers=ZH)
    assert 'href="/apps/sales/customer/import"' in listing.text and ">导入<" in listing.text
    page = client.get("/apps/sales/customer/import", headers=EN)
    assert page.status_code == 200 and 'accept=".xlsx,.xls,.csv"' in page.text and "at most 100 MB" in page.text
    assert "No imports yet." in page.text


def test_an_upload_needs_the_csrf_token(site) -> None:  # type: ignore[no-untyped-def]
    client, ws, _ = site
    sign_in(client, "ivy")
    response = client.post("/apps/sales/customer/import", files={"file": ("a.csv", csv_bytes([["Name"], ["X"]]))},
                           headers=EN, follow_redirects=False)
    assert response.status_code == 403
    response = upload(client, "forged-token", csv_bytes([["Name"], ["X"]]))
    assert response.status_code == 403


@pytest.mark.parametrize(("data", "name", "status", "words"), [
    (b"", "empty.csv", 400, "The file is empty"),
    (csv_bytes([["Name", "Grade"]]), "header.csv", 400, "header row but no data rows"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "photo.csv", 415, "not an Excel (xlsx, xls) or CSV file"),
    (b"PK\x03\x04broken zip", "broken.xlsx", 400, "cannot be read"),
    (csv_bytes([["Name", "Name"], ["a", "b"]]), "twice.csv", 400, "more than once"),
])
def test_bad_uploads_are_refused_with_their_message_on_the_page(site, data, name, status, words) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = site
    csrf = sign_in(client, "ivy")
    response = upload(client, csrf, data, name)
    assert response.status_code == status, response.text[:300]
    assert words in response.text and 'type="file"' in response.text  # the upload step again, with the message


def test_no_file_chosen_and_a_file_over_the_limit_are_refused(site) -> None:  # type: ignore[no-untyped-def]
    client, ws, _ = site
    csrf = sign_in(client, "ivy")
    response = client.post("/apps/sales/customer/import", data={"csrf_token": csrf}, headers=EN)
    assert response.status_code == 400 and "Choose a file to import" in response.text
    ws.settings = Settings({**ws.settings.values, "import_max_mb": "1"})
    big = csv_bytes([["Name"]] + [[f"客户{i:07d}" + "x" * 60] for i in range(20_000)])
    assert len(big) > 1024 * 1024 + 200_000
    response = upload(client, csrf, big)
    assert response.status_code == 413 and "over the 1 MB limit" in response.text
    assert 'type="file"' in response.text  # the upload step again, with the message


def test_mapping_preview_start_progress_and_report(site) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = site
    csrf = sign_in(client, "ivy")
    rows = [["客户名称", "级别", "邮件"], ["华联电子", "B", "x@hualian.example"], ["大同商贸", "C", "not an email"],
            ["华夏五金", "A", "hx@example.com"]]
    url = staged_url(upload(client, csrf, csv_bytes(rows, "gb18030"), "客户.csv"))
    mapping = client.get(url + "/mapping", headers=EN)
    assert mapping.status_code == 200 and "客户.csv" in mapping.text and "Do not import" in mapping.text
    assert "x@hualian.example" in mapping.text  # sample values
    # a field chosen twice comes back with the engine's message
    twice = client.post(url + "/mapping", data={"csrf_token": csrf, "map.0": "name", "map.1": "name", "map.2": "",
                                                "on_duplicate": "skip"}, headers=EN)
    assert twice.status_code == 400 and "mapped from several columns" in twice.text
    sent = client.post(url + "/mapping", data={"csrf_token": csrf, "map.0": "name", "map.1": "grade", "map.2": "email",
                                               "key": "name", "on_duplicate": "update"}, headers=EN,
                       follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == url + "/preview"
    preview = client.get(url + "/preview", headers=EN)
    assert preview.status_code == 200 and "大同商贸" in preview.text
    assert "邮件 → Email: 1 value cannot be read" in preview.text  # the column, the field, the count
    assert "Full name" not in preview.text and "Name — Update the record from the row" in preview.text
    assert client.post(url + "/start", headers=EN).status_code == 403  # no CSRF token
    started = client.post(url + "/start", data={"csrf_token": csrf}, headers=EN, follow_redirects=False)
    assert started.status_code == 303
    job_url = started.headers["location"]
    assert re.fullmatch(r"/apps/sales/customer/imports/[0-9a-f]{32}", job_url)
    page = client.get(job_url, headers=EN)
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.text and "<progress" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert client.get(job_url + "/report", headers=EN).status_code == 404  # not finished
    ws.jobs.drain()
    polled = client.get(job_url, headers={**EN, "hx-request": "true"})
    assert "<html" not in polled.text and "hx-trigger" not in polled.text and "Import finished" in polled.text
    assert 'data-count="written">1<' in polled.text and 'data-count="updated">1<' in polled.text
    assert re.search(r'data-count="errors"[^>]*>1<', polled.text) and f'href="{job_url}/report"' in polled.text
    reloaded = client.get(job_url, headers=ZH)
    assert "导入完成" in reloaded.text and "客户.csv" in reloaded.text
    assert "导入记录" not in reloaded.text  # this import is the only one: no list of others beneath it
    report = client.get(job_url + "/report", headers=ZH)
    assert report.status_code == 200 and report.headers["content-type"] == XLSX
    assert "attachment" in report.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    found = list(sheet.iter_rows(values_only=True))
    assert found[0][0] == "行号" and found[1][0] == 3 and found[1][1] == "大同商贸"
    names = {r.values["name"]: r.values for r in ws.records.list(ADMIN, "customer", Query(limit=10)).records}
    assert names["华联电子"]["grade"] == "B" and "华夏五金" in names and "大同商贸" not in names
    # the staged file went with the start: its steps are gone
    assert client.get(url + "/mapping", headers=EN).status_code == 404


def test_an_import_is_its_owners_only(site) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = site
    ws.publish({"shop/roles.yaml": ROLES.replace("[create, read, update]", "[create, read, update, import]")})
    csrf = sign_in(client, "ivy")
    url = staged_url(upload(client, csrf, csv_bytes([["Name"], ["新客户"]])))
    client.post(url + "/mapping", data={"csrf_token": csrf, "map.0": "name", "on_duplicate": "skip"})
    job_url = client.post(url + "/start", data={"csrf_token": csrf}, follow_redirects=False).headers["location"]
    other_stage = url
    client.cookies.clear()
    sign_in(client, "carl")
    assert client.get(job_url, headers=EN).status_code == 403
    assert client.get(job_url + "/report", headers=EN).status_code == 403
    page = client.get("/apps/sales/customer/import", headers=EN)
    assert page.status_code == 200 and job_url not in page.text  # not in Carl's past imports
    assert client.get(other_stage + "/mapping", headers=EN).status_code == 404
    assert client.get("/apps/sales/customer/imports/" + "0" * 32, headers=EN).status_code == 404


def test_a_workbook_with_several_sheets_offers_the_sheet_choice(site) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = site
    csrf = sign_in(client, "ivy")
    data = xlsx_bytes({"说明": [["这是说明"], ["无"]], "客户": [["名称", "等级"], ["新客户", "A"]]})
    url = staged_url(upload(client, csrf, data, "clients.xlsx"))
    first = client.get(url + "/mapping", headers=EN)
    assert first.status_code == 200 and '<option value="客户"' in first.text and "这是说明" in first.text
    second = client.get(url + "/mapping?sheet=客户", headers=EN)
    assert "新客户" in second.text and re.search(r'<option value="name" selected>', second.text)
    missing = client.get(url + "/mapping?sheet=nope", headers=EN)
    assert missing.status_code == 400 and "no sheet called" in missing.text


def test_the_template_workbook_names_the_importable_fields_in_the_users_language(site) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = site
    sign_in(client, "ivy")
    page = client.get("/apps/sales/customer/import", headers=ZH)
    assert 'href="/apps/sales/customer/import/template.xlsx"' in page.text and "下载导入模板" in page.text
    template = client.get("/apps/sales/customer/import/template.xlsx", headers=EN)
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    headers = next(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert any(str(h).startswith("Name") for h in headers) and not any("Orders" in str(h) for h in headers)  # no rollup
    client.cookies.clear()
    sign_in(client, "carl")
    assert client.get("/apps/sales/customer/import/template.xlsx", headers=EN).status_code == 403


def test_a_failed_import_says_so_and_goes_on_when_asked(site) -> None:  # type: ignore[no-untyped-def]
    from engine import imports

    client, ws, _ = site
    csrf = sign_in(client, "ivy")
    url = staged_url(upload(client, csrf, csv_bytes([["Name"], ["新客户"]])))
    client.post(url + "/mapping", data={"csrf_token": csrf, "map.0": "name", "on_duplicate": "skip"})
    job_url = client.post(url + "/start", data={"csrf_token": csrf}, follow_redirects=False).headers["location"]
    for kept in imports.folder(ws).glob(job_url.rsplit("/", 1)[1] + ".*"):
        kept.unlink()  # the kept copy is lost: the job cannot read its file
    ws.jobs.drain()
    failed = client.get(job_url, headers=EN)
    assert failed.status_code == 200 and "The import could not be finished" in failed.text
    assert 'data-import-status="failed"' in failed.text and "hx-trigger" not in failed.text
    assert "Traceback" not in failed.text and "Error:" not in failed.text
    assert client.post(job_url + "/resume", headers=EN).status_code == 403  # CSRF
    resumed = client.post(job_url + "/resume", data={"csrf_token": csrf}, follow_redirects=False)
    assert resumed.status_code == 303 and resumed.headers["location"] == job_url
    again = client.get(job_url, headers=EN)
    assert 'hx-trigger="every 1s"' in again.text  # waiting to run again: the page polls


def test_every_import_text_is_in_both_languages_and_every_used_key_exists() -> None:
    from pathlib import Path

    from web.texts.imports import TEXTS

    for key, entry in TEXTS.items():
        assert entry.get("zh") and entry.get("en"), key
        assert sorted(re.findall(r"{\w+}", entry["zh"])) == sorted(re.findall(r"{\w+}", entry["en"])), key
    web = Path(__file__).parents[2] / "web"
    sources = [*(web / "templates" / "imports").glob("*.html"), *(web / "views" / "imports").glob("*.py"),
               web / "templates" / "_view_menus.html"]  # the list toolbar's 更多 menu holds the entry
    quoted = re.compile(r"""['"](import_[a-z_]*[a-z])['"]""")
    used = {key for path in sources for key in quoted.findall(path.read_text("utf-8"))}
    dynamic = {k for k in TEXTS if k.startswith(("import_status_", "import_dup_", "import_step_")) or k.endswith("_dry")}
    assert used - set(TEXTS) == {"import_options"}  # the session key of the mapping choices, not a text
    assert set(TEXTS) - used - dynamic == set()  # no text left over


def test_a_running_import_shows_rows_counts_rate_and_time_left_and_keeps_polling() -> None:
    from datetime import datetime, timezone

    from engine.imports import ImportJob
    from web.i18n import translator
    from web.render import environment
    from web.views.imports.progress import duration, status_data

    t = translator("en")
    job = ImportJob("a" * 32, 2, "customer", "clients.xlsx", "running", False, 20_000, 5_000, 4_900, 60, 0, 40,
                    1250.4, 12, None, datetime(2026, 12, 6, tzinfo=timezone.utc), None, 5_001)
    data = status_data(job, "en", timezone.utc)
    assert data["created_at"] == "Dec 6, 2026, 00:00"  # in the reader's language (engine.locale_format)
    assert status_data(job, "zh", timezone.utc)["created_at"] == "2026年12月6日 00:00"
    html = environment.get_template("imports/_progress.html").render(
        t=t, data=data, url="/apps/sales/customer/imports/" + "a" * 32, base="/apps/sales/customer", csrf="x")
    assert 'hx-trigger="every 1s"' in html and '<progress max="100" value="25">' in html
    assert "5,000 of 20,000 rows handled" in html and "1,250 rows a second" in html and "about 12 s" in html
    assert re.search(r'data-count="written">4,900<', html) and "import-report" not in html
    assert duration(600, t) == "10 min" and duration(600, translator("zh")) == "10 分钟"
