"""Administrators create users and change who they are (name, e-mail, language, time zone, administrator or not):
every problem reported at once, every change written to the audit log in the same transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import FieldError, RecordInvalid
from engine.i18n import LANGUAGES
from engine.org.account import password_problems, timezone_problems
from engine.org.users import USERNAME, NewUser, create_user, user_id_by_name
from engine.storage.system import departments, memberships, users

LABELS = {
    "username": {"zh": "用户名", "en": "Username"},
    "display_name": {"zh": "姓名", "en": "Name"},
    "email": {"zh": "邮箱", "en": "E-mail"},
    "language": {"zh": "语言", "en": "Language"},
    "timezone": {"zh": "时区", "en": "Time zone"},
    "roles": {"zh": "角色", "en": "Role"},
    "department_id": {"zh": "主部门", "en": "Main department"},
    "other_departments": {"zh": "其他部门", "en": "Other departments"},
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
LIMITS = {"display_name": 120, "email": 255}
Errors = dict[str, list[FieldError]]


@dataclass(frozen=True)
class Profile:
    """What an administrator may change about a user besides roles and departments."""

    display_name: str
    email: str | None = None
    language: str | None = None
    timezone: str | None = None


def _add(errors: Errors, key: str, error: FieldError) -> None:
    errors.setdefault(key, []).append(error)


def _check_text(errors: Errors, key: str, value: str | None, required: bool) -> None:
    """Required, length and control-character checks for a one-line text."""
    label = LABELS[key]
    if not value:
        if required:
            _add(errors, key, FieldError("required", {"label": label}))
        return
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        _add(errors, key, FieldError("control_characters", {"label": label}))
    elif len(value) > LIMITS[key]:
        _add(errors, key, FieldError("too_long", {"label": label, "max": LIMITS[key]}))
    elif key == "email" and not EMAIL.match(value):
        _add(errors, key, FieldError("bad_format", {"label": label, "expected": {"zh": "邮箱地址,如 li@example.com",
                                                                                 "en": "e-mail address"}}))


def profile_problems(profile: Profile) -> Errors:
    """Every problem with a profile: name required, lengths, e-mail format, a known language and time zone."""
    errors: Errors = {}
    _check_text(errors, "display_name", profile.display_name, required=True)
    _check_text(errors, "email", profile.email, required=False)
    if profile.language is not None and profile.language not in LANGUAGES:
        _add(errors, "language", FieldError("bad_option", {"label": LABELS["language"], "value": profile.language}))
    for problem in timezone_problems(profile.timezone):
        _add(errors, "timezone", problem)
    return errors


def _membership_problems(conn: sa.Connection, errors: Errors, main: int | None, others: Iterable[int],
                         roles: Iterable[str], known_roles: Iterable[str]) -> None:
    wanted = {d for d in [main, *others] if d is not None}
    found = set(conn.execute(sa.select(departments.c.id).where(departments.c.id.in_(wanted))).scalars()) \
        if wanted else set()
    if main is not None and main not in found:
        _add(errors, "department_id", FieldError("bad_option", {"label": LABELS["department_id"], "value": main}))
    for d in others:
        if d not in found:
            _add(errors, "other_departments", FieldError("bad_option", {"label": LABELS["other_departments"],
                                                                        "value": d}))
    known = set(known_roles)
    for role in roles:
        if role not in known:
            _add(errors, "roles", FieldError("bad_option", {"label": LABELS["roles"], "value": role}))


def add_user(conn: sa.Connection, admin_id: int | None, new: NewUser, other_departments: Iterable[int],
             known_roles: Iterable[str], now: datetime, address: str | None = None) -> int:
    """Create a user in their main and other departments with their roles; RecordInvalid lists every problem."""
    others = [d for d in dict.fromkeys(other_departments) if d != new.department_id]
    new = replace(new, username=new.username.strip(), display_name=new.display_name.strip(),
                  email=(new.email or "").strip() or None)
    errors = profile_problems(Profile(new.display_name, new.email, new.language))
    if not USERNAME.match(new.username):
        _add(errors, "username", FieldError("bad_format", {"label": LABELS["username"], "expected": {
            "zh": "字母、数字、点、下划线或连字符(2–80 位)", "en": "2–80 letters, digits, dots, underscores or hyphens"}}))
    elif user_id_by_name(conn, new.username) is not None:
        _add(errors, "username", FieldError("not_unique", {"label": LABELS["username"], "value": new.username}))
    if new.password is not None:
        for problem in password_problems(new.password, new.username):
            _add(errors, "password", problem)
    _membership_problems(conn, errors, new.department_id, others, new.roles, known_roles)
    if errors:
        raise RecordInvalid(errors)
    user_id = create_user(conn, new, now)
    if others:
        conn.execute(sa.insert(memberships), [{"user_id": user_id, "department_id": d} for d in others])
    record_audit(conn, now, "user_created", actor_id=admin_id, target=new.username, address=address,
                 detail={"roles": sorted(set(new.roles)), "admin": new.is_admin,
                         "departments": [d for d in [new.department_id, *others] if d is not None]})
    return user_id


def _user_row(conn: sa.Connection, user_id: int) -> Any:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise RecordInvalid({"user": [FieldError("no_such_user", {"value": user_id})]})
    return row


def update_profile(conn: sa.Connection, admin_id: int | None, user_id: int, profile: Profile, now: datetime,
                   address: str | None = None) -> None:
    """Change a user's name, e-mail, language and time zone; the audit entry lists what changed from what."""
    row = _user_row(conn, user_id)
    profile = Profile(profile.display_name.strip(), (profile.email or "").strip() or None, profile.language,
                      profile.timezone)
    errors = profile_problems(profile)
    if errors:
        raise RecordInvalid(errors)
    values = {"display_name": profile.display_name, "email": profile.email, "language": profile.language,
              "timezone": profile.timezone}
    changes = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
    if not changes:
        return
    conn.execute(sa.update(users).where(users.c.id == user_id).values(values))
    record_audit(conn, now, "user_updated", actor_id=admin_id, target=row.username, address=address,
                 detail={"changes": changes})


def set_admin(conn: sa.Connection, admin_id: int | None, user_id: int, is_admin: bool, now: datetime,
              address: str | None = None) -> None:
    """Make a user an administrator or not; nobody removes their own rights, and one active administrator stays."""
    row = _user_row(conn, user_id)
    if bool(row.is_admin) == is_admin:
        return
    if not is_admin and user_id == admin_id:
        raise RecordInvalid({"is_admin": [FieldError("cannot_demote_self", {})]})
    if not is_admin:
        others = conn.execute(sa.select(sa.func.count()).select_from(users).where(
            users.c.is_admin.is_(True), users.c.active.is_(True), users.c.id != user_id)).scalar_one()
        if not others:
            raise RecordInvalid({"is_admin": [FieldError("last_admin_rights", {})]})
    conn.execute(sa.update(users).where(users.c.id == user_id).values(is_admin=is_admin))
    record_audit(conn, now, "roles_changed", actor_id=admin_id, target=row.username, address=address,
                 detail={"admin": [bool(row.is_admin), is_admin]})
