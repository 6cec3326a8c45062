"""Concurrent actors on PostgreSQL: one task approved from eight threads at once advances the flow once; two
or-sign approvers acting together decide once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from engine.workflow.errors import TaskAlreadyHandled
from tests.conftest import Clock, open_workspace
from tests.engine.workflow_support import events, new_contract, open_task, setup, step_actions, tasks

THREADS = 8


@pytest.fixture
def pg_ws(pg_url: str, tmp_path: Path, clock: Clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(pg_url, tmp_path / "ws", clock)
    yield ws
    ws.close()


def race(calls: list[Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls in threads released together; their results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Any) -> None:
        barrier.wait()
        try:
            value = call()
        except BaseException as exc:  # collected and checked by the test
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)  # a safety net: the threads end in a second
    return results, errors


def test_one_task_approved_from_eight_threads_advances_once(pg_ws) -> None:  # type: ignore[no-untyped-def]
    ws = pg_ws
    org = setup(ws)
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    task = open_task(ws, org.ids["boss"])
    results, errors = race([lambda: ws.workflows.act(org["boss"], task, "approve", comment="go")] * THREADS)
    assert len(results) == 1 and len(errors) == THREADS - 1
    assert all(isinstance(e, TaskAlreadyHandled) for e in errors), errors
    assert all("Boss" in str(e) for e in errors)
    assert step_actions(ws, instance) == ["submitted", "approved"]
    assert [t for t, p in events(ws) if t == "workflow.approved"] == ["workflow.approved"]
    assert len([t for t in tasks(ws, instance) if t["node"] == "finance"]) == 2  # the next node entered once
    assert ws.records.get(org["alice"], "contract", rec.id).version == 2  # the start's `set`, nothing after


def test_or_sign_approvers_acting_together_decide_once(pg_ws) -> None:  # type: ignore[no-untyped-def]
    ws = pg_ws
    org = setup(ws)
    rec = new_contract(ws, org, "200000", signed_date="2024-03-01")
    instance = ws.workflows.submit(org["rep"], "contract", rec.id)
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve")
    first, second = open_task(ws, org.ids["fin1"]), open_task(ws, org.ids["fin2"])
    results, errors = race([lambda: ws.workflows.act(org["fin1"], first, "approve"),
                            lambda: ws.workflows.act(org["fin2"], second, "reject")])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], TaskAlreadyHandled)
    closed = [t for t in tasks(ws, instance) if t["node"] == "finance"]
    assert sorted(str(t["status"]) for t in closed) == ["cancelled", "done"]
    assert step_actions(ws, instance)[-1] in ("completed", "rejected")
