"""A big batch takes the bulk write path (one compiled INSERT, or COPY on PostgreSQL): the records it stores read
back exactly as records created one at a time, and a refused row fails the batch as an INSERT would."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from engine.records.model import Actor, Query
from engine.storage.many import COPY_FROM, insert_many

ALICE = Actor(user_id=1, department_id=None, is_admin=True)


def order_input(customer: int, product: int, i: int) -> dict[str, Any]:
    return {"customer": customer, "discount": str(i % 30), "cancel_reason": f"第 {i} 单 & <b>'引号'</b>\t\\N",
            "ship_by": f"2024-04-{1 + i % 28:02d}" if i % 3 else None,
            "items": [{"product": product, "quantity": 1 + i % 4, "price": f"{i}.25"}]}


def customer_input(i: int) -> dict[str, Any]:
    return {"name": f"客户 {i}", "grade": "AB"[i % 2], "tags": ["vip", "大客户"][:i % 3],
            "email": f"c{i}@x.cn" if i % 2 else None, "since": "2024-03-01"}


def stored(ws, ids: list[int], form: str = "order") -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    page = ws.records.list(ALICE, form, Query(sort=(("id", False),), limit=500))
    by_id = {r.id: r for r in page.records}
    skip = {"code", "label"}  # serial numbers differ between the two writes by design
    return [{k: v for k, v in by_id[i].values.items() if k not in skip} for i in ids]


def test_a_big_batch_stores_what_single_creates_store(shop) -> None:  # type: ignore[no-untyped-def]
    customer = shop.records.create(ALICE, "customer", {"name": "华联电子", "tags": ["vip", "大客户"]})
    product = shop.records.create(ALICE, "product", {"name": "服务器", "price": "1200.00"})
    count = COPY_FROM + 10
    one_by_one = [shop.records.create(ALICE, "order", order_input(customer.id, product.id, i)).id
                  for i in range(count)]
    batch = [r.id for r in shop.records.create_many(ALICE, "order", [order_input(customer.id, product.id, i)
                                                                     for i in range(count)])]
    assert len(set(batch)) == count and not set(batch) & set(one_by_one)
    assert stored(shop, batch) == stored(shop, one_by_one)
    assert [len(shop.records.history(ALICE, "order", i)) for i in batch] == [1] * count
    single = [shop.records.create(ALICE, "customer", customer_input(i)).id for i in range(count)]
    many = [r.id for r in shop.records.create_many(ALICE, "customer", [
        {**customer_input(i), "name": f"客户 {i} bis"} for i in range(count)])]
    assert [{**v, "name": v["name"].removesuffix(" bis")} for v in stored(shop, many, "customer")] == \
        stored(shop, single, "customer")


def test_a_refused_row_fails_the_batch_as_an_insert_does(shop) -> None:  # type: ignore[no-untyped-def]
    table = shop.records.runtime("customer").main
    now = shop.now()
    rows = [{"id": 1000 + i % (COPY_FROM + 4), "name": f"c{i}", "created_at": now, "updated_at": now,
             "version": 1} for i in range(COPY_FROM + 5)]  # the last id repeats the first
    with pytest.raises(sa.exc.IntegrityError):
        with shop.engine.begin() as conn:
            insert_many(conn, table, rows)
    with shop.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
