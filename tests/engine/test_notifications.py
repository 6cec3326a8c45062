"""In-app notifications: sending, listing newest first, unread counts, marking read (only one's own), and the
automation runtime's notify action landing in the bell — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from textwrap import dedent

import sqlalchemy as sa

from engine.jobs.tables import notifications
from engine.notifications import (
    NoticeFilter, count_notifications, get_notification, list_notifications, mark_all_read, mark_read, notify,
    unread_count,
)
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user


def _send(ws, user_ids, title: str, **kw) -> int:  # type: ignore[no-untyped-def]
    values = {"body": None, "form": None, "record_id": None, "source": None, **kw}
    with write_transaction(ws.engine) as conn:
        return notify(conn, user_ids, title=title, now=ws.now(), **values)


def test_notify_inserts_one_row_per_distinct_user(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    alice, bob = add_user(ws, "alice"), add_user(ws, "bob")
    assert _send(ws, [alice, bob, alice], "新线索", body="华东 · 网站", form="lead", record_id=7, source="auto:x:e1:7") == 2
    assert _send(ws, [], "nobody") == 0
    assert _send(ws, iter([bob]), "x" * 500) == 1  # any iterable; the title is cut to the column's 200 characters
    with read_transaction(ws.engine) as conn:
        rows = conn.execute(sa.select(notifications).order_by(notifications.c.id)).mappings().all()
    assert [(r["user_id"], r["title"][:3]) for r in rows] == [(alice, "新线索"), (bob, "新线索"), (bob, "xxx")]
    assert rows[0]["body"] == "华东 · 网站" and rows[0]["form"] == "lead" and rows[0]["record_id"] == 7
    assert rows[0]["source"] == "auto:x:e1:7" and rows[0]["read_at"] is None
    assert rows[0]["created_at"] == ws.now()
    assert len(rows[2]["title"]) == 200


def test_listing_is_newest_first_paged_and_filtered_to_unread(fresh_workspace, clock) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    alice, bob = add_user(ws, "alice"), add_user(ws, "bob")
    for n in range(5):
        _send(ws, [alice], f"notice {n}")
        clock.now += timedelta(minutes=1)
    _send(ws, [bob], "bob's")
    with write_transaction(ws.engine) as conn:
        first = list_notifications(conn, alice, NoticeFilter(limit=2))
        assert [n["title"] for n in first] == ["notice 4", "notice 3"]
        older = list_notifications(conn, alice, NoticeFilter(limit=2, before_id=first[-1]["id"]))
        assert [n["title"] for n in older] == ["notice 2", "notice 1"]
        assert mark_read(conn, alice, first[0]["id"], ws.now()) is not None
        unread = list_notifications(conn, alice, NoticeFilter(unread_only=True))
        assert [n["title"] for n in unread] == ["notice 3", "notice 2", "notice 1", "notice 0"]
        assert count_notifications(conn, alice) == 5 and count_notifications(conn, alice, unread_only=True) == 4
        assert unread_count(conn, alice) == 4 and unread_count(conn, bob) == 1


def test_marking_read_touches_only_ones_own_notices(fresh_workspace, clock) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    alice, bob = add_user(ws, "alice"), add_user(ws, "bob")
    _send(ws, [alice, bob], "hello")
    with read_transaction(ws.engine) as conn:
        mine, theirs = (list_notifications(conn, u)[0]["id"] for u in (alice, bob))
    with write_transaction(ws.engine) as conn:
        assert mark_read(conn, alice, theirs, ws.now()) is None  # someone else's: as if it did not exist
        assert get_notification(conn, alice, theirs) is None
        assert mark_read(conn, alice, 999_999, ws.now()) is None
        read = mark_read(conn, alice, mine, ws.now())
        assert read is not None and read["read_at"] == ws.now()
    first_read = ws.now()
    clock.now += timedelta(hours=1)
    with write_transaction(ws.engine) as conn:
        again = mark_read(conn, alice, mine, ws.now())  # opening it again keeps the first read time
        assert again is not None and again["read_at"] == first_read
        assert unread_count(conn, bob) == 1


def test_mark_all_read_counts_and_leaves_other_users_alone(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    alice, bob = add_user(ws, "alice"), add_user(ws, "bob")
    for n in range(3):
        _send(ws, [alice, bob], f"n{n}")
    with write_transaction(ws.engine) as conn:
        assert mark_all_read(conn, alice, ws.now()) == 3
        assert mark_all_read(conn, alice, ws.now()) == 0
        assert unread_count(conn, alice) == 0 and unread_count(conn, bob) == 3


def test_the_notify_action_of_an_automation_rings_the_owners_bell(shop) -> None:  # type: ignore[no-untyped-def]
    alice = 1
    bob = add_user(shop, "bob")
    shop.publish({"automations/greet.yaml": dedent("""\
        automation: greet
        label: {zh: 新客户提醒, en: New customer notice}
        form: customer
        trigger: {type: created}
        actions:
          - {id: tell, type: notify, to: {field: owner}, title: {zh: "新客户:{{ record.name }}", en: "New: {{ record.name }}"}}
        """)})
    customer = shop.records.create(Actor(user_id=alice, is_admin=True), "customer", {"name": "华联电子"}, via="web")
    shop.jobs.drain()
    with read_transaction(shop.engine) as conn:
        notices = list_notifications(conn, alice)
        assert unread_count(conn, bob) == 0
    assert len(notices) == 1
    notice = notices[0]
    assert notice["title"] == "新客户:华联电子"
    assert (notice["form"], notice["record_id"]) == ("customer", customer.id)
    assert str(notice["source"]).startswith("auto:greet:")
    shop.jobs.drain()  # running again sends nothing twice
    with read_transaction(shop.engine) as conn:
        assert unread_count(conn, alice) == 1
