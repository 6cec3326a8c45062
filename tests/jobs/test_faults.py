"""Faults on real processes, no mocks: a worker SIGKILLed in the middle of a webhook call and between two actions of
an automation run (another worker takes the job over after its lease), Redis gone while records are created, Redis
restarted empty after keys were handed to it, and the signature a webhook receiver checks."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.automation.webhooks import signature
from engine.jobs.rq_bridge import REQUEUE_AFTER
from engine.jobs.tables import automation_steps
from engine.org.tokens import create_token
from engine.storage.database import read_transaction, write_transaction
from engine.workspace import Workspace
from tests.jobs.conftest import (ME, PATIENCE, SECRET, Receiver, Worker, automation_edits, job_rows,
                                 publish_automation, publish_update_then_webhook, run_rows, wait_until)
from tests.redis_server import ThrowawayRedis
from web.app import create_app

ShopFactory = Callable[..., Workspace]
Workers = Callable[..., Worker]
LEASE = "2"  # seconds: a dead worker's job is taken over this long after its last sign of life


def one_job(ws: Workspace, kind: str) -> dict[str, Any]:
    rows = job_rows(ws, kind)
    assert len(rows) == 1, rows
    return rows[0]


def steps_done(ws: Workspace, run_key: str) -> list[int]:
    with read_transaction(ws.engine) as conn:
        return [int(p) for p in conn.execute(sa.select(automation_steps.c.position)
                                             .where(automation_steps.c.run_key == run_key)
                                             .order_by(automation_steps.c.position)).scalars()]


def test_a_worker_killed_during_a_webhook_call_is_taken_over_and_the_job_finishes_once(
        shop_factory: ShopFactory, workers: Workers, receiver_factory: Callable[..., Receiver], redis_url: str) -> None:
    receiver = receiver_factory(hold_first=True)
    ws = shop_factory()
    publish_update_then_webhook(ws, receiver.url)
    first = workers(ws, redis_url, job_lease=LEASE)
    customer = ws.records.create(ME, "customer", {"name": "Acme"}, via="web")
    wait_until(receiver.arrived.is_set, PATIENCE, "the webhook call to reach the receiver", worker=first)
    first.kill()  # SIGKILL while it waits for the receiver's answer
    receiver.release()
    call = one_job(ws, "webhook.call")
    assert (call["status"], call["attempts"]) == ("running", 1)  # the dead worker's claim, left to expire
    second = workers(ws, redis_url, job_lease=LEASE)
    wait_until(lambda: one_job(ws, "webhook.call")["status"] == "done", PATIENCE, "the call to be taken over",
               worker=second)
    call = one_job(ws, "webhook.call")
    assert call["attempts"] == 2 and call["last_error"] is None and call["result"] == {"status": 200}
    # at least once for the outside world: the receiver saw the delivery twice (the first answer never reached
    # the dead worker), with one delivery id to deduplicate on, both signed
    assert [(d.id, d.valid) for d in receiver.deliveries] == [(call["key"], True)] * 2
    # exactly once inside: the run (done before the call started) and its record update happened once
    run = one_job(ws, "automation.run")
    assert (run["status"], run["attempts"]) == ("done", 1)
    assert ws.records.get(ME, "customer", customer.id)["notes"] == "told Acme"
    assert len(automation_edits(ws, "customer", customer.id)) == 1
    assert second.stop() == 0


@pytest.mark.postgres
def test_a_worker_killed_between_two_actions_resumes_after_the_first(
        shop_factory: ShopFactory, workers: Workers, redis_url: str) -> None:
    ws = shop_factory("postgresql")
    publish_automation(ws, """
        automation: restock
        label: Restock
        form: customer
        trigger: {type: created}
        actions:
          - {type: update, values: {notes: "'restocked for ' & name"}}
          - {type: update, form: product, where: "name = 'Widget'", values: {price: "9"}}
    """)
    widget = ws.records.create(ME, "product", {"name": "Widget", "price": "1"})
    table = ws.records.runtime("product").main
    first = workers(ws, redis_url, job_lease=LEASE)
    with ws.engine.connect() as blocker:  # hold the widget's row lock: the second action waits for it
        blocker.execute(sa.select(table.c.id).where(table.c.id == widget.id).with_for_update())
        customer = ws.records.create(ME, "customer", {"name": "Acme"})
        run_key = wait_until(lambda: [j["key"] for j in job_rows(ws, "automation.run")], PATIENCE,
                             "the run to be queued", worker=first)[0]
        wait_until(lambda: steps_done(ws, run_key) == [0], PATIENCE, "the first action to be done", worker=first)
        with ws.engine.connect() as conn:
            wait_until(lambda: conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar(),
                       PATIENCE, "the second action to wait for the row lock", worker=first)
        first.kill()
        blocker.rollback()
    second = workers(ws, redis_url, job_lease=LEASE)
    wait_until(lambda: one_job(ws, "automation.run")["status"] == "done", PATIENCE, "the run to be taken over",
               worker=second)
    assert one_job(ws, "automation.run")["attempts"] == 2
    assert steps_done(ws, run_key) == [0, 1]
    assert ws.records.get(ME, "customer", customer.id)["notes"] == "restocked for Acme"
    assert str(ws.records.get(ME, "product", widget.id)["price"]) == "9.00"
    assert len(automation_edits(ws, "customer", customer.id)) == 1  # the first action was not done again
    assert len(automation_edits(ws, "product", widget.id)) == 1
    [run] = run_rows(ws, "restock")
    assert run["status"] == "done"
    assert [(s["outcome"], s["detail"]) for s in run["steps"]][0] == ("done", "done in an earlier try")
    assert second.stop() == 0


def test_records_created_while_redis_is_down_are_processed_once_it_is_back(
        shop_factory: ShopFactory, workers: Workers, receiver_factory: Callable[..., Receiver],
        redis_server: ThrowawayRedis, redis_url: str) -> None:
    count = 12
    receiver = receiver_factory()
    ws = shop_factory()
    publish_update_then_webhook(ws, receiver.url)
    worker = workers(ws, redis_url)

    def done(kind: str) -> int:
        return sum(j["status"] == "done" for j in job_rows(ws, kind))

    ids = [ws.records.create(ME, "customer", {"name": "Before"}).id]
    wait_until(lambda: done("webhook.call") == 1, PATIENCE, "the worker to be at work", worker=worker)
    redis_server.stop()
    # the web side does not notice: each create commits its record and its outbox event in the database
    web = TestClient(create_app(ws, run_jobs=False))  # as with a Redis URL: the worker runs the jobs
    with write_transaction(ws.engine) as conn:
        auth = {"Authorization": f"Bearer {create_token(conn, 1, 'test', ws.now()).token}"}
    for n in range(count):
        answer = web.post("/api/v1/customer", json={"values": {"name": f"During {n}"}}, headers=auth)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    # the worker still relays the outbox into jobs; they wait in the database, not in Redis
    wait_until(lambda: len(job_rows(ws, "automation.run")) == count + 1, PATIENCE, "the outbox to be relayed",
               worker=worker)
    assert done("automation.run") == 1 and not worker.exited()
    redis_server.start()
    wait_until(lambda: done("automation.run") == done("webhook.call") == count + 1, PATIENCE,
               "every job to be done after Redis came back", every=0.2, worker=worker)
    for record_id in ids:
        edits = automation_edits(ws, "customer", record_id)
        assert len(edits) == 1, (record_id, edits)
    assert [r["status"] for r in run_rows(ws, "tell")] == ["done"] * (count + 1)
    assert all(j["attempts"] == 1 for j in job_rows(ws))
    delivered = receiver.ids()
    assert sorted(delivered) == sorted(set(delivered)), f"a delivery was POSTed twice: {delivered}"
    assert len(delivered) == count + 1 and all(d.valid and d.status == 200 for d in receiver.deliveries)
    assert sorted(d.body["record"]["id"] for d in receiver.deliveries) == sorted(ids)
    assert worker.stop() == 0


def test_jobs_handed_to_a_redis_that_restarted_empty_are_pushed_again_at_once(
        shop_factory: ShopFactory, workers: Workers, receiver_factory: Callable[..., Receiver],
        redis_server: ThrowawayRedis, redis_url: str) -> None:
    receiver = receiver_factory(hold_first=True)
    ws = shop_factory()
    publish_automation(ws, f"""
        automation: tell
        label: Tell
        form: customer
        trigger: {{type: created}}
        actions:
          - {{type: webhook, url: "{receiver.url}"}}
    """)
    worker = workers(ws, redis_url)
    ws.records.create(ME, "customer", {"name": "Busy"})
    wait_until(receiver.arrived.is_set, PATIENCE, "the worker to be busy with a call", worker=worker)
    for n in range(3):
        ws.records.create(ME, "customer", {"name": f"Waiting {n}"})

    def handed_over() -> dict[str, datetime]:
        return {j["key"]: j["enqueued_at"] for j in job_rows(ws, "automation.run")
                if j["status"] == "queued" and j["enqueued_at"] is not None}

    pushed = wait_until(lambda: len(handed_over()) == 3 and handed_over(), PATIENCE,
                        "the new runs to be pushed to Redis", worker=worker)
    redis_server.stop()  # no persistence: the pushed keys are gone with it
    redis_server.start()
    receiver.release()
    wait_until(lambda: len(job_rows(ws)) == 8 and all(j["status"] == "done" for j in job_rows(ws)), PATIENCE,
               "the runs pushed before the restart to be done", every=0.2, worker=worker)
    # pushed again at once: the dispatcher saw a new server, it did not wait for REQUEUE_AFTER (a minute)
    pushed_again = {j["key"]: j["enqueued_at"] for j in job_rows(ws, "automation.run") if j["key"] in pushed}
    assert all(pushed[key] < pushed_again[key] < pushed[key] + REQUEUE_AFTER for key in pushed), (pushed, pushed_again)
    assert all(j["attempts"] == 1 for j in job_rows(ws))
    assert sorted(receiver.ids()) == sorted(set(receiver.ids())) and len(receiver.ids()) == 4
    assert worker.stop() == 0


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=PATIENCE)
    try:
        conn.request("POST", parts.path, body, {"Content-Type": "application/json", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_receiver_accepts_the_engines_signature_and_refuses_a_tampered_body(
        receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory()
    body = json.dumps({"record": {"id": 1, "name": "Acme"}}, separators=(",", ":")).encode()
    stamp = str(int(time.time()))
    signed = {"X-Formwork-Delivery": "d1", "X-Formwork-Timestamp": stamp,
              "X-Formwork-Signature": signature(SECRET, stamp, body)}
    assert post(receiver.url, body, signed) == 200
    assert post(receiver.url, body.replace(b"Acme", b"Evil"), signed) == 401
    assert post(receiver.url, body, {**signed, "X-Formwork-Timestamp": str(int(stamp) + 1)}) == 401
    assert post(receiver.url, body, {**signed, "X-Formwork-Signature": signature("another secret", stamp, body)}) == 401
    assert [d.valid for d in receiver.deliveries] == [True, False, False, False]
