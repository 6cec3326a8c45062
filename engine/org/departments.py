"""The department tree as administrators shape it: read in tree order, and create, rename, set the head, move
and delete — each change checked (names, parents, heads, no cycles) and written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import FieldError, RecordInvalid
from engine.i18n import LANGUAGES, text
from engine.org.admin import delete_department, update_department
from engine.storage.system import departments, memberships, users

NAME = {"zh": "部门名称", "en": "Department name"}
PARENT = {"zh": "上级部门", "en": "Parent department"}
HEAD = {"zh": "负责人", "en": "Head"}
MAX_NAME = 80


@dataclass(frozen=True)
class DepartmentNode:
    """One department where it sits in the tree: depth 0 at the top, with its head and member count."""

    id: int
    name: Mapping[str, str]
    parent_id: int | None
    head_user_id: int | None
    depth: int
    members: int
    children: int


def department_tree(conn: sa.Connection) -> list[DepartmentNode]:
    """Every department, parents before their children, siblings by position then id."""
    rows = conn.execute(sa.select(departments).order_by(departments.c.position, departments.c.id)).all()
    counts = {int(d): int(n) for d, n in conn.execute(
        sa.select(memberships.c.department_id, sa.func.count()).group_by(memberships.c.department_id))}
    known = {int(r.id) for r in rows}
    children: dict[int | None, list[Any]] = {}
    for r in rows:  # a parent that no longer exists puts the department at the top rather than losing it
        parent = int(r.parent_id) if r.parent_id is not None and int(r.parent_id) in known else None
        children.setdefault(parent, []).append(r)
    ordered: list[DepartmentNode] = []

    def visit(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            ordered.append(DepartmentNode(int(r.id), dict(r.name or {}), r.parent_id, r.head_user_id, depth,
                                          counts.get(int(r.id), 0), len(children.get(int(r.id), []))))
            visit(int(r.id), depth + 1)

    visit(None, 0)
    return ordered


def department_name(node: DepartmentNode, lang: str) -> str:
    """The department's name in the language (falling back to the other one, then its id)."""
    return text(node.name, lang) or f"#{node.id}"


def _name(errors: dict[str, list[FieldError]], name: Mapping[str, str]) -> dict[str, str]:
    """A {zh, en} name from what was typed: one language is enough, the other copies it."""
    given = {lang: (name.get(lang) or "").strip() for lang in LANGUAGES}
    for lang, value in given.items():
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            errors.setdefault(f"name_{lang}", []).append(FieldError("control_characters", {"label": NAME}))
        elif len(value) > MAX_NAME:
            errors.setdefault(f"name_{lang}", []).append(FieldError("too_long", {"label": NAME, "max": MAX_NAME}))
    if not any(given.values()):
        errors.setdefault("name_zh", []).append(FieldError("required", {"label": NAME}))
    return {lang: value or next(v for v in given.values() if v) for lang, value in given.items()} \
        if any(given.values()) else {}


def _exists(conn: sa.Connection, table: sa.Table, row_id: int) -> bool:
    return conn.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is not None


def _department(conn: sa.Connection, dept_id: int) -> Any:
    row = conn.execute(sa.select(departments).where(departments.c.id == dept_id)).first()
    if row is None:
        raise RecordInvalid({"department": [FieldError("bad_option", {"label": PARENT, "value": dept_id})]})
    return row


def _check_refs(conn: sa.Connection, errors: dict[str, list[FieldError]], parent_id: int | None,
                head_user_id: int | None) -> None:
    if parent_id is not None and not _exists(conn, departments, parent_id):
        errors.setdefault("parent_id", []).append(FieldError("bad_option", {"label": PARENT, "value": parent_id}))
    if head_user_id is not None and not _exists(conn, users, head_user_id):
        errors.setdefault("head_user_id", []).append(FieldError("no_such_user", {"value": head_user_id}))


