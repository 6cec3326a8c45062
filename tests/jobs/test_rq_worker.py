"""Automations behave the same whether the jobs run in-process (`ws.jobs.drain()`) or on rq: a real
`formwork worker --burst` process on a throw-away Redis, over the same database file (or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.workspace import Workspace
from tests.jobs.conftest import (BACKOFF, ME, PATIENCE, Receiver, automation_edits, job_rows, publish_automation,
                                 run_burst, run_rows, wait_until)

MODES = ["inprocess", "rq"]
ShopFactory = Callable[..., Workspace]


class Jobs:
    """How a test lets the background work happen: in this process, or by a burst worker process on Redis."""

    def __init__(self, ws: Workspace, redis_url: str | None):
        self.ws, self.redis_url = ws, redis_url

    def settle(self) -> None:
        """Run everything that is due now, follow-ups included."""
        if self.redis_url is None:
            self.ws.jobs.drain()
        else:
            run_burst(self.ws, self.redis_url, job_backoff=str(BACKOFF))

    def settle_until(self, predicate: Callable[[], Any], what: str, timeout: float = PATIENCE) -> None:
        """Settle again (retries come due after their backoff) until `predicate()` holds."""
        def step() -> Any:
            self.settle()
            return predicate()
        wait_until(step, timeout, what, every=0.02)


Settle = Callable[[Workspace], Jobs]


@pytest.fixture(params=MODES)
def settle(request: pytest.FixtureRequest) -> Settle:
    """Per mode: a function giving a workspace its way of running jobs."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "rq" else None
    return lambda ws: Jobs(ws, redis_url)


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_created_trigger_runs_the_update_action_once(shop_factory: ShopFactory, settle: Settle, db: str) -> None:
    ws = shop_factory(db)
    publish_automation(ws, """
        automation: hello
        label: Hello
        form: customer
        trigger: {type: created}
        condition: "grade = 'A'"
        actions:
          - {type: update, values: {notes: "'hello ' & name"}}
    """)
    a = ws.records.create(ME, "customer", {"name": "Acme", "grade": "A"}, via="web")
    b = ws.records.create(ME, "customer", {"name": "Bolt", "grade": "B"}, via="web")
    jobs = settle(ws)
    jobs.settle()
    assert ws.records.get(ME, "customer", a.id)["notes"] == "hello Acme"
    assert ws.records.get(ME, "customer", b.id).get("notes") in (None, "")
    assert sorted(r["status"] for r in run_rows(ws, "hello")) == ["done", "skipped"]
    assert [(j["status"], j["attempts"]) for j in job_rows(ws, "automation.run")] == [("done", 1), ("done", 1)]
    jobs.settle()  # nothing is done twice
    assert len(automation_edits(ws, "customer", a.id)) == 1


def test_updated_trigger_fires_only_for_the_named_fields(shop_factory: ShopFactory, settle: Settle) -> None:
    ws = shop_factory()
    publish_automation(ws, """
        automation: regrade
        label: Regrade
        form: customer
        trigger: {type: updated, fields: [grade]}
        actions:
          - {type: update, values: {notes: "'grade ' & $old.grade & ' to ' & grade"}}
    """)
    jobs = settle(ws)
    a = ws.records.create(ME, "customer", {"name": "Acme", "grade": "A"})
    b = ws.records.create(ME, "customer", {"name": "Bolt", "grade": "A"})
    ws.records.update(ME, "customer", a.id, {"grade": "C"}, version=a.version)
    ws.records.update(ME, "customer", b.id, {"email": "b@example.com"}, version=b.version)
    jobs.settle()
    assert ws.records.get(ME, "customer", a.id)["notes"] == "grade A to C"
    assert ws.records.get(ME, "customer", b.id).get("notes") in (None, "")
    assert [(r["record_id"], r["status"]) for r in run_rows(ws, "regrade")] == [(a.id, "done")]
    # the automation's own write (notes) is not a grade change: no second run
    assert len(automation_edits(ws, "customer", a.id)) == 1


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_record_created_by_an_automation_sets_off_the_next_one(shop_factory: ShopFactory, settle: Settle,
                                                                 db: str) -> None:
    ws = shop_factory(db)
    publish_automation(ws, """
        automation: stock
        label: Stock a product
        form: customer
        trigger: {type: created}
        actions:
          - {id: product, type: create, form: product, values: {name: "'for ' & name"}}
          - {type: update, values: {notes: "'product ' & $steps.product.id"}}
    """)
    publish_automation(ws, """
        automation: price
        label: Price it
        form: product
        trigger: {type: created}
        actions:
          - {type: update, values: {price: "42"}}
    """)
    customer = ws.records.create(ME, "customer", {"name": "Acme"})
    settle(ws).settle()
    products = ws.records.list(ME, "product").records
    assert [(p["name"], str(p["price"])) for p in products] == [("for Acme", "42.00")]
    assert ws.records.get(ME, "customer", customer.id)["notes"] == f"product {products[0].id}"
    assert [r["status"] for r in run_rows(ws, "stock")] == ["done"]
    assert [r["status"] for r in run_rows(ws, "price")] == ["done"]
    follow_up = [j for j in job_rows(ws, "automation.run") if j["payload"]["automation"] == "price"]
    assert [(j["status"], j["payload"]["depth"]) for j in follow_up] == [("done", 1)]
    assert [h["action"] for h in automation_edits(ws, "product", products[0].id)] == ["update", "create"]


def test_a_failing_call_retries_with_backoff_then_fails_and_an_admin_retry_runs_it(
        shop_factory: ShopFactory, settle: Settle, receiver_factory: Callable[..., Receiver]) -> None:
    receiver: Receiver = receiver_factory(statuses=[503, 503])
    ws = shop_factory()
    publish_automation(ws, f"""
        automation: tell
        label: Tell
        form: customer
        trigger: {{type: created}}
        actions:
          - {{type: webhook, url: "{receiver.url}", retries: 1}}
    """)
    ws.records.create(ME, "customer", {"name": "Acme"})
    jobs = settle(ws)

    def call() -> dict[str, Any]:
        [job] = job_rows(ws, "webhook.call")
        return job

    jobs.settle_until(lambda: call()["status"] == "failed", "the webhook job to fail")
    job = call()
    assert job["attempts"] == 2 and job["max_attempts"] == 2
    assert "HTTP 503" in job["last_error"]
    first, second = receiver.deliveries
    assert second.at - first.at >= BACKOFF  # the retry waited its backoff
    assert ws.jobs.retry(job["key"]) is True
    assert call()["status"] == "queued"
    jobs.settle_until(lambda: call()["status"] == "done", "the retried webhook job to be done")
    assert call()["attempts"] == 1 and call()["last_error"] is None
    assert [(d.id, d.valid, d.status) for d in receiver.deliveries] == [(job["key"], True, s) for s in (503, 503, 200)]
    assert receiver.deliveries[0].body["record"]["name"] == "Acme"
    assert [r["status"] for r in run_rows(ws, "tell")] == ["done"]  # the run only queued the call

