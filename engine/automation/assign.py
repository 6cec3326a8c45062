"""Assignment: pick an owner from a pool — taking turns (round-robin), or whoever has the least open work —
with rules that choose the pool first (region → sales team). The turn is remembered in the same transaction
as the assignment, so two leads arriving together never go to the same person by accident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.automation import steps
from engine.automation.people import pool_users
from engine.definitions.model import ActionDef
from engine.fields.base import FilterContext
from engine.formulas.values import is_empty
from engine.permissions.condition import condition_predicate

if TYPE_CHECKING:
    from engine.automation.run import Run


def candidates(run: Run, conn: sa.Connection, action: ActionDef) -> tuple[Mapping[str, Any], list[int]]:
    """The pool that applies (the first rule whose `when` holds, else `pool`) and its active users."""
    pool: Mapping[str, Any] = action.get("pool") or {}
    for rule in action.get("rules") or []:
        holds = run.facts.evaluate(conn, run.ws.records.runtimes, str(rule.get("when")))
        if holds and not is_empty(holds):
            pool = rule.get("pool") or {}
            break
    return pool, pool_users(conn, pool, run.facts.record) if pool else []


def describe(pool: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in pool.items()) or "no pool"


def _turn_key(run: Run, action: ActionDef, pool: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(dict(pool), sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"turn:{run.automation.id}:{action.id}:{digest}"


def choose(run: Run, conn: sa.Connection, action: ActionDef, pool: Mapping[str, Any], users: list[int]) -> int:
    """The next user: after the last one chosen from this pool (round-robin), or with the fewest open records."""
    last = steps.read_state(conn, _turn_key(run, action, pool))
    last_id = int(last.get("user_id", 0)) if isinstance(last, dict) else 0
    in_turn = [u for u in users if u > last_id] + [u for u in users if u <= last_id]
    if action.get("strategy") != "least_workload":
        return in_turn[0]
    load = workload(run, conn, action, users)
    return min(in_turn, key=lambda u: load.get(u, 0))  # ties go to whoever's turn comes first


def workload(run: Run, conn: sa.Connection, action: ActionDef, users: list[int]) -> dict[int, int]:
    """Open records per user in the trigger form (those matching `open`, else all live records)."""
    form = run.facts.form
    assert form is not None
    rt = run.ws.records.runtime(form.id)
    column = rt.main.c[str(action.get("field") or "owner")]
    query = sa.select(column, sa.func.count()).where(rt.main.c.deleted_at.is_(None), column.in_(users))
    if action.get("open"):
        ctx = FilterContext(run.ws.now(), run.ws.tz, None, conn.dialect.name)
        query = query.where(condition_predicate(str(action.get("open")), form, rt.main, ctx, lambda var: None))
    if run.facts.record is not None:
        query = query.where(rt.main.c.id != int(run.facts.record["id"]))
    return {int(u): int(n) for u, n in conn.execute(query.group_by(column)).all()}


def reserve(run: Run, action: ActionDef, position: int, pool: Mapping[str, Any], users: list[int]) -> int:
    """Take the turn in one write transaction (so concurrent runs get different people) and remember the pick
    for this step, so a retried run assigns the same person instead of taking another turn."""
    with run.job.transaction() as conn:
        pick_key = pick_state_key(run, position)
        prior = steps.read_state(conn, pick_key)
        if isinstance(prior, dict) and prior.get("user_id") in users:
            return int(prior["user_id"])
        user_id = choose(run, conn, action, pool, users)
        steps.write_state(conn, _turn_key(run, action, pool), {"user_id": user_id})
        steps.write_state(conn, pick_key, {"user_id": user_id})
        return user_id


def pick_state_key(run: Run, position: int) -> str:
    return f"pick:{run.key}:{position}"
