"""The report export routes: a workbook and a PDF under the viewer's access, 403 without the app, 404 for an
unknown report, 403 with the reason when the report cannot run for the viewer; file names in their language."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.storage.database import read_transaction
from tests.conftest import add_user
from tests.web.exports.pdfs import pdf_text
from tests.web.test_web import sign_in
from web.app import create_app

HIDDEN_FIELD = """report: margins
label: {zh: 毛利, en: Margins}
form: deal
dimensions: [{field: stage}]
measures: [{id: cost, aggregate: sum, field: cost}]
"""
OUTSIDER_ROLES = """roles:
  - id: rep
    label: {zh: 销售代表, en: Sales rep}
    permissions:
      deal: {operations: [create, read, update], scope: own, fields: {cost: hidden}}
      client: {operations: [read], scope: all, fields: {revenue: hidden}}
  - id: manager
    label: {zh: 销售经理, en: Sales manager}
    permissions:
      deal: {operations: [read, update], scope: department_tree}
      client: {operations: [read], scope: all}
  - id: outsider
    label: {zh: 外部人员, en: Outsider}
    permissions: {}
"""
BASE = "/apps/sales/reports"


@pytest.fixture
def client(sales):  # type: ignore[no-untyped-def]
    ws = sales.ws
    ws.publish({"sales/reports/margins.yaml": HIDDEN_FIELD, "roles.yaml": OUTSIDER_ROLES})
    add_user(ws, "alice")
    add_user(ws, "rita", admin=False, roles=("rep",), department_id=sales.departments["east"])
    add_user(ws, "otto", admin=False, roles=("outsider",))
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def test_an_admin_gets_the_workbook_named_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    answer = client.get(f"{BASE}/monthly/export.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxml")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="monthly.xlsx"; filename*=UTF-8\'\'' + quote("月度成交-"))
    assert answer.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet["A1"].value == "月度成交" and any(c.value == "合计" for row in sheet.iter_rows() for c in row)
    with read_transaction(client.app.state.ws.engine) as conn:
        [entry] = list_audit(conn, AuditFilter(actions=("export",)))
    assert entry["target"] == "deal" and entry["detail"]["report"] == "sales.monthly"
    assert entry["detail"]["format"] == "xlsx" and entry["detail"]["rows"] > 0


def test_a_pdf_in_english_for_an_english_reader(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    answer = client.get(f"{BASE}/pipeline/export.pdf", headers={"accept-language": "en-US"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert quote("Pipeline-") in answer.headers["content-disposition"]
    words = pdf_text(answer.content)
    assert "Pipeline" in words and "Filters: Stage is none of Lost" in words and "Page 1 of 1" in words


def test_unknown_reports_and_apps_are_404(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    assert client.get(f"{BASE}/nothing/export.xlsx").status_code == 404
    assert client.get("/apps/nowhere/reports/monthly/export.pdf").status_code == 404


def test_a_viewer_without_the_app_gets_403(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "otto")
    assert client.get(f"{BASE}/monthly/export.xlsx").status_code == 403


def test_a_report_using_a_hidden_field_is_refused_with_the_reason(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "rita")
    assert client.get(f"{BASE}/pipeline/export.xlsx").status_code == 200
    answer = client.get(f"{BASE}/margins/export.pdf")
    assert answer.status_code == 403 and "你不能运行这个报表" in answer.text and "成本" in answer.text


def test_exports_need_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"{BASE}/monthly/export.xlsx", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
