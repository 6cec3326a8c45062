"""RecordService.preview computes without writing; comments are stored, listed newest first and validated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from engine.errors import NotFound, RecordInvalid
from engine.records.comments import add_comment, list_comments
from engine.records.model import Actor
from engine.storage.system import history, outbox, serial_counters

ALICE = Actor(user_id=1, is_admin=True)


def _counts(ws: Any) -> list[int]:
    tables = (ws.records.runtime("order").main, history, outbox, serial_counters)
    with ws.engine.connect() as conn:
        return [int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()) for t in tables]


@pytest.fixture
def orders(shop):  # type: ignore[no-untyped-def]
    customer = shop.records.create(ALICE, "customer", {"name": "华联电子", "grade": "A"})
    product = shop.records.create(ALICE, "product", {"name": "Widget"})
    shop.records.create(ALICE, "order", {"customer": customer.id, "items": [{"product": product.id, "price": "5"}]})
    return shop


def test_preview_of_a_new_record_computes_rules_and_errors_and_writes_nothing(orders: Any) -> None:
    before = _counts(orders)
    raw = {"customer": "1", "status": "cancelled", "ship_by": "2000-01-01",
           "items": [{"product": "1", "quantity": "3", "price": "2.5"}, {"product": "", "quantity": "0"}]}
    preview = orders.records.preview(ALICE, "order", raw)
    assert preview.values["items"][0]["subtotal"] == Decimal("7.5") and preview.values["total"] == Decimal("7.5")
    assert preview.values["grade"] == "A" and preview.values["status"] == "cancelled"
    assert "cancel_reason" in preview.required and "cancel_reason" not in preview.hidden
    assert {"cancel_reason", "ship_by", "items[1].product", "items[1].quantity"} <= set(preview.errors)
    assert orders.records.preview(ALICE, "order", {"status": "new"}).hidden == {"cancel_reason"}
    assert _counts(orders) == before


def test_preview_of_an_edit_starts_from_the_stored_record(orders: Any) -> None:
    before = _counts(orders)
    preview = orders.records.preview(ALICE, "order", {"discount": "10"}, record_id=1)
    assert preview.values["total"] == Decimal("5") and preview.values["net"] == Decimal("4.5")
    assert preview.values["code"].startswith("SO-") and preview.errors == {}
    with pytest.raises(NotFound):
        orders.records.preview(ALICE, "order", {}, record_id=99)
    assert _counts(orders) == before


def test_comments_are_trimmed_listed_newest_first_and_refused_when_empty_or_long(orders: Any) -> None:
    runtimes = orders.records.runtimes
    first = add_comment(orders.engine, runtimes, "order", 1, 1, "  first  ", orders.now())
    second = add_comment(orders.engine, runtimes, "order", 1, 1, "second\r\nline", orders.now())
    assert [(c["id"], c["body"]) for c in list_comments(orders.engine, "order", 1)] == \
        [(second, "second\nline"), (first, "first")]
    with pytest.raises(RecordInvalid) as empty:
        add_comment(orders.engine, runtimes, "order", 1, 1, " \n ", orders.now())
    assert empty.value.errors["body"][0].message("en") == "Comment is required"
    with pytest.raises(RecordInvalid) as long:
        add_comment(orders.engine, runtimes, "order", 1, 1, "x" * 2001, orders.now())
    assert "at most 2000" in long.value.errors["body"][0].message("en")
    with pytest.raises(NotFound):
        add_comment(orders.engine, runtimes, "order", 42, 1, "hello", orders.now())
