"""The actions: create and update records, assign an owner, notify in-app, send email, call a webhook.

Each returns (output, detail): the output is what later actions read as `$steps.<id>`, the detail is the line
shown in the run history. Record writes go through the record service (as the system, via 'automation'), given the
run's origin (its chain depth, carried by the events the write emits) and a hook that writes the step marker inside
the service's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from engine.automation import assign, messages, steps
from engine.automation.run import Run
from engine.definitions.model import ActionDef, FormDef
from engine.fields.base import FilterContext
from engine.permissions.condition import condition_predicate
from engine.records.model import Actor
from engine.records.writing import WriteHook
from engine.storage.database import read_transaction
from engine.storage.system import users
from engine.jobs.tables import automation_state

SYSTEM = Actor.system_actor()
VIA = "automation"
DEFAULT_LIMIT = 1000
SUB_STEP = 100_000  # markers of per-record sub-steps: (position + 1) * SUB_STEP + n, apart from steps
PROGRESS_EVERY = 50  # a long update reports how far it is every this many records

Perform = Callable[[Run, ActionDef, int], tuple[Any, str]]


def perform(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    return ACTIONS[action.type](run, action, position)


def plain_input(value: Any) -> Any:
    """A formula's result as record input: whole Decimals become ints (ids, integers), lists recursively."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, list):
        return [plain_input(v) for v in value]
    return value


def values_of(run: Run, action: ActionDef) -> dict[str, Any]:
    return {str(k): plain_input(run.evaluate(str(v))) for k, v in (action.get("values") or {}).items()}


def marker_hook(run: Run, position: int, output: Callable[[Mapping[str, Any]], Any]) -> WriteHook:
    """A write hook: fence the job and mark the step done, inside the record service's transaction."""
    def hook(conn: sa.Connection, event: Mapping[str, Any]) -> None:
        run.job.fenced()(conn)
        steps.mark(conn, run.key, position, output(event), run.ws.now())
    return hook


def record_output(run: Run, form_id: str, record_id: int) -> dict[str, Any]:
    rec = run.ws.records.get(SYSTEM, form_id, record_id)
    return {**rec.values, **rec.system(), "form": form_id}


def _create(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    form_id = str(action.get("form"))
    values = values_of(run, action)
    hook = marker_hook(run, position, lambda event: {"form": form_id, "id": event.get("id")})
    record = run.ws.records.create(SYSTEM, form_id, values, via=VIA, origin=run.origin(), hook=hook)
    return record_output(run, form_id, record.id), f"created {form_id} #{record.id}"


def _targets(run: Run, action: ActionDef) -> tuple[str, list[int]]:
    """The form and ids an update action changes."""
    facts = run.facts
    target = str(action.get("target") or ("where" if action.get("form") else "record"))
    if target == "record":
        assert facts.form is not None and facts.record is not None
        return facts.form.id, [int(facts.record["id"])]
    if target == "where":
        form = run.ws.definitions.form(str(action.get("form")))
        return form.id, matching_ids(run, form, str(action.get("where")), int(action.get("limit") or DEFAULT_LIMIT))
    assert facts.form is not None and facts.record is not None
    relation = facts.form.field(target)
    value = facts.record.get(target)
    ids = value if isinstance(value, list) else ([value] if value is not None else [])
    return str(relation.get("to")) if relation else "", [int(i) for i in ids]


def matching_ids(run: Run, form: FormDef, condition: str, limit: int) -> list[int]:
    """Ids of live records of `form` where a condition holds (compiled to SQL), at most `limit`."""
    rt = run.ws.records.runtime(form.id)
    ctx = FilterContext(run.ws.now(), run.ws.tz, None)
    with read_transaction(run.ws.engine) as conn:
        ctx = FilterContext(ctx.now, ctx.tz, None, conn.dialect.name)
        predicate = condition_predicate(condition, form, rt.main, ctx, lambda var: _variable(run, var))
        query = sa.select(rt.main.c.id).where(rt.main.c.deleted_at.is_(None), predicate).order_by(rt.main.c.id).limit(limit)
        return [int(i) for i in conn.execute(query).scalars()]


def _variable(run: Run, var: Any) -> Any:
    """$old.x, $steps.a.x, $body.x and $trigger.x in SQL conditions resolve to the run's values."""
    from engine.formulas.evaluator import walk

    return walk(run.facts.variables().get(var.name), tuple(var.path))


def _update(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    form_id, ids = _targets(run, action)
    values = values_of(run, action)
    several = len(ids) != 1 or action.get("target") not in (None, "record")  # one marker per record, then the step's
    for n, record_id in enumerate(ids):
        marker = (position + 1) * SUB_STEP + n if several else position
        with read_transaction(run.ws.engine) as conn:
            done, _ = steps.done_output(conn, run.key, marker)
        if done:
            continue
        current = run.ws.records.get(SYSTEM, form_id, record_id)
        hook = marker_hook(run, marker, lambda event: {"form": form_id, "id": event.get("id")})
        run.ws.records.update(SYSTEM, form_id, record_id, values, version=current.version, via=VIA,
                              origin=run.origin(), hook=hook)
        if len(ids) >= PROGRESS_EVERY and (n + 1) % PROGRESS_EVERY == 0:
            run.job.progress((n + 1) * 100 // len(ids), f"{action.id}: {n + 1} / {len(ids)}")
    if several:
        with run.job.transaction() as conn:
            steps.mark(conn, run.key, position, {"form": form_id, "ids": ids}, run.ws.now())
        return {"form": form_id, "ids": ids}, f"updated {len(ids)} {form_id} record(s)"
    return record_output(run, form_id, ids[0]), f"updated {form_id} #{ids[0]}"


def _assign(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    facts = run.facts
    assert facts.form is not None and facts.record is not None
    field_id = str(action.get("field") or "owner")
    with read_transaction(run.ws.engine) as conn:
        pool, candidates = assign.candidates(run, conn, action)
    if not candidates:
        with run.job.transaction() as conn:
            steps.mark(conn, run.key, position, {"user_id": None}, run.ws.now())
        return {"user_id": None}, f"nobody to assign to in {assign.describe(pool)}"
    user_id = assign.reserve(run, action, position, pool, candidates)

    def hook(conn: sa.Connection, event: Mapping[str, Any]) -> None:
        run.job.fenced()(conn)
        steps.mark(conn, run.key, position, {"user_id": user_id}, run.ws.now())
        conn.execute(sa.delete(automation_state).where(automation_state.c.key == assign.pick_state_key(run, position)))

    record_id = int(facts.record["id"])
    current = run.ws.records.get(SYSTEM, facts.form.id, record_id)
    run.ws.records.update(SYSTEM, facts.form.id, record_id, {field_id: user_id}, version=current.version, via=VIA,
                          origin=run.origin(), hook=hook)
    facts.record[field_id] = user_id
    with read_transaction(run.ws.engine) as conn:
        name = conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar()
    return {"user_id": user_id, "username": name}, f"assigned to {name} ({assign.describe(pool)})"


ACTIONS: dict[str, Perform] = {
    "create": _create,
    "update": _update,
    "assign": _assign,
    "notify": messages.notify,
    "email": messages.email,
    "webhook": messages.webhook,
}
