"""Automations end to end in the in-process mode: triggers, conditions, record actions, assignment, chains."""

from __future__ import annotations

from datetime import timedelta
from textwrap import dedent

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError
from engine.jobs.tables import automation_runs, jobs
from engine.records.model import Actor, Query
from engine.storage.database import read_transaction
from tests.conftest import add_user

ME = Actor(user_id=1, is_admin=True)


def publish_automation(ws, text: str, name: str | None = None) -> None:  # type: ignore[no-untyped-def]
    body = dedent(text).strip() + "\n"
    ident = name or body.split("\n", 1)[0].split(":", 1)[1].strip()
    ws.publish({f"automations/{ident}.yaml": body})


def runs(ws, automation: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with read_transaction(ws.engine) as conn:
        return [dict(r) for r in conn.execute(sa.select(automation_runs).where(automation_runs.c.automation == automation)
                                              .order_by(automation_runs.c.started_at, automation_runs.c.key)).mappings()]


def test_created_trigger_with_condition_updates_the_record(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: vip_note
        label: {zh: 大客户备注, en: VIP note}
        form: customer
        trigger: {type: created}
        condition: "grade = 'A'"
        actions:
          - {id: note, type: update, values: {notes: "'VIP since ' & TEXT(since, 'YYYY-MM-DD')"}}
    """)
    a = shop.records.create(ME, "customer", {"name": "Acme", "grade": "A", "since": "2024-01-02"}, via="web")
    b = shop.records.create(ME, "customer", {"name": "Bolt", "grade": "B"}, via="web")
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", a.id)["notes"] == "VIP since 2024-01-02"
    assert shop.records.get(ME, "customer", b.id).get("notes") in (None, "")
    statuses = sorted(r["status"] for r in runs(shop, "vip_note"))
    assert statuses == ["done", "skipped"]
    history = shop.records.history(ME, "customer", a.id)
    assert history[0]["via"] == "automation"
    # relaying and running again changes nothing: the work happened once
    shop.jobs.drain()
    assert len(shop.records.history(ME, "customer", a.id)) == len(history)


def test_updated_trigger_only_for_named_fields_and_values_with_old_values(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: regrade
        label: Regrade
        form: customer
        trigger: {type: updated, fields: [grade], to: {grade: C}}
        condition: "$old.grade = 'A'"
        actions:
          - {type: update, values: {notes: "'downgraded from ' & $old.grade"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme", "grade": "A"})
    shop.jobs.drain()
    c = shop.records.update(ME, "customer", c.id, {"notes": "x"}, version=c.version)
    shop.jobs.drain()
    assert runs(shop, "regrade") == []
    c = shop.records.update(ME, "customer", c.id, {"grade": "C"}, version=c.version)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "downgraded from A"
    assert [r["status"] for r in runs(shop, "regrade")] == ["done"]


def test_create_action_reads_trigger_and_earlier_steps(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: welcome_order
        label: Welcome order
        form: customer
        trigger: {type: created}
        actions:
          - {id: order, type: create, form: order, values: {customer: id, ship_by: "since + 3"}}
          - {id: mark, type: update, values: {notes: "'first order ' & $steps.order.code"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme", "since": "2024-03-20"})
    shop.jobs.drain()
    orders = shop.records.list(ME, "order").records
    assert len(orders) == 1 and orders[0]["customer"] == c.id
    assert str(orders[0]["ship_by"]) == "2024-03-23"
    assert shop.records.get(ME, "customer", c.id)["notes"] == f"first order {orders[0]['code']}"


def test_deleted_trigger(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: on_delete
        label: On delete
        form: customer
        trigger: {type: deleted}
        actions:
          - {type: create, form: product, values: {name: "'deleted ' & name"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme"})
    shop.records.delete(ME, "customer", c.id)
    shop.jobs.drain()
    assert [p["name"] for p in shop.records.list(ME, "product").records] == ["deleted Acme"]


def test_round_robin_and_least_workload_assignment(shop) -> None:  # type: ignore[no-untyped-def]
    for name in ("bob", "carol", "dave"):
        add_user(shop, name)
    publish_automation(shop, """
        automation: deal_out
        label: Deal out
        form: customer
        trigger: {type: created}
        condition: "grade <> 'C'"
        actions:
          - type: assign
            rules:
              - {when: "grade = 'A'", pool: {users: [bob]}}
            pool: {users: [carol, dave, bob]}
    """)
    made = [shop.records.create(ME, "customer", {"name": f"c{i}", "grade": "B"}) for i in range(5)]
    vip = shop.records.create(ME, "customer", {"name": "vip", "grade": "A"})
    shop.jobs.drain()
    with read_transaction(shop.engine) as conn:
        names = dict(conn.execute(sa.text("SELECT id, username FROM users")).all())
    owners = [names[shop.records.get(ME, "customer", c.id)["owner"]] for c in made]
    assert owners == ["bob", "carol", "dave", "bob", "carol"]
    assert names[shop.records.get(ME, "customer", vip.id)["owner"]] == "bob"


def test_least_workload_picks_whoever_has_fewest_open_records(shop) -> None:  # type: ignore[no-untyped-def]
    bob, carol = add_user(shop, "bob"), add_user(shop, "carol")
    for i in range(3):
        shop.records.create(ME, "customer", {"name": f"b{i}", "owner": bob, "grade": "A"})
    shop.records.create(ME, "customer", {"name": "c0", "owner": carol, "grade": "A"})
    shop.records.create(ME, "customer", {"name": "c1", "owner": carol, "grade": "C"})
    shop.records.create(ME, "customer", {"name": "c2", "owner": carol, "grade": "C"})
    shop.jobs.drain()
    publish_automation(shop, """
        automation: balance
        label: Balance
        form: customer
        trigger: {type: created}
        condition: "AND(ISEMPTY(notes), name = 'new')"
        actions:
          - {type: assign, strategy: least_workload, open: "grade = 'A'", pool: {users: [bob, carol]}}
    """)
    new = shop.records.create(ME, "customer", {"name": "new", "grade": "B"})
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", new.id)["owner"] == carol  # carol has 1 open (A), bob 3


def test_chains_stop_and_an_automation_does_not_retrigger_itself(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: touch
        label: Touch
        form: customer
        trigger: {type: updated}
        actions:
          - {type: update, values: {notes: "notes & '+'"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme", "notes": "n"})
    shop.records.update(ME, "customer", c.id, {"grade": "A"}, version=c.version)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "n+"


def test_failed_action_retries_with_backoff_then_lands_in_failed(shop, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: broken
        label: Broken
        form: customer
        trigger: {type: created}
        actions:
          - {type: assign, pool: {users: [nobody_here]}}
    """)
    shop.records.create(ME, "customer", {"name": "Acme"})
    shop.jobs.drain()
    with read_transaction(shop.engine) as conn:
        job = conn.execute(sa.select(jobs).where(jobs.c.kind == "automation.run")).mappings().one()
    assert job["status"] == "failed" and "nobody_here" in job["last_error"]
    assert runs(shop, "broken")[0]["status"] == "failed"
    assert shop.jobs.retry(job["key"]) is True
    assert shop.jobs.get(job["key"])["status"] == "queued"


def test_transient_failure_retries_after_backoff(shop, clock) -> None:  # type: ignore[no-untyped-def]
    shop.jobs.handle("test.flaky", lambda job: (_ for _ in ()).throw(RuntimeError("down")) if job.job.attempt < 3 else "ok")
    from engine.jobs.queue import enqueue
    from engine.storage.database import write_transaction

    with write_transaction(shop.engine) as conn:
        enqueue(conn, "flaky-1", "test.flaky", {}, now=shop.now())
    shop.jobs.drain()
    job = shop.jobs.get("flaky-1")
    assert job["status"] == "retry" and job["attempts"] == 1 and "down" in job["last_error"]
    clock.now += timedelta(seconds=10)
    shop.jobs.drain()
    assert shop.jobs.get("flaky-1")["attempts"] == 2
    clock.now += timedelta(seconds=19)
    shop.jobs.drain()
    assert shop.jobs.get("flaky-1")["attempts"] == 2  # the second wait is 20 s
    clock.now += timedelta(seconds=1)
    shop.jobs.drain()
    assert shop.jobs.get("flaky-1")["status"] == "done" and shop.jobs.get("flaky-1")["result"] == "ok"


@pytest.mark.parametrize("text, expected", [
    ("automation: a1\nlabel: A\nform: custmer\ntrigger: {type: created}\nactions: [{type: update, values: {notes: \"'x'\"}}]",
     "unknown form 'custmer'"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: updated, fields: [grdae]}\nactions: [{type: update, values: {notes: \"'x'\"}}]",
     "unknown field 'grdae'"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: schedule, cron: 'every monday'}\nactions: [{type: update, values: {notes: \"'x'\"}}]",
     "is not a cron expression"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: created}\ncondition: \"grade = \"\nactions: [{type: update, values: {notes: \"'x'\"}}]",
     "formula"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: created}\nactions: [{type: notify, to: {role: clerkk}, title: 'x'}]",
     "unknown role 'clerkk'"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: created}\nactions: [{type: notify, to: {field: owner}, title: '{{ record.name '}]",
     "template error"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: created}\nactions: [{type: update, values: {order_count: '1'}}]",
     "computed"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: date, field: name}\nactions: [{type: update, values: {notes: \"'x'\"}}]",
     "must be one of: date, datetime"),
    ("automation: a1\nlabel: A\nform: customer\ntrigger: {type: created}\nactions: [{type: sms}]", "sms"),
])
def test_bad_documents_are_refused_with_the_problem_named(shop, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DefinitionError) as info:
        shop.publish({"automations/a1.yaml": text + "\n"})
    assert expected in str(info.value)


def test_update_related_and_matching_records_reports_progress(shop) -> None:  # type: ignore[no-untyped-def]
    publish_automation(shop, """
        automation: bulk
        label: Bulk
        form: order
        trigger: {type: updated, fields: [status], to: {status: paid}}
        actions:
          - {id: buyer, type: update, target: customer, values: {grade: "'A'"}}
          - {id: others, type: update, form: product, where: "price < 10", values: {name: "'cheap ' & code"}}
    """)
    for i in range(60):
        shop.records.create(ME, "product", {"name": f"p{i}", "price": "5" if i < 55 else "50"})
    c = shop.records.create(ME, "customer", {"name": "Acme", "grade": "C"})
    o = shop.records.create(ME, "order", {"customer": c.id})
    shop.jobs.drain()
    shop.records.update(ME, "order", o.id, {"status": "paid"}, version=o.version)
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["grade"] == "A"
    names = [p["name"] for p in shop.records.list(ME, "product", Query(limit=100)).records]
    assert sum(n.startswith("cheap SO-") for n in names) == 55
    with read_transaction(shop.engine) as conn:
        job = conn.execute(sa.select(jobs).where(jobs.c.key.like("auto:bulk:%"))).mappings().one()
    assert job["status"] == "done" and job["progress"] == 100
    run = runs(shop, "bulk")[0]
    assert [s["detail"] for s in run["steps"]] == ["updated 1 customer record(s)", "updated 55 product record(s)"]


def test_workflow_events_set_off_workflow_triggers(shop) -> None:  # type: ignore[no-untyped-def]
    from engine.storage.database import write_transaction
    from engine.storage.system import outbox

    publish_automation(shop, """
        automation: approved
        label: Approved
        form: customer
        trigger: {type: workflow, event: approved}
        actions:
          - {type: update, values: {notes: "'approved'"}}
    """)
    c = shop.records.create(ME, "customer", {"name": "Acme"})
    shop.jobs.drain()
    with write_transaction(shop.engine) as conn:  # what the workflow engine writes when a flow is approved
        for topic in ("workflow.rejected", "workflow.approved"):
            conn.execute(sa.insert(outbox).values(topic=topic, form="customer", record_id=c.id, created_at=shop.now(),
                                                  attempts=0, payload={"form": "customer", "ids": [c.id], "actor": 1}))
    shop.jobs.drain()
    assert shop.records.get(ME, "customer", c.id)["notes"] == "approved"
    assert [r["trigger"] for r in runs(shop, "approved")] == ["workflow.approved"]
