"""Defaults copied from a related record (`default: {from: client, field: industry}`) under the writer's access.

The copy is made for the person creating the record, as if they had read the related record and typed its value:
so a field they may not see on the related form (hidden to them, or a form they cannot read) gives no default,
on a create as in the live form. The related record itself is one they may read: a relation value they may not
read is taken out before defaults are applied (engine.records.reach).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.default_from import defaults_from
from engine.fields.registry import record_target
from engine.records.compute import coerce, default_for
from engine.records.env import RecordEnv
from engine.records.guard import guard_for
from engine.records.model import Actor
from engine.records.runtime import FormRuntime, Runtimes


def unseen_defaults(runtimes: Runtimes, actor: Actor, rt: FormRuntime) -> set[str]:
    """The fields of `rt`'s form whose related-record default reads a field `actor` may not see."""
    unseen: set[str] = set()
    for f, spec in defaults_from(rt.form):
        relation = rt.form.field(spec.relation)
        target = str(record_target(relation)) if relation is not None else ""
        if target not in runtimes:
            unseen.add(f.id)
            continue
        access = guard_for(runtimes.defs, actor, runtimes[target]).access
        if not access.can("read") or not access.visible(spec.field):
            unseen.add(f.id)
    return unseen


def linked_values(rt: FormRuntime, values: Mapping[str, Any], env: RecordEnv, unseen: set[str],
                  writable: set[str]) -> dict[str, Any]:
    """What each related-record default gives for the relation values in `values`, whether or not the field was
    given (the live form fills a field the user has not typed into): for fields the writer may write and see."""
    found: dict[str, Any] = {}
    for f, spec in defaults_from(rt.form):
        if f.id in unseen or f.id not in writable or f.id not in rt.writable_by_id:
            continue
        found[f.id] = coerce(rt, f, default_for(f, env)) if values.get(spec.relation) is not None else None
    return found
