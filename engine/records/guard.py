"""Permissions applied to record reads and writes: the record service's one enforcement point.

For every call the service asks here what the actor may do on the form (operations, the records each operation
reaches as a SQL predicate, hidden and read-only fields); reads are narrowed and masked, writes checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Definitions
from engine.errors import FieldError, PermissionDenied, QueryInvalid
from engine.fields.base import FilterContext
from engine.fields.registry import record_target
from engine.fields.types.relations import Rollup
from engine.permissions.access import FormAccess, full_access, resolve
from engine.permissions.scope import scope_predicate
from engine.permissions.viewer import Viewer, load_viewer
from engine.records.model import Actor, Query
from engine.records.paths import resolve_path
from engine.records.runtime import FormRuntime
from engine.records.values import Errors

NEEDS_VIEWER = ("department", "department_tree", "condition")
ViewerLoader = Callable[[sa.Connection, int], Viewer | None]


@dataclass(frozen=True)
class Guard:
    """What one actor may do on one form, ready to narrow queries and check writes."""

    actor: Actor
    rt: FormRuntime
    access: FormAccess
    viewers: ViewerLoader = load_viewer  # the workspace passes its cache (engine.org.cache)

    @property
    def unrestricted(self) -> bool:
        return self.access.unrestricted

    def require(self, operation: str) -> None:
        """PermissionDenied unless some role allows `operation` on the form."""
        if not self.access.can(operation):
            raise PermissionDenied(self.actor, operation, self.rt.form.id)

    def predicate(self, conn: sa.Connection, operation: str, ctx: FilterContext) -> ColumnElement[bool]:
        """The rows `operation` reaches (TRUE for unrestricted access)."""
        if self.access.reaches_all(operation):
            return sa.true()
        viewer = self._viewer(conn, operation)
        return scope_predicate(self.access, operation, self.rt.form, self.rt.main, viewer, ctx)

    def _viewer(self, conn: sa.Connection, operation: str) -> Viewer:
        user_id = self.actor.user_id or 0
        if any(s.kind in NEEDS_VIEWER for s in self.access.scopes_for(operation)):
            if self.actor.viewer is not None and self.actor.viewer.user_id == user_id:
                return self.actor.viewer
            return self.viewers(conn, user_id) or Viewer(user_id)
        return Viewer(user_id, self.actor.roles, department_id=self.actor.department_id)

    def narrow(self, query: Query) -> tuple[Query, ColumnElement[bool] | None]:
        """The query without hidden fields (QueryInvalid when it filters or sorts on one) and the search clause
        over the visible fields only, to AND into the statement instead of the query's own search."""
        hidden = self.access.hidden
        for flt in query.filters:
            if not self.sees(flt.field):
                raise QueryInvalid("bad_filter", message=f"cannot filter on '{flt.field}'")
        if not hidden:
            return query, None
        for name, _ in query.sort:
            if name in hidden:
                raise QueryInvalid("bad_sort", value=name)
        if not (query.search and query.search.strip()):
            return query, None
        term = query.search.strip()
        found = [self.rt.types[f.id].search_clause(f, self.rt.main, term)
                 for f in self.rt.search_fields if f.id not in hidden]
        parts = [p for p in found if p is not None]
        return replace(query, search=None), (sa.or_(*parts) if parts else sa.false())

    def sees(self, name: str) -> bool:
        """Whether the actor may see a field or path (`client.industry`: the relation here, and the field on the
        form it points to, which they may read)."""
        head, _, tail = name.partition(".")
        if head in self.access.hidden:
            return False
        if not tail or self.actor.system or self.actor.is_admin:
            return True
        path = resolve_path(self.rt, name)
        if path is None or path.form is None:
            return True
        target = resolve(self.rt.defs.roles, self.actor.roles, path.form)
        return target.can("read") and target.visible(path.field.id)

    def mask(self, values: dict[str, Any]) -> dict[str, Any]:
        """The record's values without the hidden fields (they never leave the engine)."""
        for field_id in self.access.hidden:
            values.pop(field_id, None)
        return values

    def write_errors(self, raw: Mapping[str, Any]) -> Errors:
        """An error for each hidden or read-only field the caller tries to write."""
        errors: Errors = {}
        if self.unrestricted:
            return errors
        for field_id in raw:
            if field_id in self.access.hidden:  # as if it did not exist: its name reveals nothing
                errors[field_id] = [FieldError("unknown_field", {"value": field_id})]
            elif field_id in self.access.read_only:
                f = self.rt.form.field(field_id)
                errors[field_id] = [FieldError("read_only_for_you", {"label": f.label if f else field_id})]
        return errors


def guard_for(defs: Definitions, actor: Actor, rt: FormRuntime, viewers: ViewerLoader = load_viewer) -> Guard:
    """The guard of `actor` on the form of `rt`: administrators and the engine itself are unrestricted.

    A field computed from a hidden one is hidden too (a formula over a hidden rollup, a lookup through a hidden
    relation): what it shows would give the hidden value away. The access of a set of roles is worked out once per
    definitions version (kept on the form's runtime).
    """
    if actor.system or actor.is_admin:
        return Guard(actor, rt, full_access(rt.form.id), viewers)
    if defs is not rt.defs:
        return Guard(actor, rt, _access(defs, actor, rt), viewers)
    access = rt.accesses.get(actor.roles)
    if access is None:
        access = rt.accesses[actor.roles] = _access(defs, actor, rt)
    return Guard(actor, rt, access, viewers)


def _access(defs: Definitions, actor: Actor, rt: FormRuntime) -> FormAccess:
    access = resolve(defs.roles, actor.roles, rt.form.id)
    hidden = access.hidden | _hidden_lookups(defs, actor, rt)
    hidden |= rt.computed_from(hidden)
    return replace(access, hidden=hidden) if hidden != access.hidden else access


def _hidden_lookups(defs: Definitions, actor: Actor, rt: FormRuntime) -> frozenset[str]:
    """Lookups and rollups that show a field the actor may not see on the form it comes from (`customer.cost` is
    hidden here when `cost` is hidden on customer, or customer cannot be read at all; so is a sum of `cost`)."""
    hidden: set[str] = set()
    for f in rt.form.fields:
        if isinstance(rt.types[f.id], Rollup) and f.get("field"):  # a total of a field the actor may not see there
            source = resolve(defs.roles, actor.roles, str(f.get("source")))
            if not source.visible(str(f.get("field"))):
                hidden.add(f.id)
            continue
        path = rt.types[f.id].reads_path(f)
        if not path:
            continue
        step_field = rt.form.field(path[0])
        for step in path[1:]:
            if step_field is None or record_target(step_field) is None:
                break
            target = defs.forms.get(str(record_target(step_field)))
            if target is None:
                break
            access = resolve(defs.roles, actor.roles, target.id)
            if not access.can("read") or not access.visible(step):
                hidden.add(f.id)
                break
            step_field = target.field(step)
    return frozenset(hidden)
