"""Personal API tokens: created with a name and optional expiry, shown once, stored as a SHA-256 hash, revocable.

A token reads `fw_<key>_<secret>`: the key finds the row, the secret is compared (in constant time) with the
stored hash. Only the hash of the secret is kept, so a copy of the database gives no working token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.errors import FieldError, FormworkError, RecordInvalid
from engine.storage.system import api_tokens, role_members, users

PREFIX = "fw"
MAX_NAME = 80
MAX_TOKENS = 50  # per user; a bound so a script gone wrong cannot fill the table
LAST_USED_PRECISION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token
NAME_LABEL = {"zh": "名称", "en": "Name"}
EXPIRY_LABEL = {"zh": "到期时间", "en": "Expiry"}


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner sees it in the list (never the secret)."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    hint: str  # `fw_<key>_…`, enough to recognise a token


@dataclass(frozen=True)
class NewToken:
    """A token just created: `token` is the only time the full secret exists outside its owner's hands."""

    info: TokenInfo
    token: str


class TokenRefused(FormworkError):
    """A bearer token cannot be used: `code` is token_invalid, token_expired, token_revoked or user_disabled."""

    def __init__(self, code: str):
        self.code = code
        self.error = FieldError(code)
        super().__init__(self.error.message("en"))


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret part."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(row: Any) -> TokenInfo:
    return TokenInfo(id=int(row.id), name=row.name, created_at=row.created_at, expires_at=row.expires_at,
                     last_used_at=row.last_used_at, hint=f"{PREFIX}_{row.key}_…")


def create_token(conn: sa.Connection, user_id: int, name: str, now: datetime,
                 expires_at: datetime | None = None) -> NewToken:
    """Create a token for the user; RecordInvalid for an empty or long name, a past expiry or too many tokens."""
    name = name.strip()
    errors: dict[str, list[FieldError]] = {}
    if not name:
        errors["name"] = [FieldError("required", {"label": NAME_LABEL})]
    elif len(name) > MAX_NAME:
        errors["name"] = [FieldError("too_long", {"label": NAME_LABEL, "max": MAX_NAME})]
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [FieldError("expiry_in_past", {"label": EXPIRY_LABEL})]
    if len(list_tokens(conn, user_id)) >= MAX_TOKENS:
        errors[""] = [FieldError("too_many_tokens", {"max": MAX_TOKENS})]
    if errors:
        raise RecordInvalid(errors)
    key, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token_id = int(conn.execute(sa.insert(api_tokens).values(
        key=key, secret_hash=hash_secret(secret), user_id=user_id, name=name, created_at=now, expires_at=expires_at,
    ).returning(api_tokens.c.id)).scalar_one())
    info = TokenInfo(token_id, name, now, expires_at, None, f"{PREFIX}_{key}_…")
    return NewToken(info, f"{PREFIX}_{key}_{secret}")


def list_tokens(conn: sa.Connection, user_id: int) -> list[TokenInfo]:
    """The user's tokens that are not revoked (expired ones included, so the owner sees why one stopped), newest first."""
    rows = conn.execute(sa.select(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                        .order_by(api_tokens.c.id.desc()))
    return [_info(r) for r in rows]


def revoke_token(conn: sa.Connection, user_id: int, token_id: int, now: datetime) -> bool:
    """Revoke one of the user's tokens; False when the user has no such live token."""
    result = conn.execute(sa.update(api_tokens).where(
        api_tokens.c.id == token_id, api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None),
    ).values(revoked_at=now))
    return result.rowcount == 1


def parse_token(token: str) -> tuple[str, str] | None:
    """(key, secret) of a token in the `fw_<key>_<secret>` form, or None."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1], parts[2]


# Built once: a token is checked on every API request.
_ROLES = sa.select(sa.func.aggregate_strings(role_members.c.role, "\n")).where(
    role_members.c.user_id == users.c.id).scalar_subquery()
_USER_BY_KEY = sa.select(users, _ROLES.label("role_list"), api_tokens.c.id.label("token_id"), api_tokens.c.secret_hash,
                         api_tokens.c.revoked_at, api_tokens.c.expires_at, api_tokens.c.last_used_at) \
    .join(api_tokens, users.c.id == api_tokens.c.user_id).where(api_tokens.c.key == sa.bindparam("key"))


@dataclass(frozen=True)
class TokenUse:
    """A usable token: its user (the users row with roles), its id and when it was last used."""

    user: dict[str, Any]
    token_id: int
    last_used: datetime | None
    expires_at: datetime | None = None


def authenticate_token(conn: sa.Connection, token: str, now: datetime) -> TokenUse:
    """The user of a usable token (one query); TokenRefused says why a token cannot be used."""
    parsed = parse_token(token)
    if parsed is None:
        raise TokenRefused("token_invalid")
    key, secret = parsed
    row = conn.execute(_USER_BY_KEY, {"key": key}).first()
    # Compare even when no row matched, so the time taken does not tell whether a key exists.
    stored = row.secret_hash if row is not None else hash_secret(secrets.token_urlsafe(8))
    if not hmac.compare_digest(stored, hash_secret(secret)) or row is None:
        raise TokenRefused("token_invalid")
    if row.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenRefused("token_expired")
    if not row.active:
        raise TokenRefused("user_disabled")
    user = {c.name: row._mapping[c.name] for c in users.columns}
    user["roles"] = sorted(row.role_list.split("\n")) if row.role_list else []
    return TokenUse(user, int(row.token_id), row.last_used_at, row.expires_at)


def needs_touch(last_used: datetime | None, now: datetime) -> bool:
    """True when last_used_at is older than its precision (so most requests do not write)."""
    return last_used is None or now - last_used >= LAST_USED_PRECISION


def touch_token(conn: sa.Connection, token_id: int, now: datetime) -> None:
    """Record that a token was just used."""
    conn.execute(sa.update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))
