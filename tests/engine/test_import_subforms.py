"""Subform rows from the lines of a file: a line whose own-field cells are empty, or (with a key) that repeats the
key of the line above, adds a row to the record above; a failed record lists all its lines in the report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.imports import ImportOptions, find, inspect_file, preview, start_import, suggest_mapping, write_report
from engine.records.model import Actor, Query
from tests.engine.test_import_run import sheet_rows

ADMIN = Actor(user_id=1, is_admin=True)
INVOICE = """form: invoice
label: {zh: 发票, en: Invoice}
title: number
fields:
  - {id: number, type: text, label: {zh: 发票号, en: Number}, required: true, unique: true}
  - {id: customer, type: relation, to: customer, label: {zh: 客户, en: Customer}}
  - id: lines
    type: subform
    label: {zh: 明细, en: Lines}
    fields:
      - {id: product, type: relation, to: product, label: {zh: 产品, en: Product}, required: true}
      - {id: quantity, type: integer, label: {zh: 数量, en: Quantity}, min: 1}
"""


def start(ws, form: str, path: Path, **kw) -> str:  # type: ignore[no-untyped-def]
    info = inspect_file(path)
    mapping = suggest_mapping(ws.records.runtime(form).form, info.headers)
    token = start_import(ws, ADMIN, form, path, ImportOptions(mapping=mapping, **kw), lang="en")
    assert [o.status for o in ws.jobs.drain()] == ["done"]
    return token


def test_lines_with_empty_own_cells_add_subform_rows(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ADMIN, "customer", {"name": "甲公司"})
    for name in ("笔", "纸"):
        shop.records.create(ADMIN, "product", {"name": name, "price": 2})
    path = tmp_path / "orders.csv"
    path.write_text("客户,状态,明细.产品,明细.数量,明细.单价\n甲公司,新建,笔,2,1.5\n,,纸,3,2\n甲公司,已付款,纸,1,2\n"
                    "甲公司,新建,笔,0,1\n,,无此产品,1,1\n", encoding="utf-8")
    shown = preview(shop, ADMIN, "order", path, ImportOptions(mapping=suggest_mapping(
        shop.records.runtime("order").form, inspect_file(path).headers)), "en")
    assert [r.number for r in shown.rows] == [2, 4, 5]
    assert shown.rows[0].values[2:] == ("笔; 纸", "2; 3", "¥1.50; ¥2.00")
    token = start(shop, "order", path)
    job = find(shop, token)
    assert job is not None and (job.done, job.written, job.errors) == (5, 3, 2)  # counted in lines of the file
    orders = shop.records.list(ADMIN, "order", Query(limit=10, sort=(("code", False),))).records
    assert [[(i["quantity"], i["price"]) for i in o.values["items"]] for o in orders] == [
        [(2, Decimal("1.50")), (3, Decimal("2.00"))], [(1, Decimal("2.00"))]]
    assert orders[0].values["total"] == Decimal("9.00")  # the formulas ran over the imported rows
    rows = sheet_rows(write_report(shop, token, "en"))
    assert [r[0] for r in rows[1:]] == [5, 6]  # both lines of the failed order
    assert "Product: nothing called '无此产品' was found" in rows[1][-1] and rows[1][-1] == rows[2][-1]


def test_lines_repeating_the_key_add_subform_rows(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop.publish({"shop/sales/forms/invoice.yaml": INVOICE,
                  "shop/sales/app.yaml": "app: sales\nlabel: {zh: 销售, en: Sales}\n"
                                         "forms: [customer, product, order, payment, invoice]\n"})
    shop.records.create(ADMIN, "product", {"name": "笔"})
    shop.records.create(ADMIN, "product", {"name": "纸"})
    path = tmp_path / "inv.csv"
    path.write_text("Number,Lines.Product,Lines.Quantity\nF-1,笔,1\nF-1,纸,2\nF-2,纸,5\nF-1,笔,9\n", encoding="utf-8")
    token = start(shop, "invoice", path, key="number")
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (3, 1)  # the later F-1 is a duplicate in the file
    stored = {r.values["number"]: [line["quantity"] for line in r.values["lines"]]
              for r in shop.records.list(ADMIN, "invoice", Query(limit=10)).records}
    assert stored == {"F-1": [1, 2], "F-2": [5]}
    rows = sheet_rows(write_report(shop, token, "en"))
    assert rows[1][0] == 5 and "already appears in row 2" in rows[1][-1]
