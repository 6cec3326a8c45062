"""Who a node's tasks go to: the union of its assignee entries, resolved against the organisation and the record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.automation.people import PoolProblem, pool_users
from engine.definitions.model import AssigneeDef
from engine.storage.system import departments, users


@dataclass(frozen=True)
class Who:
    """What assignee entries are resolved against: the record, the submitter, the previous node's actors."""

    record: Mapping[str, Any]
    submitter_id: int | None
    previous: tuple[int, ...] = ()


def resolve(conn: sa.Connection, entries: Sequence[AssigneeDef], who: Who) -> list[int]:
    """Ids of the active users the entries name (sorted, no repeats); entries naming no one add no one."""
    found: set[int] = set()
    for entry in entries:
        found.update(_one(conn, entry, who))
    return _active(conn, found)


def _one(conn: sa.Connection, entry: AssigneeDef, who: Who) -> set[int]:
    kind, value = entry.kind, entry.value
    if kind == "users":
        try:
            return set(pool_users(conn, {"users": list(value or [])}, None))
        except PoolProblem:  # a user removed since publishing: the others still get the task
            return _by_names(conn, [str(v) for v in value or []])
    if kind == "role":
        return set(pool_users(conn, {"role": value}, None))
    if kind == "field":
        raw = who.record.get(str(value))
        return {int(v) for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, int)}
    if kind == "department_head":
        return _department_head(conn, value, who.record)
    if kind == "manager":
        return _manager(conn, who.submitter_id, int(value or 1))
    if kind == "previous":
        return set(who.previous)
    if kind == "submitter":
        return {who.submitter_id} if who.submitter_id is not None else set()
    return set()


def _by_names(conn: sa.Connection, names: list[str]) -> set[int]:
    return {int(i) for i in conn.execute(sa.select(users.c.id).where(users.c.username.in_(names))).scalars()}


def _department_head(conn: sa.Connection, key: Any, record: Mapping[str, Any]) -> set[int]:
    if key in (None, "record"):
        dept = record.get("department_id")
        clause = departments.c.id == int(dept) if dept is not None else sa.false()
    else:
        clause = departments.c.key == str(key)
    head = conn.execute(sa.select(departments.c.head_user_id).where(clause)).scalar()
    return {int(head)} if head else set()


def _manager(conn: sa.Connection, submitter_id: int | None, levels: int) -> set[int]:
    """The head `levels` up from the submitter: 1 = their department's head (its parent's when they are it);
    departments without a head are passed over, and one person heading nested departments counts once."""
    if submitter_id is None:
        return set()
    dept = conn.execute(sa.select(users.c.department_id).where(users.c.id == submitter_id)).scalar()
    tree = {int(i): (p, h) for i, p, h in conn.execute(
        sa.select(departments.c.id, departments.c.parent_id, departments.c.head_user_id))}
    chain: list[int] = []
    seen: set[int] = set()
    while dept is not None and int(dept) in tree and int(dept) not in seen:
        seen.add(int(dept))
        parent, head = tree[int(dept)]
        if head is not None and int(head) != submitter_id and (not chain or chain[-1] != int(head)):
            chain.append(int(head))
        dept = parent
    return {chain[levels - 1]} if len(chain) >= levels else set()


def admins(conn: sa.Connection) -> list[int]:
    """The active workspace administrators (who get a node's tasks when its assignees name no one)."""
    return [int(i) for i in conn.execute(sa.select(users.c.id).where(
        users.c.is_admin.is_(True), users.c.active.is_(True)).order_by(users.c.id)).scalars()]


def _active(conn: sa.Connection, ids: Iterable[int]) -> list[int]:
    wanted = {int(i) for i in ids}
    if not wanted:
        return []
    rows = conn.execute(sa.select(users.c.id).where(users.c.id.in_(wanted), users.c.active.is_(True))).scalars()
    return sorted(int(i) for i in rows)
