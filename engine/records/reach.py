"""References a writer may make: a relation may only point at records its writer can read.

Otherwise pointing an order at any customer id would show that customer's name, grade… through the order's
lookups, formulas and title. A related id the writer may not read is refused exactly like one that does not exist
(`not_found`), and taken out of the values before anything is computed from it (so a preview reveals nothing
either). Ids the record already held stay allowed: someone else may have set them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import FilterContext
from engine.fields.registry import record_target
from engine.records.guard import guard_for
from engine.records.model import Actor
from engine.records.runtime import FormRuntime, Runtimes
from engine.records.values import Errors

def drop_unreachable(conn: sa.Connection, runtimes: Runtimes, actor: Actor, rt: FormRuntime,
                     values: dict[str, Any], before: Mapping[str, Any] | None, ctx: FilterContext,
                     errors: Errors) -> None:
    """Remove from `values` (in place) the related ids `actor` may not read and `before` did not hold, with a
    `not_found` error at each one's path."""
    if actor.system or actor.is_admin:
        return
    places = list(_places(rt, values))
    new: dict[str, set[int]] = {}
    for _, f, target, container, key in places:
        new.setdefault(target, set()).update(_ids(container.get(key)) - _old_ids(rt, f, before))
    unreachable = {target: ids - _readable(conn, runtimes, actor, target, ids, ctx)
                   for target, ids in new.items() if ids}
    for path, f, target, container, key in places:
        lost = _ids(container.get(key)) & unreachable.get(target, set())
        if not lost:
            continue
        value = container.get(key)
        container[key] = ([v for v in value if _as_int(v) not in lost] or None) if isinstance(value, list) else None
        for item in sorted(lost):
            errors.setdefault(path, []).append(FieldError("not_found", {"label": f.label, "value": item}))


def _places(rt: FormRuntime, values: dict[str, Any]) -> Iterator[tuple[str, FieldDef, str, dict[str, Any], str]]:
    """(error path, relation field, its target form, the dict holding its value, key) of each relation value being
    written, subform cells included."""
    for f in rt.form.fields:
        target = record_target(f)
        if target is not None and f.id in values:
            yield f.id, f, target, values, f.id
        rows = values.get(f.id) if f.fields else None
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, dict):
                yield from ((f"{f.id}[{i}].{c.id}", c, str(record_target(c)), row, c.id) for c in f.fields
                            if record_target(c) is not None)



def _old_ids(rt: FormRuntime, f: FieldDef, before: Mapping[str, Any] | None) -> set[int]:
    """The ids the stored record already holds in this relation (in any row, for a subform column)."""
    if before is None:
        return set()
    if f.id in before and rt.form.field(f.id) is f:
        return _ids(before.get(f.id))
    found: set[int] = set()
    for sub in rt.form.fields:
        if f in sub.fields:
            for row in before.get(sub.id) or []:
                if isinstance(row, Mapping):
                    found |= _ids(row.get(f.id))
    return found


def _readable(conn: sa.Connection, runtimes: Runtimes, actor: Actor, target: str, ids: set[int],
              ctx: FilterContext) -> set[int]:
    """The ids among `ids` of live records of `target` that `actor` may read (unknown ones are not)."""
    if target not in runtimes:
        return set()
    rt = runtimes[target]
    guard = guard_for(runtimes.defs, actor, rt)
    if not guard.access.can("read"):
        return set()
    stmt = sa.select(rt.main.c.id).where(rt.main.c.id.in_(sorted(ids)), rt.main.c.deleted_at.is_(None))
    if not guard.access.reaches_all("read"):
        stmt = stmt.where(guard.predicate(conn, "read", ctx))
    return {int(i) for i in conn.execute(stmt).scalars()}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _ids(value: Any) -> set[int]:
    items = value if isinstance(value, list) else [value]
    return {i for i in (_as_int(v) for v in items) if i is not None}
