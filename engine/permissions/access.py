"""A user's access to one form: the union of their roles' operations, scopes and field access.

Rights add up: an operation is allowed when any role allows it; the records an operation reaches are the union
of the scopes of the roles that allow it; a field is hidden only when every role that lets the user read the form
hides it, and writable when some role that lets them write leaves it neither hidden nor read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.definitions.model import FormPermission, RoleDef

OPERATIONS = ("create", "read", "update", "delete", "export", "import", "manage")
WRITES = ("create", "update")


@dataclass(frozen=True)
class Scope:
    """Which records one role reaches: own, department, department_tree, all, or condition (a formula)."""

    kind: str
    condition: str | None = None


ALL = Scope("all")


@dataclass(frozen=True)
class FormAccess:
    """What a user may do on one form."""

    form: str
    operations: frozenset[str]
    scopes: Mapping[str, tuple[Scope, ...]]  # operation → scopes (any one suffices)
    hidden: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()
    unrestricted: bool = False  # administrators and the engine itself

    def can(self, operation: str) -> bool:
        """True when some role allows the operation on this form."""
        return self.unrestricted or operation in self.operations

    def scopes_for(self, operation: str) -> tuple[Scope, ...]:
        """The scopes whose union the operation reaches (empty: no record)."""
        if self.unrestricted:
            return (ALL,)
        return self.scopes.get(operation, ())

    def reaches_all(self, operation: str) -> bool:
        """True when the operation is not narrowed to some records."""
        return any(s.kind == "all" for s in self.scopes_for(operation))

    def visible(self, field_id: str) -> bool:
        return field_id not in self.hidden

    def writable(self, field_id: str) -> bool:
        return field_id not in self.hidden and field_id not in self.read_only


def full_access(form: str) -> FormAccess:
    """Everything on the form (administrators, the engine's own writes)."""
    return FormAccess(form, frozenset(OPERATIONS), {}, unrestricted=True)


def resolve(roles: Iterable[RoleDef], role_ids: Iterable[str], form: str) -> FormAccess:
    """The access that the roles `role_ids` (of the definitions' `roles`) give on `form`."""
    wanted = set(role_ids)
    grants = [r.permissions[form] for r in roles if r.id in wanted and form in r.permissions]
    operations = frozenset(op for g in grants for op in g.operations)
    scopes: dict[str, tuple[Scope, ...]] = {}
    for op in operations:
        found: list[Scope] = []
        for g in grants:
            scope = _scope_of(g)
            if op in g.operations and scope not in found:
                found.append(scope)
        scopes[op] = (ALL,) if ALL in found else tuple(found)
    readers = [g for g in grants if "read" in g.operations]
    hidden = frozenset.intersection(*(frozenset(k for k, v in g.fields.items() if v == "hidden") for g in readers)) \
        if readers else frozenset()
    writers = [g for g in grants if any(op in g.operations for op in WRITES)]
    locked = frozenset.intersection(*(frozenset(g.fields) for g in writers)) if writers else frozenset()
    return FormAccess(form, operations, scopes, hidden=hidden, read_only=locked - hidden)


def _scope_of(grant: FormPermission) -> Scope:
    if grant.scope == "condition":
        return Scope("condition", grant.condition)
    return Scope(grant.scope)
