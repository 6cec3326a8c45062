"""The bulk API (/api/v1/{form}/bulk) on SQLite and PostgreSQL: a result per record or all-or-nothing, versions on
bulk updates, uniqueness within the batch, the size limit and the rights it needs."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.records.model import Actor, Query
from engine.storage.system import history, outbox
from tests.conftest import add_user
from tests.web.test_api import bearer, error_of
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    shop.records.create(ALICE, "customer", {"name": "Existing"})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def names(shop) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r["name"] for r in shop.records.list(ALICE, "customer", Query(limit=200)).records)


def test_bulk_create_writes_the_valid_records_and_reports_each_other_one(shop, client: TestClient) -> None:
    records = [{"values": {"name": "Ann", "grade": "A"}}, {"values": {"grade": "A"}}, {"values": {"name": "Existing"}},
               {"values": {"name": "Bob"}}, {"values": {"name": "Ann"}}, {"values": {"name": "Cy", "interests": [999999]}}]
    response = client.post("/api/v1/customer/bulk", json={"records": records}, headers=bearer(shop))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["written"], body["failed"]) == (2, 4)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(6))
    assert results[0]["record"]["values"]["name"] == "Ann" and results[0]["version"] == 1
    assert results[3]["id"] == results[0]["id"] + 1
    assert [e["code"] for e in results[1]["errors"]["name"]] == ["required"]
    assert [e["code"] for e in results[2]["errors"]["name"]] == ["not_unique"]  # taken by a stored record
    assert [e["code"] for e in results[4]["errors"]["name"]] == ["not_unique"]  # taken earlier in the batch
    assert results[5]["errors"]["interests"][0]["code"] == "not_found"
    assert names(shop) == ["Ann", "Bob", "Existing"]
    assert shop.records.get(ALICE, "customer", results[3]["id"])["grade"] == "B"  # the default
    with shop.engine.connect() as conn:
        created = conn.execute(sa.select(history.c.record_id).where(
            history.c.form == "customer", history.c.action == "create")).scalars().all()
        event = conn.execute(sa.select(outbox.c.payload).order_by(outbox.c.id.desc()).limit(1)).scalar_one()
    assert {results[0]["id"], results[3]["id"]} <= set(created)
    assert event["ids"] == [results[0]["id"], results[3]["id"]] and event["via"] == "api"


def test_a_malformed_item_refuses_the_whole_request(shop, client: TestClient) -> None:
    records = [{"values": {"name": "Ann"}}, "not an object", {"values": {"name": 5}}, {"values": {"nope": 1}}]
    response = client.post("/api/v1/customer/bulk", json={"records": records}, headers=bearer(shop))
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"[1]", "[2].name", "[3].nope"}
    assert names(shop) == ["Existing"]
    for body in ({"records": {}}, {"records": [], "atomic": "yes"}, {"rows": []}, []):
        assert client.post("/api/v1/customer/bulk", json=body, headers=bearer(shop)).status_code == 422


def test_an_atomic_bulk_create_writes_nothing_and_lists_every_failure(shop, client: TestClient) -> None:
    records = [{"values": {"name": "Ann"}}, {"values": {"name": "Existing"}}, {"values": {}}, {"values": {"name": "Ann"}}]
    response = client.post("/api/v1/customer/bulk", json={"records": records, "atomic": True}, headers=bearer(shop))
    assert response.status_code == 422
    error = error_of(response)
    assert set(error["fields"]) == {"[1].name", "[2].name", "[3].name"}
    assert names(shop) == ["Existing"]
    malformed = client.post("/api/v1/customer/bulk", headers=bearer(shop),
                            json={"records": [{"values": {"name": "Dee"}}, {"values": {"name": 5}}], "atomic": True})
    assert malformed.status_code == 422 and set(error_of(malformed)["fields"]) == {"[1].name"}
    assert names(shop) == ["Existing"]
    done = client.post("/api/v1/customer/bulk", json={"records": records[:1], "atomic": True}, headers=bearer(shop))
    assert done.status_code == 200 and done.json()["written"] == 1


def test_bulk_orders_get_consecutive_serial_numbers(shop, client: TestClient) -> None:
    customer = shop.records.list(ALICE, "customer").records[0].id
    records = [{"values": {"customer": customer}} for _ in range(3)]
    body = client.post("/api/v1/order/bulk", json={"records": records}, headers=bearer(shop)).json()
    codes = [r["record"]["values"]["code"] for r in body["results"]]
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]


def test_a_batch_above_the_limit_is_refused_before_anything_is_written(shop, client: TestClient) -> None:
    records = [{"values": {"name": f"C{i}"}} for i in range(1001)]
    response = client.post("/api/v1/customer/bulk", json={"records": records}, headers=bearer(shop))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "batch_too_large" and "1000" in error["message"]["en"] and "1001" in error["message"]["zh"]
    assert names(shop) == ["Existing"]
    assert client.get("/api/v1/customer/bulk", headers=bearer(shop)).status_code == 405


def _customers(shop, *wanted: str) -> list[Any]:  # type: ignore[no-untyped-def]
    return [shop.records.create(ALICE, "customer", {"name": n}) for n in wanted]


def test_bulk_update_checks_each_version_and_uniqueness_within_the_batch(shop, client: TestClient) -> None:
    a, b, c, d = _customers(shop, "A1", "B1", "C1", "D1")
    changes = [{"id": a.id, "version": 1, "values": {"grade": "C"}},
               {"id": b.id, "version": 7, "values": {"grade": "C"}},
               {"id": c.id, "version": 1, "values": {"name": "Same"}},
               {"id": d.id, "version": 1, "values": {"name": "Same"}},
               {"id": 999999, "version": 1, "values": {"grade": "A"}}]
    response = client.patch("/api/v1/customer/bulk", json={"records": changes}, headers=bearer(shop))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[0]["version"] == 2 and results[0]["record"]["values"]["grade"] == "C"
    assert results[1]["errors"]["version"][0]["code"] == "conflict" and results[1]["current_version"] == 1
    assert results[2]["version"] == 2
    assert results[3]["errors"]["name"][0]["code"] == "not_unique" and results[3]["id"] == d.id
    assert results[4]["errors"][""][0]["code"] == "record_not_found"
    assert shop.records.get(ALICE, "customer", b.id)["grade"] == "B"
    assert shop.records.get(ALICE, "customer", d.id).version == 1
    assert [e["action"] for e in shop.records.history(ALICE, "customer", a.id)] == ["update", "create"]


def test_an_atomic_bulk_update_with_a_stale_version_changes_nothing(shop, client: TestClient) -> None:
    a, b = _customers(shop, "A1", "B1")
    changes = [{"id": a.id, "version": 1, "values": {"grade": "C"}}, {"id": b.id, "version": 3, "values": {"grade": "C"}}]
    response = client.patch("/api/v1/customer/bulk", json={"records": changes, "atomic": True}, headers=bearer(shop))
    assert response.status_code == 422
    assert error_of(response)["fields"]["[1].version"][0]["code"] == "conflict"
    assert shop.records.get(ALICE, "customer", a.id).version == 1
    changes[1]["version"] = 1
    assert client.patch("/api/v1/customer/bulk", json={"records": changes, "atomic": True},
                        headers=bearer(shop)).json()["written"] == 2


def test_bulk_writes_need_the_import_right_besides_create_or_update(shop, client: TestClient) -> None:
    clerk = add_user(shop, "carol", admin=False, roles=("clerk",))  # creates and updates orders, no import
    customer = shop.records.list(ALICE, "customer").records[0].id
    create = client.post("/api/v1/order/bulk", json={"records": [{"values": {"customer": customer}}]},
                         headers=bearer(shop, clerk))
    assert create.status_code == 403 and error_of(create)["code"] == "permission_denied"
    update = client.patch("/api/v1/order/bulk", json={"records": []}, headers=bearer(shop, clerk))
    assert update.status_code == 403
    assert client.post("/api/v1/order", json={"values": {"customer": customer}},
                       headers=bearer(shop, clerk)).status_code == 201  # single writes stay allowed
