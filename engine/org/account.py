"""What users change about their own account: password (with the policy it must meet), language and time zone."""

from __future__ import annotations

import sqlalchemy as sa

from engine.errors import FieldError, RecordInvalid
from engine.i18n import LANGUAGES
from engine.org import sessions
from engine.org.passwords import hash_password, verify_password
from engine.org.users import MIN_PASSWORD
from engine.storage.system import users
from engine.zones import zone_named

MAX_PASSWORD = 256
CURRENT = {"zh": "当前密码", "en": "Current password"}
NEW = {"zh": "新密码", "en": "New password"}


def password_problems(password: str, username: str) -> list[FieldError]:
    """What is wrong with a new password under the policy: 8–256 characters, a letter and a non-letter, not the username."""
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD or password.isspace():
        return [FieldError("weak_password", {"min": MIN_PASSWORD, "max": MAX_PASSWORD})]
    has_letter = any(c.isalpha() for c in password)
    has_other = any(not c.isalpha() for c in password.strip())
    if not (has_letter and has_other):
        return [FieldError("weak_password", {"min": MIN_PASSWORD, "max": MAX_PASSWORD})]
    if password.strip().lower() == username.lower():
        return [FieldError("password_is_username")]
    return []


def change_password(conn: sa.Connection, user_id: int, current: str, new: str, repeat: str) -> None:
    """Check the current password, the policy and the repetition, then store the new hash and end every session of
    the user (the caller starts a fresh one for the browser that asked); RecordInvalid lists every problem."""
    row = conn.execute(sa.select(users.c.username, users.c.password_hash).where(users.c.id == user_id)).first()
    if row is None:
        raise RecordInvalid({"": [FieldError("permission_denied", {"action": "change password"})]})
    errors: dict[str, list[FieldError]] = {}
    if not current:
        errors["current_password"] = [FieldError("required", {"label": CURRENT})]
    elif not verify_password(row.password_hash, current):
        errors["current_password"] = [FieldError("wrong_password")]
    problems = password_problems(new, str(row.username))
    if not problems and current and new == current:
        problems = [FieldError("password_unchanged")]
    if problems:
        errors["new_password"] = problems
    elif new != repeat:
        errors["repeat_password"] = [FieldError("password_mismatch")]
    if errors:
        raise RecordInvalid(errors)
    conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=hash_password(new)))
    sessions.end_all(conn, user_id)


def set_language(conn: sa.Connection, user_id: int, language: str | None) -> None:
    """Store the user's interface language (None: follow the browser)."""
    if language is not None and language not in LANGUAGES:
        raise RecordInvalid({"language": [FieldError("bad_option", {"label": {"zh": "语言", "en": "Language"},
                                                                     "value": language})]})
    conn.execute(sa.update(users).where(users.c.id == user_id).values(language=language))


def timezone_problems(timezone: str | None) -> list[FieldError]:
    """What is wrong with a chosen time zone: None (the workspace's zone) or a known IANA name."""
    if timezone is None or zone_named(timezone) is not None:
        return []
    return [FieldError("bad_timezone", {"value": timezone[:80]})]


def set_timezone(conn: sa.Connection, user_id: int, timezone: str | None) -> None:
    """Store the user's time zone, an IANA name such as Asia/Shanghai (None: the workspace's zone)."""
    problems = timezone_problems(timezone)
    if problems:
        raise RecordInvalid({"timezone": problems})
    conn.execute(sa.update(users).where(users.c.id == user_id).values(timezone=timezone))

