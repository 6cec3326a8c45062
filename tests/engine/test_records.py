"""The record service on SQLite and PostgreSQL: every write path, its checks, and list queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from engine.errors import Conflict, NotFound, QueryInvalid, RecordInvalid
from engine.records.model import Actor, Filter, Query
from engine.storage.system import outbox

ALICE = Actor(user_id=1, department_id=None, is_admin=True)


def make_customer(ws, name="华联电子", **extra):  # type: ignore[no-untyped-def]
    return ws.records.create(ALICE, "customer", {"name": name, **extra})


def make_order(ws, customer_id, items=None, **extra):  # type: ignore[no-untyped-def]
    products = [ws.records.create(ALICE, "product", {"name": "服务器", "price": "1200.00"})]
    rows = items if items is not None else [{"product": products[0].id, "quantity": 2, "price": "1200.50"}]
    return ws.records.create(ALICE, "order", {"customer": customer_id, "items": rows, **extra})


def test_create_computes_defaults_formulas_serial_and_lookup(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop, grade="A")
    assert customer.values["grade"] == "A"
    assert customer.values["since"] == date(2024, 3, 15)  # $today in Asia/Shanghai
    assert customer.values["owner"] == 1  # $me
    order = make_order(shop, customer.id, discount="10")
    assert order.values["code"] == "SO-202403-0001"
    assert order.values["items"][0]["subtotal"] == Decimal("2401.00")
    assert order.values["total"] == Decimal("2401.00")
    assert order.values["net"] == Decimal("2160.90")
    assert order.values["status"] == "new"
    assert order.values["label"] == "SO-202403-0001 / 华联电子"
    fetched = shop.records.get(ALICE, "order", order.id)
    assert fetched.values["grade"] == "A"  # lookup, read through the relation
    assert fetched.values["items"][0]["quantity"] == 2
    assert fetched.values["paid"] == 0
    assert make_order(shop, customer.id).values["code"] == "SO-202403-0002"


def test_errors_are_per_field_bilingual_and_write_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecordInvalid) as info:
        shop.records.create(ALICE, "order", {"customer": 999, "items": [{"quantity": 0, "price": "-1"}],
                                              "status": "cancelled", "nonsense": 1})
    errors = info.value.as_dict()
    assert errors["customer"][0]["code"] == "not_found"
    assert errors["items[0].product"][0]["code"] == "required"
    assert errors["items[0].quantity"][0]["code"] == "too_small"
    assert errors["cancel_reason"][0]["code"] == "required"
    assert errors["nonsense"][0]["code"] == "unknown_field"
    assert "取消原因" in errors["cancel_reason"][0]["message"]["zh"]
    assert "Cancel reason" in errors["cancel_reason"][0]["message"]["en"]
    with shop.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == 0
        assert conn.execute(sa.text("select count(*) from f_sales_order")).scalar() == 0
        assert conn.execute(sa.text("select count(*) from serial_counters")).scalar() == 0


def test_computed_fields_cannot_be_written(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    with pytest.raises(RecordInvalid) as info:
        shop.records.create(ALICE, "order", {"customer": customer.id, "total": "5"})
    assert info.value.as_dict()["total"][0]["code"] == "read_only"


def test_check_rule_and_unique(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    with pytest.raises(RecordInvalid) as info:
        make_order(shop, customer.id, ordered_on="2024-03-10", ship_by="2024-03-01")
    assert info.value.as_dict()["ship_by"][0]["message"]["en"] == "Ship-by date cannot be before the order date"
    with pytest.raises(RecordInvalid) as info:
        make_customer(shop)
    assert info.value.as_dict()["name"][0]["code"] == "not_unique"


def test_update_with_optimistic_locking_and_history(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    updated = shop.records.update(ALICE, "customer", customer.id, {"grade": "C"}, version=1, via="web")
    assert updated.version == 2 and updated.values["grade"] == "C"
    with pytest.raises(Conflict) as info:
        shop.records.update(ALICE, "customer", customer.id, {"grade": "A"}, version=1)
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert shop.records.get(ALICE, "customer", customer.id).values["grade"] == "C"
    entries = shop.records.history(ALICE, "customer", customer.id)
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["changes"] == {"grade": ["B", "C"]}
    assert entries[0]["via"] == "web" and entries[0]["actor_id"] == 1


def test_subform_update_recomputes_and_records_history(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    order = make_order(shop, customer.id)
    rows = [dict(r) for r in order.values["items"]]
    rows[0]["quantity"] = 3
    for row in rows:
        row.pop("subtotal")
    updated = shop.records.update(ALICE, "order", order.id, {"items": rows}, version=order.version)
    assert updated.values["total"] == Decimal("3601.50")
    change = shop.records.history(ALICE, "order", order.id)[0]["changes"]
    assert change["total"] == ["2401.00", "3601.50"]


def test_rollups_and_dependent_formulas_follow_related_writes(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    order = make_order(shop, customer.id)
    small = make_order(shop, customer.id, items=[])
    payment = shop.records.create(ALICE, "payment", {"order": order.id, "amount": "401"})
    refreshed = shop.records.get(ALICE, "order", order.id)
    assert refreshed.values["paid"] == Decimal("401.00")
    assert refreshed.values["outstanding"] == Decimal("2000.00")
    assert refreshed.version == 2
    c = shop.records.get(ALICE, "customer", customer.id)
    assert c.values["order_count"] == 2
    assert c.values["order_total"] == Decimal("2401.00")
    assert c.values["big_order_total"] == Decimal("2401.00")
    shop.records.delete(ALICE, "payment", payment.id)
    assert shop.records.get(ALICE, "order", order.id).values["outstanding"] == Decimal("2401.00")
    assert small.values["total"] in (None, Decimal("0.00"))


def test_recycle_bin_restore_and_purge(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    shop.records.delete(ALICE, "customer", customer.id)
    with pytest.raises(NotFound):
        shop.records.get(ALICE, "customer", customer.id)
    assert [r.id for r in shop.records.list(ALICE, "customer", Query(deleted=True)).records] == [customer.id]
    assert shop.records.list(ALICE, "customer").records == []
    restored = shop.records.restore(ALICE, "customer", customer.id)
    assert restored.deleted_at is None and restored.version == 3
    shop.records.delete(ALICE, "customer", customer.id)
    shop.records.purge(ALICE, "customer", customer.id)
    with pytest.raises(NotFound):
        shop.records.get(ALICE, "customer", customer.id, deleted=True)
    actions = [e["action"] for e in shop.records.history(ALICE, "customer", customer.id)]
    assert actions == ["purge", "delete", "restore", "delete", "create"]


def test_outbox_event_written_with_each_change(shop) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    shop.records.update(ALICE, "customer", customer.id, {"notes": "x"}, version=1)
    with shop.engine.connect() as conn:
        topics = conn.execute(sa.select(outbox.c.topic).where(outbox.c.form == "customer").order_by(outbox.c.id))
        assert list(topics.scalars()) == ["record.create", "record.update"]


def test_origin_and_hook_are_arguments_of_the_write(shop) -> None:  # type: ignore[no-untyped-def]
    """An automation's origin and step hook reach every event of its write, the rollup refreshes it sets off too,
    as explicit arguments: the write path holds no hidden state, and a plain write carries neither."""
    customer = make_customer(shop)
    order = make_order(shop, customer.id)
    seen: list[tuple[str, object]] = []

    def hook(conn: sa.Connection, event: dict) -> None:  # type: ignore[type-arg]
        assert conn.in_transaction()
        seen.append((str(event["form"]), event.get("depth")))

    origin = {"depth": 2, "automation": "follow"}
    shop.records.update(ALICE, "order", order.id, {"discount": "10"}, version=order.version, origin=origin, hook=hook)
    shop.records.create(ALICE, "payment", {"order": order.id, "amount": "5.00"}, origin=origin, hook=hook)
    assert seen == [("order", 2), ("payment", 2), ("order", 2)]  # the payment rolls up into the order's outstanding
    make_customer(shop, "另一家")
    with shop.engine.connect() as conn:
        events = conn.execute(sa.select(outbox.c.form, outbox.c.payload).order_by(outbox.c.id)).all()
    assert [(form, p.get("depth"), p.get("automation"), p["via"]) for form, p in events[-4:]] == [
        ("order", 2, "follow", "api"), ("payment", 2, "follow", "api"), ("order", 2, "follow", "rollup"),
        ("customer", None, None, "api")]


def test_the_engine_keeps_no_context_variables() -> None:
    from pathlib import Path

    engine = Path(__file__).parents[2] / "engine"
    found = [str(p.relative_to(engine)) for p in engine.rglob("*.py") if "ContextVar" in p.read_text(encoding="utf-8")]
    assert found == []


def test_create_many_is_all_or_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecordInvalid) as info:
        shop.records.create_many(ALICE, "customer", [{"name": "a"}, {"name": ""}, {"name": "c"}])
    assert "[1].name" in info.value.errors
    assert shop.records.list(ALICE, "customer").records == []
    created = shop.records.create_many(ALICE, "customer", [{"name": f"c{i}"} for i in range(5)])
    assert len(created) == 5
    with shop.engine.connect() as conn:
        events = conn.execute(sa.select(outbox.c.topic, outbox.c.payload).where(outbox.c.form == "customer")).all()
    assert [(t, p["ids"]) for t, p in events] == [("record.create", [r.id for r in created])]
    assert len(shop.records.history(ALICE, "customer", created[3].id)) == 1


def seed_customers(ws, clock):  # type: ignore[no-untyped-def]
    rows = [
        {"name": "Alpha 100%", "grade": "A", "email": "a@x.cn", "tags": ["vip", "大客户"], "since": "2024-03-15"},
        {"name": "beta", "grade": "B", "tags": ["vip"], "since": "2024-03-11"},
        {"name": "Gamma", "grade": "C", "since": "2024-02-20"},
        {"name": "delta", "grade": "A", "since": "2023-12-31"},
        {"name": "Epsilon", "grade": None, "since": None},
    ]
    return ws.records.create_many(ALICE, "customer", rows)


@pytest.mark.parametrize("flt,expected", [
    (Filter("grade", "eq", "A"), ["Alpha 100%", "delta"]),
    (Filter("grade", "ne", "A"), ["beta", "Gamma", "Epsilon"]),
    (Filter("grade", "in", ["B", "C"]), ["beta", "Gamma"]),
    (Filter("name", "contains", "ALPHA"), ["Alpha 100%"]),
    (Filter("name", "contains", "100%"), ["Alpha 100%"]),
    (Filter("name", "starts", "Ga"), ["Gamma"]),
    (Filter("email", "empty"), ["beta", "Gamma", "delta", "Epsilon"]),
    (Filter("email", "not_empty"), ["Alpha 100%"]),
    (Filter("tags", "contains", "vip"), ["Alpha 100%", "beta"]),
    (Filter("tags", "in", ["大客户", "none"]), ["Alpha 100%"]),
    (Filter("since", "gt", "2024-03-11"), ["Alpha 100%"]),
    (Filter("since", "between", ["2024-01-01", "2024-03-11"]), ["beta", "Gamma"]),
    (Filter("since", "today"), ["Alpha 100%"]),
    (Filter("since", "this_week"), ["Alpha 100%", "beta"]),
    (Filter("since", "last_month"), ["Gamma"]),
    (Filter("since", "last_n_days", 30), ["Alpha 100%", "beta", "Gamma"]),
    (Filter("created_at", "today"), ["Alpha 100%", "beta", "Gamma", "delta", "Epsilon"]),
])
def test_list_filters(shop, clock, flt, expected) -> None:  # type: ignore[no-untyped-def]
    seed_customers(shop, clock)
    page = shop.records.list(ALICE, "customer", Query(filters=(flt,), sort=(("id", False),)))
    assert sorted(r.values["name"] for r in page.records) == sorted(expected)


def test_search_sort_and_keyset_pagination(shop, clock) -> None:  # type: ignore[no-untyped-def]
    seed_customers(shop, clock)
    found = shop.records.list(ALICE, "customer", Query(search="ALP"))
    assert [r.values["name"] for r in found.records] == ["Alpha 100%"]
    seen: list[str] = []
    query = Query(sort=(("grade", False), ("name", True)), limit=2, with_total=True)
    page = shop.records.list(ALICE, "customer", query)
    assert page.total == 5
    while True:
        seen += [r.values["name"] for r in page.records]
        if not page.next_cursor:
            break
        page = shop.records.list(ALICE, "customer", Query(sort=query.sort, limit=2, after=page.next_cursor))
    # grade ascending (empty first, as the smallest), then name descending
    assert seen == ["Epsilon", "delta", "Alpha 100%", "beta", "Gamma"]


@pytest.mark.parametrize("query", [
    Query(filters=(Filter("secret", "eq", 1),)),
    Query(filters=(Filter("grade", "gt", "A"),)),
    Query(filters=(Filter("since", "eq", "not a date"),)),
    Query(sort=(("name; drop table users", False),)),
    Query(after="not-a-cursor"),
    Query(limit=100000),
])
def test_bad_queries_are_clear_errors(shop, query) -> None:  # type: ignore[no-untyped-def]
    seed_customers(shop, None)
    with pytest.raises(QueryInvalid):
        shop.records.list(ALICE, "customer", query)


def test_serial_counter_restarts_per_month(shop, clock) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(shop)
    assert make_order(shop, customer.id).values["code"] == "SO-202403-0001"
    clock.now = datetime(2024, 4, 1, 1, 0, tzinfo=timezone.utc)
    assert make_order(shop, customer.id).values["code"] == "SO-202404-0001"
    clock.now = clock.now - timedelta(days=5)
    assert make_order(shop, customer.id).values["code"] == "SO-202403-0002"


@pytest.mark.parametrize("value", ["a\x00b", "bell\x07", ["ok", "nul\x00"]])
def test_control_characters_are_refused_not_stored(shop, value) -> None:  # type: ignore[no-untyped-def]
    raw = {"name": "控制字符", "tags": value} if isinstance(value, list) else {"name": value}
    with pytest.raises(RecordInvalid) as caught:
        shop.records.create(ALICE, "customer", raw)
    field = "tags" if isinstance(value, list) else "name"
    assert caught.value.errors[field][0].code == "control_characters"
    assert "control characters" in caught.value.errors[field][0].message("en")
    assert shop.records.create(ALICE, "customer", {"name": "多行\n文本\t可以"}).values["name"] == "多行\n文本\t可以"


@pytest.mark.parametrize("sort", ["total", "created_at"])
def test_a_cursor_whose_value_does_not_fit_the_sort_key_is_refused(shop, sort: str) -> None:  # type: ignore[no-untyped-def]
    from engine.records.query import encode_cursor

    forged = encode_cursor(["not a number or a time", 1])
    with pytest.raises(QueryInvalid) as caught:
        shop.records.list(ALICE, "order", Query(sort=((sort, True),), after=forged))
    assert caught.value.error.code == "bad_cursor"
