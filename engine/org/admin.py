"""What administrators do to the organisation: disable and enable users, reset passwords, assign roles and
departments, and shape the department tree — each change written to the audit log in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import FieldError, RecordInvalid
from engine.i18n import I18n
from engine.org import sessions
from engine.org.passwords import hash_password
from engine.org.users import set_roles
from engine.storage.system import departments, memberships, users

ROLE = {"zh": "角色", "en": "Role"}
DEPARTMENT = {"zh": "部门", "en": "Department"}


def _user(conn: sa.Connection, user_id: int) -> Any:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise RecordInvalid({"user": [FieldError("no_such_user", {"value": user_id})]})
    return row


def set_active(conn: sa.Connection, admin_id: int | None, user_id: int, active: bool, now: datetime,
               address: str | None = None) -> None:
    """Disable (they can no longer sign in; their sessions end) or enable a user; an admin cannot disable
    themselves, and the last active administrator cannot be disabled."""
    row = _user(conn, user_id)
    if not active and user_id == admin_id:
        raise RecordInvalid({"user": [FieldError("cannot_disable_self", {})]})
    if not active and row.is_admin:
        others = conn.execute(sa.select(sa.func.count()).select_from(users).where(
            users.c.is_admin.is_(True), users.c.active.is_(True), users.c.id != user_id)).scalar_one()
        if not others:
            raise RecordInvalid({"user": [FieldError("last_admin", {})]})
    conn.execute(sa.update(users).where(users.c.id == user_id).values(active=active))
    if not active:
        sessions.end_all(conn, user_id)
    record_audit(conn, now, "user_enabled" if active else "user_disabled", actor_id=admin_id, target=row.username,
                 address=address)


def reset_password(conn: sa.Connection, admin_id: int | None, user_id: int, now: datetime,
                   address: str | None = None) -> str:
    """Give the user a new random password (returned once, to hand over); their sessions end."""
    row = _user(conn, user_id)
    password = secrets.token_urlsafe(12)
    conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=hash_password(password)))
    sessions.end_all(conn, user_id)
    record_audit(conn, now, "password_reset", actor_id=admin_id, target=row.username, address=address)
    return password


def assign_roles(conn: sa.Connection, admin_id: int | None, user_id: int, roles: Iterable[str],
                 known_roles: Iterable[str], now: datetime, address: str | None = None) -> None:
    """Replace the user's roles with `roles`, each of which must be defined."""
    wanted = list(dict.fromkeys(roles))
    known = set(known_roles)
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise RecordInvalid({"roles": [FieldError("bad_option", {"label": ROLE, "value": r}) for r in unknown]})
    row = _user(conn, user_id)
    before = sorted(conn.execute(sa.text("SELECT role FROM role_members WHERE user_id = :u"), {"u": user_id}).scalars())
    set_roles(conn, user_id, wanted)
    if before == sorted(wanted):
        return
    record_audit(conn, now, "roles_changed", actor_id=admin_id, target=row.username, address=address,
                 detail={"before": before, "after": sorted(wanted)})


def set_departments(conn: sa.Connection, admin_id: int | None, user_id: int, main: int | None,
                    others: Iterable[int], now: datetime, address: str | None = None) -> None:
    """The user's main department and any others they also belong to (records they own follow the main one
    from their next write)."""
    row = _user(conn, user_id)
    wanted = [d for d in dict.fromkeys([*([main] if main is not None else []), *others])]
    existing = set(conn.execute(sa.select(departments.c.id).where(departments.c.id.in_(wanted))).scalars())
    missing = [d for d in wanted if d not in existing]
    if missing:
        raise RecordInvalid({"departments": [FieldError("bad_option", {"label": DEPARTMENT, "value": d})
                                             for d in missing]})
    had = set(conn.execute(sa.select(memberships.c.department_id).where(memberships.c.user_id == user_id)).scalars())
    if row.department_id == main and had == set(wanted):
        return
    conn.execute(sa.update(users).where(users.c.id == user_id).values(department_id=main))
    conn.execute(sa.delete(memberships).where(memberships.c.user_id == user_id))
    if wanted:
        conn.execute(sa.insert(memberships), [{"user_id": user_id, "department_id": d} for d in wanted])
    record_audit(conn, now, "roles_changed", actor_id=admin_id, target=row.username, address=address,
                 detail={"departments": wanted, "main": main})


def update_department(conn: sa.Connection, dept_id: int, *, name: I18n | None = None, parent_id: int | None = None,
                      head_user_id: int | None = None, move: bool = False) -> None:
    """Rename a department, set its head, or (with `move`) put it under another parent — never under itself
    or one of its own descendants."""
    row = conn.execute(sa.select(departments).where(departments.c.id == dept_id)).first()
    if row is None:
        raise RecordInvalid({"department": [FieldError("bad_option", {"label": DEPARTMENT, "value": dept_id})]})
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = {"zh": name, "en": name} if isinstance(name, str) else dict(name)
    if head_user_id is not None:
        _user(conn, head_user_id)
        values["head_user_id"] = head_user_id
    if move:
        if parent_id is not None and parent_id in _subtree(conn, dept_id):
            raise RecordInvalid({"parent": [FieldError("department_cycle", {})]})
        values["parent_id"] = parent_id
    if values:
        conn.execute(sa.update(departments).where(departments.c.id == dept_id).values(values))


def delete_department(conn: sa.Connection, dept_id: int) -> None:
    """Remove an empty department: no sub-departments and no members."""
    children = conn.execute(sa.select(sa.func.count()).select_from(departments)
                            .where(departments.c.parent_id == dept_id)).scalar_one()
    members = conn.execute(sa.select(sa.func.count()).select_from(memberships)
                           .where(memberships.c.department_id == dept_id)).scalar_one()
    if children or members:
        raise RecordInvalid({"department": [FieldError("department_not_empty",
                                                       {"children": children, "members": members})]})
    conn.execute(sa.delete(departments).where(departments.c.id == dept_id))


def _subtree(conn: sa.Connection, dept_id: int) -> set[int]:
    from engine.permissions.viewer import descendants

    return descendants(conn, {dept_id})
