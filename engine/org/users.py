"""Create and list users and departments, and put users in roles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.errors import FieldError, RecordInvalid
from engine.i18n import I18n
from engine.org.passwords import hash_password
from engine.storage.system import departments, memberships, role_members, users

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class NewUser:
    """What it takes to create a user."""

    username: str
    display_name: str
    password: str | None = None
    email: str | None = None
    is_admin: bool = False
    department_id: int | None = None
    roles: tuple[str, ...] = ()
    language: str | None = None
    attributes: Mapping[str, Any] | None = None


def _invalid(field: str, code: str, **params: Any) -> RecordInvalid:
    return RecordInvalid({field: [FieldError(code, params)]})


def create_user(conn: sa.Connection, new: NewUser, now: datetime) -> int:
    """Insert a user (password hashed with argon2); RecordInvalid for a bad or taken username or short password."""
    if not USERNAME.match(new.username):
        raise _invalid("username", "bad_format", label={"zh": "用户名", "en": "Username"},
                       expected={"zh": "字母、数字、点、下划线或连字符(2–80 位)",
                                 "en": "2–80 letters, digits, dots, underscores or hyphens"})
    if new.password is not None and len(new.password) < MIN_PASSWORD:
        raise _invalid("password", "too_short", label={"zh": "密码", "en": "Password"}, min=MIN_PASSWORD)
    taken = conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.username) == new.username.lower())).first()
    if taken:
        raise _invalid("username", "not_unique", label={"zh": "用户名", "en": "Username"}, value=new.username)
    user_id = int(conn.execute(sa.insert(users).values(
        username=new.username, display_name=new.display_name, email=new.email,
        password_hash=hash_password(new.password) if new.password else None, is_admin=new.is_admin, active=True,
        language=new.language, department_id=new.department_id, attributes=dict(new.attributes or {}),
        created_at=now,
    ).returning(users.c.id)).scalar_one())
    if new.department_id is not None:
        conn.execute(sa.insert(memberships).values(user_id=user_id, department_id=new.department_id))
    set_roles(conn, user_id, new.roles)
    return user_id


def set_roles(conn: sa.Connection, user_id: int, roles: Iterable[str]) -> None:
    """Replace a user's roles."""
    conn.execute(sa.delete(role_members).where(role_members.c.user_id == user_id))
    rows = [{"role": r, "user_id": user_id} for r in dict.fromkeys(roles)]
    if rows:
        conn.execute(sa.insert(role_members), rows)


def create_department(conn: sa.Connection, key: str, name: I18n, parent_id: int | None = None,
                      head_user_id: int | None = None) -> int:
    """Insert a department."""
    label = {"zh": name, "en": name} if isinstance(name, str) else dict(name)
    return int(conn.execute(sa.insert(departments).values(
        key=key, name=label, parent_id=parent_id, head_user_id=head_user_id, position=0,
    ).returning(departments.c.id)).scalar_one())


def list_users(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every user with their roles, by username."""
    roles: dict[int, list[str]] = {}
    for role, user_id in conn.execute(sa.select(role_members.c.role, role_members.c.user_id)):
        roles.setdefault(user_id, []).append(role)
    rows = conn.execute(sa.select(users).order_by(users.c.username))
    return [{**{k: v for k, v in r._mapping.items() if k != "password_hash"}, "roles": sorted(roles.get(r.id, []))}
            for r in rows]


def user_id_by_name(conn: sa.Connection, username: str) -> int | None:
    """The id of a user by username (case-insensitive)."""
    return conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.lower())).scalar()


def authenticate(conn: sa.Connection, username: str, password: str) -> dict[str, Any] | None:
    """The active user with this username and password, or None (same answer for unknown user and bad password)."""
    from engine.org.passwords import hash_password, verify_password

    row = conn.execute(sa.select(users).where(sa.func.lower(users.c.username) == username.strip().lower())).first()
    if row is None or not row.active:
        hash_password(password)  # spend the same time as a real check, so timing does not reveal usernames
        return None
    if not verify_password(row.password_hash, password):
        return None
    return dict(row._mapping)


def user_by_id(conn: sa.Connection, user_id: int) -> dict[str, Any] | None:
    """One user with their roles, or None."""
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        return None
    roles = conn.execute(sa.select(role_members.c.role).where(role_members.c.user_id == user_id)).scalars()
    return {**dict(row._mapping), "roles": sorted(roles)}


def display_names(conn: sa.Connection, user_ids: Iterable[int]) -> dict[int, str]:
    """Display names of users by id (one query)."""
    ids = {int(i) for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(conn.execute(sa.select(users.c.id, users.c.display_name).where(users.c.id.in_(ids))).all())
