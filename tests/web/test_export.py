"""Exports from the list page and the API: Excel and CSV files of exactly the records and fields the user may
see, under the list's filters, search and sort; refused without the export right; audited — SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.records import export as export_module
from engine.records.export import start_export
from engine.records.model import Actor, Filter, Query
from engine.storage.database import read_transaction
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)
ROLES = """roles:
  - id: clerk
    label: {zh: 店员, en: Clerk}
    permissions:
      order: {operations: [create, read, update, export], scope: own}
      customer: {operations: [read, export], scope: all, fields: {email: hidden}}
      product: {operations: [read], scope: all}
  - id: viewer
    label: {zh: 只读, en: Viewer}
    permissions:
      order: {operations: [read], scope: all}
"""
EN = {"accept-language": "en-US"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def shop_export(shop):  # type: ignore[no-untyped-def]
    """Alice (admin) and Carl (clerk) each own orders; Vera may read orders but not export them."""
    shop.publish({"shop/roles.yaml": ROLES})
    carl = add_user(shop, "carl", admin=False, roles=("clerk",))
    add_user(shop, "vera", admin=False, roles=("viewer",))
    pen = shop.records.create(ADMIN, "product", {"name": "Pen", "price": "2.50"})
    hualian = shop.records.create(ADMIN, "customer", {"name": "华联电子", "email": "buyer@hualian.example",
                                                      "grade": "A", "since": "2023-05-01"})
    sly = shop.records.create(ADMIN, "customer", {"name": "=HYPERLINK(\"http://evil.example\")"})
    paid = shop.records.create(ADMIN, "order", {
        "customer": hualian.id, "status": "paid", "ordered_on": "2024-03-01", "discount": "12.5",
        "items": [{"product": pen.id, "quantity": 4, "price": "2.50"}]})
    new = shop.records.create(ADMIN, "order", {"customer": sly.id, "ordered_on": "2024-03-02"})
    carls = shop.records.create(Actor(user_id=carl, roles=frozenset({"clerk"})), "order",
                                {"customer": hualian.id, "ordered_on": "2024-03-03"})
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        yield client, {"paid": paid.id, "new": new.id, "carls": carls.id, "hualian": hualian.id, "carl": carl}


def workbook(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_excel_has_typed_values_labels_and_names(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client)
    response = client.get("/apps/sales/order/export?format=xlsx&sort=ordered_on&dir=asc", headers=EN)
    assert "attachment" in response.headers["content-disposition"] and response.headers["cache-control"] == "no-store"
    sheet = workbook(response)
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert headers[:4] == ["Number", "Customer", "Customer grade", "Status"] and "Contract" in headers
    assert "Ordered on" in headers and "Items" in headers and "Discount" in headers
    first = dict(zip(headers, rows[1]))
    assert first["Customer"] == "华联电子" and first["Status"] == "Paid" and first["Customer grade"] == "A"
    assert first["Ordered on"] == datetime(2024, 3, 1)  # a real date cell
    assert first["Total"] == 10 and first["Discount"] == pytest.approx(0.125)
    assert first["Items"] == "Product: Pen; Quantity: 4; Price: ¥2.50; Subtotal: ¥10.00"
    cells = dict(zip(headers, next(sheet.iter_rows(min_row=2, max_row=2))))
    assert cells["Ordered on"].is_date and cells["Ordered on"].number_format == "yyyy-mm-dd"
    assert cells["Discount"].number_format == "0.00%" and cells["Total"].data_type == "n"
    assert [r[headers.index("Ordered on")].day for r in rows[1:]] == [1, 2, 3]
    sly = dict(zip(headers, next(sheet.iter_rows(min_row=3, max_row=3))))
    assert sly["Customer"].data_type == "s" and sly["Customer"].value.startswith("=HYPERLINK")  # text, not a formula


def test_csv_has_a_bom_headers_in_the_users_language_and_the_lists_filters(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client)
    rows = csv_rows(client.get("/apps/sales/order/export?format=csv&f=status:eq:paid", headers={"accept-language": "zh-CN"}))
    assert rows[0][:4] == ["单号", "客户", "客户等级", "状态"]
    assert len(rows) == 2 and rows[1][1] == "华联电子" and rows[1][3] == "已付款"
    record = dict(zip(rows[0], rows[1]))
    assert record["下单日期"] == "2024-03-01" and record["折扣"] == "12.5%" and record["合计"] == "10.00"
    searched = csv_rows(client.get("/apps/sales/customer/export?format=csv&q=华联"))
    assert [r[0] for r in searched[1:]] == ["华联电子"]
    everyone = csv_rows(client.get("/apps/sales/customer/export?format=csv&sort=name&dir=asc"))
    assert [r[0] for r in everyone[1:]] == ["'=HYPERLINK(\"http://evil.example\")", "华联电子"]  # no CSV injection
    assert client.get("/apps/sales/order/export?format=csv&f=nope:eq:1").status_code == 400
    assert client.get("/apps/sales/order/export?format=pdf").status_code == 400


def test_the_scope_and_hidden_fields_apply(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client, "carl")
    orders = csv_rows(client.get("/apps/sales/order/export?format=csv", headers=EN))
    assert len(orders) == 2 and orders[1][0] == client.app.state.ws.records.get(  # type: ignore[attr-defined]
        ADMIN, "order", ids["carls"]).values["code"]
    customers = workbook(client.get("/apps/sales/customer/export?format=xlsx", headers=EN))
    values = [v for row in customers.iter_rows(values_only=True) for v in row]
    assert "Email" not in values and not any("hualian.example" in str(v) for v in values)
    assert "Name" in values and "华联电子" in values
    assert client.get("/apps/sales/customer/export?format=csv&f=email:contains:buyer").status_code == 400
    api = csv_rows(client.get("/api/v1/customer/export", headers=EN))
    assert "Email" not in api[0] and "buyer@hualian.example" not in json.dumps(api)


def test_no_export_right_is_refused(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client, "vera")
    listing = client.get("/apps/sales/order")
    assert listing.status_code == 200 and "/export?" not in listing.text
    assert client.get("/apps/sales/order/export?format=xlsx").status_code == 403
    assert client.get("/api/v1/order/export?format=csv").status_code == 403
    assert client.get("/apps/sales/customer/export?format=csv").status_code == 403
    with read_transaction(client.app.state.ws.engine) as conn:  # type: ignore[attr-defined]
        assert list_audit(conn, AuditFilter(actions=("export",))) == []


def test_the_list_offers_the_export_under_its_filters(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client)
    page = client.get("/apps/sales/order?f=status:eq:paid&sort=ordered_on&dir=asc").text
    assert "/apps/sales/order/export?format=xlsx&amp;f=status:eq:paid&amp;sort=ordered_on&amp;dir=asc" in page
    assert "/static/js/export.js" in page


def test_each_export_is_audited(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client)
    client.get("/apps/sales/order/export?format=xlsx&f=status:eq:paid&q=SO")
    api = client.get("/api/v1/order/export?format=csv&sort=-ordered_on&filter="
                     + json.dumps([{"field": "status", "op": "eq", "value": "new"}]))
    assert len(csv_rows(api)) == 3
    with read_transaction(client.app.state.ws.engine) as conn:  # type: ignore[attr-defined]
        entries = list_audit(conn, AuditFilter(actions=("export",)))
    assert [(e["target"], e["actor_id"]) for e in entries] == [("order", 1), ("order", 1)]
    assert entries[0]["detail"] == {"format": "csv", "rows": 2, "search": None, "sort": ["-ordered_on"],
                                    "filters": [{"field": "status", "op": "eq", "value": "new"}]}
    assert entries[1]["detail"] == {"format": "xlsx", "rows": 1, "search": "SO", "sort": [],
                                    "filters": [{"field": "status", "op": "eq", "value": "paid"}]}


def test_the_api_export_is_documented_and_checks_its_input(shop_export) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    sign_in(client)
    sheet = workbook(client.get("/api/v1/order/export?format=xlsx", headers=EN))
    assert sheet.max_row == 4
    bad = client.get("/api/v1/order/export?format=pdf")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_export_format"
    assert client.get("/api/v1/order/export?filter=[{\"field\":\"nope\",\"op\":\"eq\"}]").status_code == 400
    assert client.get("/api/v1/nothing/export").status_code == 404
    doc = client.get("/api/openapi.json").json()
    content = doc["paths"]["/api/v1/order/export"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"text/csv", XLSX}


def test_rows_are_read_page_by_page_in_the_lists_order(shop_export, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client, ids = shop_export
    ws = client.app.state.ws  # type: ignore[attr-defined]
    for i in range(5):
        ws.records.create(ADMIN, "customer", {"name": f"客户{i}", "since": f"2024-01-0{i + 1}"})
    monkeypatch.setattr(export_module, "PAGE_ROWS", 2)
    seen: list[str | None] = []
    original = ws.records.list

    def spy(actor, form_id, query=Query(), **kw):  # type: ignore[no-untyped-def]
        seen.append(query.after)
        return original(actor, form_id, query, **kw)

    monkeypatch.setattr(ws.records, "list", spy)
    done = start_export(ws.records, ADMIN, "customer", Query(sort=(("since", False),),
                                                            filters=(Filter("name", "starts", "客户"),)), "en")
    rows = list(done.rows)
    assert done.total == 5 and [r[0] for r in rows] == [f"客户{i}" for i in range(5)]
    assert rows[0][3] == date(2024, 1, 1) and len(seen) == 3 and seen[0] is None and all(seen[1:])
    assert isinstance(rows[0][7], (int, Decimal))  # rollups are numbers


def test_an_export_scope_narrower_than_the_read_scope_applies(shop) -> None:  # type: ignore[no-untyped-def]
    shop.publish({"shop/roles.yaml": """roles:
  - id: auditor
    label: Auditor
    permissions:
      customer: {operations: [read], scope: all}
  - id: own_exporter
    label: Own exporter
    permissions:
      customer: {operations: [read, export], scope: own}
"""})
    ann = add_user(shop, "ann", admin=False, roles=("auditor", "own_exporter"))
    for name, owner in (("Mine", ann), ("Theirs", 1)):
        shop.records.create(ADMIN, "customer", {"name": name, "owner": owner})
    actor = Actor(user_id=ann, roles=frozenset({"auditor", "own_exporter"}))
    assert len(shop.records.list(actor, "customer").records) == 2  # reads all …
    done = start_export(shop.records, actor, "customer", Query(), "en")
    assert done.total == 1 and [row[0] for row in done.rows] == ["Mine"]  # … exports only their own
