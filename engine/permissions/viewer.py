"""The signed-in user as the permission rules see them: roles, departments (with the tree below) and attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.storage.system import departments, memberships, role_members, users


@dataclass(frozen=True)
class Viewer:
    """What scopes and conditions need to know about a user, loaded once per request."""

    user_id: int
    roles: frozenset[str] = frozenset()
    is_admin: bool = False
    department_id: int | None = None
    departments: frozenset[int] = frozenset()  # main and other departments
    department_tree: frozenset[int] = frozenset()  # those and every department below them
    attributes: Mapping[str, Any] = field(default_factory=dict)  # $me.<name> in scope conditions


def load_viewer(conn: sa.Connection, user_id: int) -> Viewer | None:
    """The viewer for a user id (None when there is no such user)."""
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        return None
    roles = frozenset(conn.execute(sa.select(role_members.c.role).where(role_members.c.user_id == user_id)).scalars())
    own = {int(d) for d in conn.execute(
        sa.select(memberships.c.department_id).where(memberships.c.user_id == user_id)).scalars()}
    if row["department_id"] is not None:
        own.add(int(row["department_id"]))
    tree = descendants(conn, own)
    attributes = {**(row["attributes"] or {}), "id": user_id, "username": row["username"],
                  "name": row["display_name"], "email": row["email"], "department": row["department_id"]}
    return Viewer(user_id, roles, bool(row["is_admin"]), row["department_id"], frozenset(own), frozenset(tree),
                  attributes)


def descendants(conn: sa.Connection, roots: set[int]) -> set[int]:
    """The departments `roots` and all below them (the tree is small: read it whole)."""
    children: dict[int, list[int]] = {}
    for dept_id, parent_id in conn.execute(sa.select(departments.c.id, departments.c.parent_id)):
        if parent_id is not None:
            children.setdefault(int(parent_id), []).append(int(dept_id))
    found, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
