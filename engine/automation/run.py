"""The `automation.run` job: load the trigger record, check the condition, do the actions in order, log the run.

Each action's effect and its step marker commit together (fenced by the job's lease), so a run that is
retried or taken over after a crash skips what already happened and does the rest: every action once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.automation import steps
from engine.automation.facts import Facts, old_values
from engine.automation.switches import is_enabled, switched
from engine.definitions.model import ActionDef, AutomationDef
from engine.errors import FormulaError, NotFound, RecordInvalid
from engine.formulas.values import is_empty
from engine.jobs.context import JobContext, PermanentError
from engine.jobs.tables import automation_runs
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from engine.templating import TemplateProblem

if TYPE_CHECKING:
    from engine.workspace import Workspace

MAX_DEPTH = 5  # automations triggering automations: at most this many links


@dataclass
class Run:
    """One run in progress: the job, the automation, the facts, and what each step did."""

    job: JobContext
    automation: AutomationDef
    facts: Facts
    depth: int
    log: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ws(self) -> Any:
        return self.job.host

    @property
    def key(self) -> str:
        return self.job.key

    def origin(self) -> dict[str, Any]:
        """What the run's own writes carry in their events: the chain depth and who wrote."""
        return {"depth": self.depth + 1, "automation": self.automation.id}

    def evaluate(self, source: str) -> Any:
        with read_transaction(self.ws.engine) as conn:
            return self.facts.evaluate(conn, self.ws.records.runtimes, source)


def run_automation(job: JobContext) -> dict[str, Any]:
    """The job handler. Returns a summary; raises to retry (or PermanentError for a broken definition)."""
    ws, payload = job.host, job.payload
    automation = ws.definitions.automations.get(str(payload.get("automation")))
    if automation is None:
        return {"skipped": "the automation no longer exists"}
    _start(ws, job, automation)
    with read_transaction(ws.engine) as conn:
        enabled = is_enabled(automation, switched(conn))
    if not enabled:
        return _finish(ws, job, "skipped", [], "switched off")
    depth = int(payload.get("depth") or 0)
    if depth > MAX_DEPTH:
        return _finish(ws, job, "skipped", [], f"a chain of more than {MAX_DEPTH} automations was stopped")
    facts = _facts(ws, automation, payload)
    if facts is None:
        return _finish(ws, job, "skipped", [], "the record no longer exists")
    run = Run(job, automation, facts, depth)
    if automation.condition:
        try:
            holds = run.evaluate(automation.condition)
        except FormulaError as exc:
            _finish(ws, job, "failed", [], f"condition: {exc.text('en')}")
            raise PermanentError(f"condition: {exc.text('en')}") from None
        if not holds or is_empty(holds):
            return _finish(ws, job, "skipped", [], "the condition does not hold")
    from engine.automation.actions import perform  # actions import this module's Run

    for position, action in enumerate(automation.actions):
        with read_transaction(ws.engine) as conn:
            done, output = steps.done_output(conn, run.key, position)
        if done:
            run.facts.steps[action.id] = output
            run.log.append(_entry(action, "done", "done in an earlier try"))
            continue
        try:
            output, detail = perform(run, action, position)
        except (FormulaError, TemplateProblem, RecordInvalid, LookupError, ValueError) as exc:
            message = exc.text("en") if isinstance(exc, FormulaError) else str(exc)

            run.log.append(_entry(action, "failed", message))
            _finish(ws, job, "failed", run.log, f"{action.id}: {message}")
            raise PermanentError(f"{action.id}: {message}") from None
        except Exception as exc:
            run.log.append(_entry(action, "failed", str(exc)))
            _finish(ws, job, "retrying", run.log, f"{action.id}: {exc}")
            raise
        run.facts.steps[action.id] = output
        run.log.append(_entry(action, "done", detail))
    return _finish(ws, job, "done", run.log, None)


def _entry(action: ActionDef, outcome: str, detail: str) -> dict[str, Any]:
    return {"action": action.id, "type": action.type, "outcome": outcome, "detail": detail[:500]}


def _facts(ws: Workspace, automation: AutomationDef, payload: Mapping[str, Any]) -> Facts | None:
    form = ws.definitions.forms.get(str(payload.get("form") or automation.form or "")) or None
    record: dict[str, Any] | None = None
    old: dict[str, Any] | None = None
    record_id = payload.get("record_id")
    if form is not None and record_id is not None:
        try:
            rec = ws.records.get(Actor.system_actor(), form.id, int(record_id),
                                 deleted=payload.get("trigger") == "deleted")
        except NotFound:
            return None
        record = {**rec.values, **rec.system()}
        if payload.get("changes"):
            old = old_values(ws.records.runtimes, form.id, record, payload["changes"])
    trigger = {k: payload.get(k) for k in ("trigger", "via", "slot", "fire_at", "offset") if payload.get(k) is not None}
    return Facts(ws.definitions, form, record, ws.now(), ws.tz, old=old, body=payload.get("body"), trigger=trigger,
                 actor_id=payload.get("actor"))


def _start(ws: Workspace, job: JobContext, automation: AutomationDef) -> None:
    payload = job.payload
    with write_transaction(ws.engine) as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(automation_runs).values(
            key=job.key, automation=automation.id, trigger=str(payload.get("trigger") or automation.trigger.on),
            form=payload.get("form") or automation.form, record_id=payload.get("record_id"), status="running",
            started_at=ws.now(), steps=[]).on_conflict_do_update(
            index_elements=["key"], set_={"status": "running", "error": None}))


def _finish(ws: Workspace, job: JobContext, status: str, log: list[dict[str, Any]], error: str | None) -> dict[str, Any]:
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.update(automation_runs).where(automation_runs.c.key == job.key).values(
            status=status, steps=log, error=error, finished_at=ws.now()))
    return {"status": status, "steps": len(log), **({"reason": error} if error else {})}
