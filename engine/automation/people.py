"""Who an action means: named users, a role's members, a department (and its sub-departments), the users in a
field of the record, the head of the record's department — always active users, in a stable order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from engine.permissions.viewer import descendants
from engine.storage.system import departments, memberships, role_members, users


class PoolProblem(LookupError):
    """A pool names something that does not exist (a username, a department key): the run reports it."""


def pool_users(conn: sa.Connection, pool: Mapping[str, Any], record: Mapping[str, Any] | None) -> list[int]:
    """Ids of the active users a pool names, sorted and without repeats."""
    found: set[int] = set()
    if pool.get("users"):
        names = [str(u) for u in pool["users"]]
        rows = dict(conn.execute(sa.select(users.c.username, users.c.id).where(users.c.username.in_(names))).all())
        missing = [n for n in names if n not in rows]
        if missing:
            raise PoolProblem(f"no user named {', '.join(missing)}")
        found.update(int(i) for i in rows.values())
    if pool.get("role"):
        found.update(int(i) for i in conn.execute(
            sa.select(role_members.c.user_id).where(role_members.c.role == str(pool["role"]))).scalars())
    if pool.get("department"):
        key = str(pool["department"])
        root = conn.execute(sa.select(departments.c.id).where(departments.c.key == key)).scalar()
        if root is None:
            raise PoolProblem(f"no department with key '{key}'")
        tree = descendants(conn, {int(root)})
        found.update(int(i) for i in conn.execute(
            sa.select(memberships.c.user_id).where(memberships.c.department_id.in_(tree))).scalars())
        found.update(int(i) for i in conn.execute(sa.select(users.c.id).where(users.c.department_id.in_(tree))).scalars())
    if pool.get("field") and record is not None:
        value = record.get(str(pool["field"]))
        found.update(int(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    if pool.get("department_head") and record is not None and record.get("department_id"):
        head = conn.execute(sa.select(departments.c.head_user_id)
                            .where(departments.c.id == int(record["department_id"]))).scalar()
        if head:
            found.add(int(head))
    if not found:
        return []
    active = conn.execute(sa.select(users.c.id).where(users.c.id.in_(found), users.c.active.is_(True))).scalars()
    return sorted(int(i) for i in active)


def user_emails(conn: sa.Connection, user_ids: list[int]) -> list[str]:
    if not user_ids:
        return []
    return [str(e) for e in conn.execute(sa.select(users.c.email).where(users.c.id.in_(user_ids), users.c.email.is_not(None))
                                         .order_by(users.c.id)).scalars() if e]


def user_language(conn: sa.Connection, user_id: int | None, default: str) -> str:
    if user_id is None:
        return default
    lang = conn.execute(sa.select(users.c.language).where(users.c.id == user_id)).scalar()
    return str(lang) if lang in ("zh", "en") else default