def add_department(conn: sa.Connection, admin_id: int | None, name: Mapping[str, str], parent_id: int | None,
                   head_user_id: int | None, now: datetime, address: str | None = None) -> int:
    """Create a department under `parent_id` (None: at the top); RecordInvalid lists every problem."""
    errors: dict[str, list[FieldError]] = {}
    names = _name(errors, name)
    _check_refs(conn, errors, parent_id, head_user_id)
    if errors:
        raise RecordInvalid(errors)
    position = conn.execute(sa.select(sa.func.coalesce(sa.func.max(departments.c.position), 0) + 1)).scalar_one()
    dept_id = int(conn.execute(sa.insert(departments).values(
        key=None, name=names, parent_id=parent_id, head_user_id=head_user_id, position=position,
    ).returning(departments.c.id)).scalar_one())
    record_audit(conn, now, "department_changed", actor_id=admin_id, target=names["zh"], address=address,
                 detail={"created": dept_id, "parent": parent_id, "head": head_user_id})
    return dept_id


def change_department(conn: sa.Connection, admin_id: int | None, dept_id: int, name: Mapping[str, str],
                      parent_id: int | None, head_user_id: int | None, now: datetime,
                      address: str | None = None) -> None:
    """Rename, move (never under itself or below itself) and set or clear the head, in one audited change."""
    row = _department(conn, dept_id)
    errors: dict[str, list[FieldError]] = {}
    names = _name(errors, name)
    _check_refs(conn, errors, parent_id, head_user_id)
    if errors:
        raise RecordInvalid(errors)
    before = {"name": dict(row.name or {}), "parent": row.parent_id, "head": row.head_user_id}
    after = {"name": names, "parent": parent_id, "head": head_user_id}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return
    try:
        update_department(conn, dept_id, name=names, parent_id=parent_id, move=True)
    except RecordInvalid as exc:
        raise RecordInvalid({"parent_id" if k == "parent" else k: v for k, v in exc.errors.items()}) from None
    conn.execute(sa.update(departments).where(departments.c.id == dept_id).values(head_user_id=head_user_id))
    record_audit(conn, now, "department_changed", actor_id=admin_id, target=names["zh"], address=address,
                 detail={"department": dept_id, "changes": changes})


def remove_department(conn: sa.Connection, admin_id: int | None, dept_id: int, now: datetime,
                      address: str | None = None) -> None:
    """Delete a department with no sub-departments and no members (RecordInvalid says how many remain)."""
    row = _department(conn, dept_id)
    delete_department(conn, dept_id)
    record_audit(conn, now, "department_changed", actor_id=admin_id, target=text(row.name, "zh"), address=address,
                 detail={"deleted": dept_id})


@dataclass(frozen=True)
class DepartmentChoice:
    """A department as a picker offers it: its id, its name in one language and the words a search matches."""

    id: int
    label: str
    search: str


def _label(row: Any, lang: str) -> str:
    return text(row.name, lang) or str(row.key or f"#{row.id}")


def department_names(conn: sa.Connection, ids: Iterable[int], lang: str) -> dict[int, str]:
    """Department names by id in the language (one query)."""
    wanted = {int(i) for i in ids}
    if not wanted:
        return {}
    rows = conn.execute(sa.select(departments.c.id, departments.c.key, departments.c.name)
                        .where(departments.c.id.in_(wanted))).all()
    return {int(r.id): _label(r, lang) for r in rows}


def department_choices(conn: sa.Connection, lang: str) -> list[DepartmentChoice]:
    """Every department in the admins' order, named in the language, with the words a picker's search matches."""
    rows = conn.execute(departments.select().order_by(departments.c.position, departments.c.id)).all()
    return [DepartmentChoice(int(d.id), _label(d, lang), " ".join([d.key or "", *map(str, (d.name or {}).values())]).lower())
            for d in rows]


def user_department_ids(conn: sa.Connection, user_id: int) -> list[int]:
    """The departments a user belongs to (the main one and any others)."""
    query = sa.select(memberships.c.department_id).where(memberships.c.user_id == user_id)
    return [int(d) for d in conn.execute(query).scalars()]
