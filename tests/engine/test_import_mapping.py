"""Mapping columns to fields and cells to values: suggestions by label (zh or en, any case and spacing) or id,
options by label, people and departments by name, relations by title and by serial number, numbers with ¥ and
thousands separators, booleans, a too-long cell as its row's error; the rights an import needs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine.imports import (ImportOptions, ImportRefused, find, importable_fields, inspect_file, may_import, preview,
                            start_import, suggest_mapping)
from engine.imports.reading import MAX_CELL_CHARS
from engine.org.departments import add_department
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from tests.conftest import add_user

ADMIN = Actor(user_id=1, is_admin=True)


def csv_file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(ws, form: str, path: Path, mapping: dict[str, str] | None = None, actor: Actor = ADMIN, **kw) -> str:  # type: ignore[no-untyped-def]
    info = inspect_file(path)
    mapping = mapping or suggest_mapping(ws.records.runtime(form).form, info.headers)
    token = start_import(ws, actor, form, path, ImportOptions(mapping=mapping, **kw), lang="en")
    assert [o.status for o in ws.jobs.drain()] == ["done"]
    return token


def test_suggestions_match_labels_in_either_language_or_ids(shop) -> None:  # type: ignore[no-untyped-def]
    form = shop.records.runtime("customer").form
    headers = ("名称", " GRADE ", "e mail", "email", "Since", "order_count", "Photo", "负责人", "团队", "Whatever")
    assert suggest_mapping(form, headers) == {
        "名称": "name", " GRADE ": "grade", "e mail": "email", "email": "", "Since": "since", "order_count": "",
        "Photo": "", "负责人": "owner", "团队": "team", "Whatever": ""}  # a field once; rollups, images never
    ids = [c.id for c in importable_fields(shop.records.runtime("order").form)]
    assert ids == ["customer", "status", "cancel_reason", "ordered_on", "ship_by", "items.product", "items.quantity",
                   "items.price", "discount"]  # no serial number, no formula; a subform's columns as sub.column
    assert suggest_mapping(shop.records.runtime("order").form, ["明细.产品", "Items . Quantity", "items.price"]) == {
        "明细.产品": "items.product", "Items . Quantity": "items.quantity", "items.price": "items.price"}


def test_options_people_departments_numbers_and_relations(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob")
    with write_transaction(shop.engine) as conn:
        sales = add_department(conn, 1, {"zh": "销售部", "en": "Sales"}, None, None, shop.now())
    shop.records.create(ADMIN, "customer", {"name": "甲公司"})
    path = csv_file(tmp_path, "名称,团队,所属部门\n乙公司,\"alice, bob\",sales\n丙公司,nobody,销售部\n")
    run(shop, "customer", path)
    records = {r.values["name"]: r.values for r in shop.records.list(ADMIN, "customer", Query(limit=10)).records}
    assert records["乙公司"]["team"] == [1, bob] and records["乙公司"]["dept"] == sales
    assert "丙公司" not in records

    orders = csv_file(tmp_path, "客户,状态,折扣,下单日期\n甲公司,已付款,\"1,000\",2024-03-01\n甲公司,Cancelled,5,"
                                "01/03/2024\n无此客户,新建,¥12,2024-03-02\n", "orders.csv")
    token = run(shop, "order", orders)
    job = find(shop, token)
    # row 3: cancelled needs a reason, and a day-first date is not read (ambiguous); row 4: no such customer
    assert job is not None and (job.written, job.errors) == (1, 2)
    orders.write_text("客户,状态,折扣,下单日期\n甲公司,已付款,12.5%,2024/3/1\n甲公司,Cancelled,5,46082\n", "utf-8")
    run(shop, "order", orders, mapping={"客户": "customer", "状态": "status", "折扣": "discount", "下单日期": "ordered_on"})
    stored = shop.records.list(ADMIN, "order", Query(limit=10, sort=(("code", False),))).records
    assert [(r.values["status"], r.values["discount"]) for r in stored] == [("paid", Decimal("1000")),
                                                                            ("paid", Decimal("12.5"))]
    code = stored[0].values["code"]
    payments = csv_file(tmp_path, f"订单,金额,日期\n{code},\"¥1,234.50\",2024年3月5日\nSO-0000,1,\n", "pay.csv")
    token = run(shop, "payment", payments)
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (1, 1)
    paid = shop.records.list(ADMIN, "payment", Query(limit=10)).records[0].values
    assert paid["order"] == stored[0].id and paid["amount"] == Decimal("1234.50")


def test_a_cell_over_the_length_limit_is_its_rows_error(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, f"Name,Notes\nShort,ok\nLong,{'x' * (MAX_CELL_CHARS + 1)}\n")
    shown = preview(shop, ADMIN, "customer", path, ImportOptions(mapping={"Name": "name", "Notes": "notes"}), "en")
    assert [c.count for c in shown.columns] == [0, 1]
    assert shown.rows[1].problems == (f"Notes holds {MAX_CELL_CHARS + 1} characters, over the limit of "
                                      f"{MAX_CELL_CHARS}",)
    token = run(shop, "customer", path, mapping={"Name": "name", "Notes": "notes"})
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (1, 1)


def test_the_import_right_is_needed_and_update_needs_update(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop.publish({"shop/roles.yaml": """roles:
  - id: clerk
    label: {zh: 店员, en: Clerk}
    permissions:
      customer: {operations: [read, create], scope: all}
  - id: loader
    label: {zh: 录入员, en: Loader}
    permissions:
      customer: {operations: [read, create, import], scope: all}
