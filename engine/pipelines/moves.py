"""What the record service does about stage pipelines on each write: check the move (before writing) and
record it (in the write's transaction): close the old stage period, open the new one, one outbox event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import PipelineDef
from engine.errors import FieldError
from engine.pipelines.rules import move_errors, probability_of
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor
from engine.records.runtime import FormRuntime
from engine.storage.system import outbox

UNCHECKED_CHANNELS = {"sample_data", "system"}  # installs and the engine's own writes set stages as they are
QUIET_CHANNELS = {"sample_data"}  # installing sample data opens stage periods but sets off nothing


def _moved(pipelines: list[PipelineDef], before: Mapping[str, Any] | None,
           full: Mapping[str, Any]) -> list[tuple[PipelineDef, Any, Any]]:
    """(pipeline, old stage, new stage) for each pipeline whose stage this write sets or changes."""
    found = []
    for pipeline in pipelines:
        old = before.get(pipeline.field) if before is not None else None
        new = full.get(pipeline.field)
        if before is None or old != new:
            found.append((pipeline, old, new))
    return found


def follow_stages(rt: FormRuntime, before: Mapping[str, Any] | None, full: dict[str, Any],
                  values: dict[str, Any]) -> None:
    """Before formulas run: keep each pipeline's probability field in step with a stage this write sets (in
    `full` and in the written `values`)."""
    for pipeline, _, new in _moved(rt.pipelines, before, full):
        _follow_probability(rt, pipeline, new, full, values)


def check_stages(rt: FormRuntime, before: Mapping[str, Any] | None, full: Mapping[str, Any], actor: Actor,
                 via: str, errors: dict[str, list[FieldError]]) -> None:
    """After validation: add the errors of a move a pipeline refuses (a field already refused as required is not
    refused twice). Moves by the system actor or through sample data are not checked."""
    if actor.system or via in UNCHECKED_CHANNELS:
        return
    for pipeline, old, new in _moved(rt.pipelines, before, full):
        found = move_errors(pipeline, rt.form, old, new, full, lambda fid, v: rt.types[fid].is_empty(v))
        for path, items in found.items():
            if any(e.code in ("required", "required_when") for e in errors.get(path, [])):
                items = [e for e in items if e.code != "stage_requires"]
            if items:
                errors.setdefault(path, []).extend(items)


def _follow_probability(rt: FormRuntime, pipeline: PipelineDef, stage: str | None, full: dict[str, Any],
                        values: dict[str, Any]) -> None:
    target = rt.form.field(pipeline.probability_field) if pipeline.probability_field else None
    probability = probability_of(pipeline, stage)
    if target is None or probability is None:
        return
    full[target.id] = values[target.id] = rt.types[target.id].parse(target, f"{probability:g}")


def record_moves(conn: sa.Connection, rt: FormRuntime, befores: Sequence[Mapping[str, Any] | None],
                 afters: Sequence[Mapping[str, Any]], actor_id: int | None, via: str, now: datetime,
                 origin: Mapping[str, Any] | None = None) -> None:
    """After records are written (ids known), in the same transaction: for every stage that changed, close the
    open period, open one for the new stage and add a `workflow.stage_changed` event per (from, to) move (carrying
    the write's `origin`, e.g. an automation's chain depth)."""
    for pipeline in rt.pipelines:
        moves: dict[tuple[str | None, str | None], list[int]] = {}
        for before, after in zip(befores, afters):
            old = before.get(pipeline.field) if before is not None else None
            new = after.get(pipeline.field)
            if (before is not None and old == new) or (before is None and not new):
                continue
            moves.setdefault((old or None, new or None), []).append(int(after["id"]))
        if not moves:
            continue
        moved = [i for ids in moves.values() for i in ids]
        if any(before is not None for before in befores):
            _close_periods(conn, pipeline, moved, now)
        rows = [{"form": pipeline.form, "record_id": rid, "field": pipeline.field, "stage": new, "entered_at": now,
                 "entered_by": actor_id} for (_, new), ids in moves.items() if new for rid in ids]
        if rows:
            conn.execute(stage_periods.insert(), rows)
        if via not in QUIET_CHANNELS:
            _emit(conn, pipeline, moves, actor_id, via, now, origin or {})


def _close_periods(conn: sa.Connection, pipeline: PipelineDef, record_ids: list[int], now: datetime) -> None:
    t = stage_periods
    open_rows = conn.execute(sa.select(t.c.id, t.c.entered_at).where(
        t.c.form == pipeline.form, t.c.field == pipeline.field, t.c.record_id.in_(record_ids),
        t.c.left_at.is_(None))).all()
    for period_id, entered_at in open_rows:
        seconds = max(0, int((now - entered_at).total_seconds()))
        conn.execute(sa.update(t).where(t.c.id == period_id).values(left_at=now, seconds=seconds))


def _emit(conn: sa.Connection, pipeline: PipelineDef, moves: Mapping[tuple[str | None, str | None], list[int]],
          actor_id: int | None, via: str, now: datetime, origin: Mapping[str, Any]) -> None:
    for (old, new), ids in moves.items():
        payload: dict[str, Any] = {"form": pipeline.form, "ids": ids, "field": pipeline.field, "pipeline": pipeline.id,
                                   "from": old, "to": new, "actor": actor_id, "via": via}
        if len(ids) == 1:
            payload["id"] = ids[0]
        payload.update(origin)
        conn.execute(outbox.insert(), {
            "topic": "workflow.stage_changed", "form": pipeline.form, "record_id": ids[0] if len(ids) == 1 else None,
            "created_at": now, "attempts": 0, "dispatched_at": None, "payload": payload,
        })
