"""Concurrent writers on PostgreSQL (and SQLite): serial numbers never repeat, no update is lost."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.errors import Conflict
from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory

ACTOR = Actor(user_id=1, is_admin=True)


@pytest.fixture(params=["postgresql", "sqlite"])
def shared_ws(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'c.db'}"
    ws = open_workspace(url, tmp_path / "ws")
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    yield ws
    ws.close()


def run_threads(count: int, target) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def wrapper(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_serial_numbers_never_repeat_under_concurrent_inserts(shared_ws) -> None:  # type: ignore[no-untyped-def]
    customer = shared_ws.records.create(ACTOR, "customer", {"name": "c"})
    codes: list[str] = []
    lock = threading.Lock()

    def insert(_: int) -> None:
        for _ in range(8):
            record = shared_ws.records.create(ACTOR, "order", {"customer": customer.id})
            with lock:
                codes.append(record.values["code"])

    assert run_threads(6, insert) == []
    assert len(codes) == 48 and len(set(codes)) == 48
    assert sorted(codes) == [f"SO-{c[3:9]}-{i:04d}" for i, c in zip(range(1, 49), sorted(codes))]


def test_concurrent_updates_of_one_version_one_wins(shared_ws) -> None:  # type: ignore[no-untyped-def]
    customer = shared_ws.records.create(ACTOR, "customer", {"name": "c"})
    outcomes: list[str] = []

    def update(i: int) -> None:
        try:
            shared_ws.records.update(ACTOR, "customer", customer.id, {"notes": f"writer {i}"}, version=1)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    assert run_threads(5, update) == []
    assert sorted(outcomes) == ["conflict"] * 4 + ["won"]
    final = shared_ws.records.get(ACTOR, "customer", customer.id)
    assert final.version == 2
    assert len(shared_ws.records.history(ACTOR, "customer", customer.id)) == 2


def test_a_unique_value_is_taken_once_under_concurrent_inserts(shared_ws) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import RecordInvalid

    won: list[int] = []
    lost: list[str] = []
    lock = threading.Lock()

    def insert(i: int) -> None:
        try:
            record = shared_ws.records.create(ACTOR, "customer", {"name": "同名客户"})
            with lock:
                won.append(record.id)
        except RecordInvalid as exc:
            with lock:
                lost.append(exc.errors["name"][0].code)

    assert run_threads(6, insert) == []
    assert len(won) == 1 and lost == ["not_unique"] * 5
    page = shared_ws.records.list(ACTOR, "customer")
    assert [r.values["name"] for r in page.records] == ["同名客户"]


def test_the_unique_index_ignores_the_recycle_bin(shared_ws) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import RecordInvalid

    first = shared_ws.records.create(ACTOR, "customer", {"name": "回收站客户"})
    shared_ws.records.delete(ACTOR, "customer", first.id)
    second = shared_ws.records.create(ACTOR, "customer", {"name": "回收站客户"})
    with pytest.raises(RecordInvalid) as caught:
        shared_ws.records.restore(ACTOR, "customer", first.id)
    assert caught.value.errors["name"][0].code == "not_unique"
    shared_ws.records.delete(ACTOR, "customer", second.id)
    assert shared_ws.records.restore(ACTOR, "customer", first.id).values["name"] == "回收站客户"