"""})
    clerk = Actor(user_id=add_user(shop, "carl", admin=False, roles=("clerk",)), roles=frozenset({"clerk"}))
    loader = Actor(user_id=add_user(shop, "lee", admin=False, roles=("loader",)), roles=frozenset({"loader"}))
    path = csv_file(tmp_path, "Name\nA\n")
    assert not may_import(shop, clerk, "customer") and may_import(shop, loader, "customer")
    with pytest.raises(ImportRefused) as caught:
        start_import(shop, clerk, "customer", path, ImportOptions(mapping={"Name": "name"}))
    assert caught.value.code == "no_right" and "import and create rights" in caught.value.message("en")
    with pytest.raises(ImportRefused) as caught:
        preview(shop, loader, "customer", path, ImportOptions(mapping={"Name": "name"}, key="name", on_duplicate="update"))
    assert caught.value.code == "no_right_update"
    with pytest.raises(ImportRefused) as caught:
        start_import(shop, loader, "customer", path, ImportOptions(mapping={"Name": "name"}, key="grade"))
    assert caught.value.code == "bad_key"
    token = run(shop, "customer", path, actor=loader, key="name", on_duplicate="skip")
    job = find(shop, token)
    assert job is not None and job.written == 1 and job.user_id == loader.user_id


VISIT = """form: visit
label: {zh: 拜访, en: Visit}
fields:
  - {id: topic, type: text, label: {zh: 主题, en: Topic}}
  - {id: at, type: datetime, label: {zh: 时间, en: At}}
  - {id: done, type: boolean, label: {zh: 完成, en: Done}}
"""


def test_local_times_and_yes_no_words(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    shop.publish({"shop/sales/forms/visit.yaml": VISIT,
                  "shop/sales/app.yaml": "app: sales\nlabel: {zh: 销售, en: Sales}\n"
                                         "forms: [customer, product, order, payment, visit]\n"})
    path = csv_file(tmp_path, "主题,时间,完成\na,2026-03-01 09:30,是\nb,2026年3月2日 8:00,no\nc,2026-03-03T10:00+00:00,1\n"
                              "d,,true\ne,,maybe\n")
    token = run(shop, "visit", path)
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (4, 1)
    got = {r.values["topic"]: (r.values["at"], r.values["done"])
           for r in shop.records.list(ADMIN, "visit", Query(limit=10)).records}
    utc = timezone.utc
    assert got == {"a": (datetime(2026, 3, 1, 1, 30, tzinfo=utc), True),  # 09:30 in Asia/Shanghai
                   "b": (datetime(2026, 3, 2, 0, 0, tzinfo=utc), False),
                   "c": (datetime(2026, 3, 3, 10, 0, tzinfo=utc), True), "d": (None, True)}


def test_a_key_only_matches_records_the_importer_may_read(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop.publish({"shop/roles.yaml": """roles:
  - id: loader
    label: {zh: 录入员, en: Loader}
    permissions:
      customer: {operations: [read, create, import], scope: own}
"""})
    loader = Actor(user_id=add_user(shop, "lee", admin=False, roles=("loader",)), roles=frozenset({"loader"}))
    shop.records.create(ADMIN, "customer", {"name": "Theirs", "notes": "k1"})
    shop.records.create(loader, "customer", {"name": "Mine", "notes": "k2"})
    path = csv_file(tmp_path, "Name,Notes\nNew 1,k1\nNew 2,k2\n")
    token = run(shop, "customer", path, actor=loader, key="notes", on_duplicate="skip")
    job = find(shop, token)
    assert job is not None and (job.written, job.skipped) == (1, 1)  # k1 is not theirs to see: a new record
    assert sorted(r.values["name"] for r in shop.records.list(ADMIN, "customer", Query(limit=10)).records) == [
        "Mine", "New 1", "Theirs"]
