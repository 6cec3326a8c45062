"""Workflow benchmark: what one approval costs, and how fast a to-do inbox opens when it is long.

Approve: BENCH_WF_APPROVALS deals are submitted into a one-step sign-off flow; the approver approves half of them
through `ws.workflows.act` and the other half with the least SQL an approval needs (close the task with a
conditional UPDATE, add the timeline step, finish the instance, stamp the record, write the outbox event — one
transaction), in alternating batches; the ratio is the median of the batches' ratios.

Inbox: BENCH_WF_INBOX open tasks wait for one approver; the first page (50, newest first, with the total) is read
through `ws.workflows.inbox` and with one raw SELECT + COUNT over the same tables; p95 of BENCH_WF_READS reads.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.jobs import ACTOR, deal, open_ws
from engine.org.users import NewUser, create_user
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import outbox
from engine.workflow.tables import wf_instances, wf_steps, wf_tasks
from engine.workspace import Workspace

APPROVALS = int(os.environ.get("BENCH_WF_APPROVALS", "1000"))
INBOX = int(os.environ.get("BENCH_WF_INBOX", "5000"))
READS = int(os.environ.get("BENCH_WF_READS", "200"))
BATCH = 50
FLOW = """workflow: sign_off
label: Sign-off
form: deal
nodes:
  - {id: start, type: start, label: Start, next: boss}
  - {id: boss, type: approval, label: Boss, assignees: [{users: [boss]}], next: end}
  - {id: end, type: end, label: End}
"""


def prepared(home: Path, count: int) -> tuple[Workspace, Actor]:
    """`count` deals waiting in the sign-off flow for the approver `boss`."""
    ws = open_ws(home)
    ws.publish({"workflows/sign_off.yaml": FLOW})
    with write_transaction(ws.engine) as conn:
        boss = create_user(conn, NewUser("boss", "Boss", password="correct horse 1", is_admin=False), ws.now())
    for start in range(0, count, 500):
        created = ws.records.create_many(ACTOR, "deal", [deal(i) for i in range(start, min(count, start + 500))])
        for record in created:
            ws.workflows.submit(ACTOR, "deal", int(record.id))
    return ws, Actor(user_id=boss)


def open_tasks(ws: Workspace) -> list[int]:
    with read_transaction(ws.engine) as conn:
        return [int(i) for i in conn.execute(sa.select(wf_tasks.c.id).where(wf_tasks.c.status == "open")
                                             .order_by(wf_tasks.c.id)).scalars()]


def raw_approve(ws: Workspace, boss: Actor, task_id: int) -> None:
    """The writes an approval cannot do without, in one transaction."""
    table = ws.records.runtime("deal").main
    now = ws.now()
    with write_transaction(ws.engine) as conn:
        done = conn.execute(sa.update(wf_tasks).where(wf_tasks.c.id == task_id, wf_tasks.c.status == "open")
                            .values(status="done", outcome="approved", acted_at=now, acted_by=boss.user_id))
        assert done.rowcount == 1
        instance_id, = conn.execute(sa.select(wf_tasks.c.instance_id).where(wf_tasks.c.id == task_id)).one()
        record_id, = conn.execute(sa.select(wf_instances.c.record_id)
                                  .where(wf_instances.c.id == instance_id)).one()
        conn.execute(wf_steps.insert(), {"instance_id": instance_id, "form": "deal", "record_id": record_id,
                                         "node": "boss", "actor_id": boss.user_id, "action": "approved", "at": now})
        conn.execute(sa.update(wf_instances).where(wf_instances.c.id == instance_id)
                     .values(status="approved", current=[], ended_at=now, active_key=None))
        conn.execute(sa.update(table).where(table.c.id == record_id)
                     .values(wf_state="approved", version=table.c.version + 1))
        conn.execute(outbox.insert(), {"topic": "workflow.completed", "form": "deal", "record_id": record_id,
                                       "created_at": now, "attempts": 0, "dispatched_at": None,
                                       "payload": {"id": record_id, "instance": instance_id}})


def approve_cost(home: Path) -> dict[str, Any]:
    ws, boss = prepared(home, APPROVALS)
    tasks = open_tasks(ws)
    ratios, formwork_s, raw_s, done = [], 0.0, 0.0, 0
    for start in range(0, len(tasks) - 2 * BATCH + 1, 2 * BATCH):
        ours, theirs = tasks[start:start + BATCH], tasks[start + BATCH:start + 2 * BATCH]
        t0 = time.perf_counter()
        for task in ours:
            ws.workflows.act(boss, task, "approve")
        t1 = time.perf_counter()
        for task in theirs:
            raw_approve(ws, boss, task)
        t2 = time.perf_counter()
        formwork_s, raw_s, done = formwork_s + t1 - t0, raw_s + t2 - t1, done + BATCH
        ratios.append((t2 - t1) / (t1 - t0))
    ws.close()
    return {"approvals": done, "formwork_per_s": done / formwork_s, "raw_per_s": done / raw_s,
            "ratio": statistics.median(ratios)}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def inbox_speed(home: Path) -> dict[str, Any]:
    ws, boss = prepared(home, INBOX)
    t, i = wf_tasks, wf_instances
    mine = sa.and_(t.c.user_id == boss.user_id, t.c.status == "open")
    raw_page = sa.select(t, i.c.workflow, i.c.form, i.c.record_id, i.c.title).join(i, i.c.id == t.c.instance_id) \
        .where(mine).order_by(t.c.id.desc()).limit(50)
    raw_total = sa.select(sa.func.count()).select_from(t).where(mine)

    def raw() -> None:
        with read_transaction(ws.engine) as conn:
            conn.execute(raw_total).scalar()
            assert len(conn.execute(raw_page).all()) == 50

    def ours() -> None:
        assert len(ws.workflows.inbox(boss, "todo").items) == 50

    timings: dict[str, list[float]] = {"raw": [], "formwork": []}
    for _ in range(READS):
        for name, read in (("raw", raw), ("formwork", ours)):
            t0 = time.perf_counter()
            read()
            timings[name].append(time.perf_counter() - t0)
    ws.close()
    raw_ms, ours_ms = p95(timings["raw"]), p95(timings["formwork"])
    return {"open_tasks": INBOX, "raw_p95_ms": raw_ms, "formwork_p95_ms": ours_ms, "ratio": ours_ms / raw_ms}


def run(tmp: Path) -> dict[str, Any]:
    return {"approve": approve_cost(tmp / "wf-approve"), "inbox": inbox_speed(tmp / "wf-inbox")}


def print_table(results: dict[str, Any]) -> None:
    a, b = results["approve"], results["inbox"]
    print(f"{'workflow approve':<22} {a['raw_per_s']:>10.0f} a/s {a['formwork_per_s']:>10.0f} a/s {a['ratio']:>8.2f}")
    print(f"{'inbox, ' + format(b['open_tasks'], ',') + ' open (p95)':<22} {b['raw_p95_ms']:>11.2f} ms "
          f"{b['formwork_p95_ms']:>11.2f} ms {b['ratio']:>8.2f}")
