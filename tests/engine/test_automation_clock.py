"""Time-driven automations with a controlled clock: cron schedules in the workspace zone, date triggers
(days before/after, yearly anniversaries, hours after a date-time), each firing exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from engine.automation.clock import schedule_slots
from engine.jobs.tables import automation_runs
from engine.records.model import Actor
from engine.storage.database import read_transaction
from tests.engine.test_automations import publish_automation

ME = Actor(user_id=1, is_admin=True)
SHANGHAI = timezone(timedelta(hours=8))


def fired(ws, automation: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with read_transaction(ws.engine) as conn:
        return [dict(r) for r in conn.execute(
            sa.select(automation_runs).where(automation_runs.c.automation == automation)
            .order_by(automation_runs.c.started_at, automation_runs.c.key)).mappings()]


def test_cron_slots_are_read_in_the_workspace_zone() -> None:
    previous = datetime(2024, 3, 17, 0, 0, tzinfo=timezone.utc)  # Sunday 08:00 in Shanghai
    now = datetime(2024, 3, 25, 2, 0, tzinfo=timezone.utc)  # the Monday after next, 10:00 there
    slots = schedule_slots("0 9 * * 1", SHANGHAI, previous, now)
    assert [s.astimezone(timezone.utc) for s in slots] == [datetime(2024, 3, 18, 1, 0, tzinfo=timezone.utc),
                                                          datetime(2024, 3, 25, 1, 0, tzinfo=timezone.utc)]


def test_schedule_fires_at_the_local_time_once(shop, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: weekly
        label: {zh: 每周一, en: Mondays}
        trigger: {type: schedule, cron: "0 9 * * 1"}
        actions:
          - {type: create, form: product, values: {name: "'week of ' & TEXT($today, 'YYYY-MM-DD')"}}
    """)
    clock.now = datetime(2024, 3, 18, 0, 58, tzinfo=timezone.utc)  # Monday 08:58 in Shanghai
    shop.jobs.drain()
    assert fired(shop, "weekly") == []
    clock.now = datetime(2024, 3, 18, 1, 0, 30, tzinfo=timezone.utc)  # 09:00:30
    shop.jobs.drain()
    shop.jobs.drain()
    assert len(fired(shop, "weekly")) == 1
    assert [p["name"] for p in shop.records.list(ME, "product").records] == ["week of 2024-03-18"]
    clock.now += timedelta(days=6, hours=23)  # next Monday 08:00: nothing yet
    shop.jobs.drain()
    assert len(fired(shop, "weekly")) == 1
    clock.now += timedelta(hours=1, minutes=5)
    shop.jobs.drain()
    assert len(fired(shop, "weekly")) == 2


def test_days_before_a_date_at_a_time_of_day(shop, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: ship_warning
        label: Ship warning
        form: order
        trigger: {type: date, field: ship_by, days: -3, at: "09:30"}
        condition: "status <> 'cancelled'"
        actions:
          - {type: update, values: {cancel_reason: "'ships in 3 days'"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme"})
    due = shop.records.create(ME, "order", {"customer": c.id, "ship_by": "2024-03-20"})
    later = shop.records.create(ME, "order", {"customer": c.id, "ship_by": "2024-03-21"})
    clock.now = datetime(2024, 3, 17, 1, 29, tzinfo=timezone.utc)  # 09:29 on the 17th in Shanghai
    shop.jobs.drain()
    assert fired(shop, "ship_warning") == []
    clock.now = datetime(2024, 3, 17, 1, 31, tzinfo=timezone.utc)
    shop.jobs.drain()
    assert [r["record_id"] for r in fired(shop, "ship_warning")] == [due.id]
    assert shop.records.get(ME, "order", due.id)["cancel_reason"] == "ships in 3 days"
    clock.now += timedelta(days=1)
    shop.jobs.drain()
    assert [r["record_id"] for r in fired(shop, "ship_warning")] == [due.id, later.id]


def test_yearly_anniversary_and_several_offsets(shop, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: anniversary
        label: Anniversary
        form: customer
        trigger: {type: date, field: since, yearly: true}
        actions:
          - {type: update, values: {notes: "'happy anniversary'"}}
    """)
    old = shop.records.create(ME, "customer", {"name": "Old", "since": "2019-03-16"})
    leap = shop.records.create(ME, "customer", {"name": "Leap", "since": "2020-02-29"})
    other = shop.records.create(ME, "customer", {"name": "Other", "since": "2019-03-17"})
    shop.jobs.drain()  # the job clock starts ticking
    clock.now = datetime(2024, 3, 16, 1, 5, tzinfo=timezone.utc)  # 09:05 on 16 March
    shop.jobs.drain()
    assert [r["record_id"] for r in fired(shop, "anniversary")] == [old.id]
    assert shop.records.get(ME, "customer", other.id).get("notes") in (None, "")
    # in a common year, 29 February anniversaries are kept on 28 February
    clock.now = datetime(2025, 2, 28, 0, 0, tzinfo=timezone.utc)
    shop.jobs.drain()  # the clock jumped by almost a year: only the last day is caught up
    clock.now = datetime(2025, 2, 28, 1, 1, tzinfo=timezone.utc)
    shop.jobs.drain()
    assert leap.id in [r["record_id"] for r in fired(shop, "anniversary")]


def test_days_after_a_date_time_field(shop, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: follow_up
        label: Follow up
        form: customer
        trigger: {type: date, field: created_at, days: [1, 3]}
        condition: "grade <> 'C'"
        actions:
          - {type: update, values: {notes: "notes & 'F'"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme", "notes": ""})
    shop.jobs.drain()
    clock.now += timedelta(hours=23)
    shop.jobs.drain()
    assert fired(shop, "follow_up") == []
    clock.now += timedelta(hours=2)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "F"
    clock.now += timedelta(days=2)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "FF"
    clock.now += timedelta(days=5)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "FF"


def test_switched_off_automations_do_not_fire(shop, clock) -> None:  # type: ignore[no-untyped-def]
    from engine.automation.switches import set_enabled
    from engine.storage.database import write_transaction

    publish_automation(shop, """
        automation: quiet
        label: Quiet
        form: customer
        trigger: {type: created}
        actions:
          - {type: update, values: {notes: "'x'"}}
    """)
    with write_transaction(shop.engine) as conn:
        set_enabled(conn, "quiet", False, 1, shop.now())
    c = shop.records.create(ME, "customer", {"name": "Acme"})
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id).get("notes") in (None, "")
