"""Browser sessions kept in the database: the cookie carries only a random id, the `sessions` table holds a SHA-256
of it, whose user it is, when it began and was last used, from where, and the data views keep between requests.

A session ends when its user signs out (the row is deleted, so a copied cookie stops working at once), when it has
been idle longer than the idle timeout, or when it is older than the absolute lifetime — whichever comes first.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.storage.system import sessions

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.sessions")
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
PURGE_EVERY = 3600  # seconds: the job clock's ticker deletes expired sessions once an hour
USER_AGENT_LENGTH = 255


@dataclass(frozen=True)
class Policy:
    """How long a session lasts: `idle` after its last use, and `lifetime` after sign-in at most."""

    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> Policy:
        """The policy the settings `session_idle_minutes` and `session_lifetime_days` give (ValueError if unusable)."""
        return cls(timedelta(minutes=_whole(values, "session_idle_minutes")),
                   timedelta(days=_whole(values, "session_lifetime_days")))

    def expired(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        """True when a session begun at `created_at` and last used at `last_seen_at` is over at `now`."""
        return now - last_seen_at >= self.idle or now - created_at >= self.lifetime


def _whole(values: Mapping[str, str], name: str) -> int:
    raw = str(values.get(name, "")).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"setting {name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Session:
    """One stored session; `key` is the SHA-256 of the cookie's id (the id itself is never stored)."""

    key: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    address: str | None = None
    user_agent: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def new_id() -> str:
    """A fresh random session id for the cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def key_of(session_id: str) -> str:
    """The stored key of a session id: its SHA-256 in hex."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def _session(row: Any) -> Session:
    return Session(str(row.id), int(row.user_id), row.created_at, row.last_seen_at, row.address, row.user_agent,
                   dict(row.data or {}))


def create(conn: sa.Connection, user_id: int, data: Mapping[str, Any], now: datetime, address: str | None = None,
           user_agent: str | None = None) -> tuple[str, Session]:
    """Start a session for the user; returns the id for the cookie (shown only here) and the stored session."""
    session_id = new_id()
    session = Session(key_of(session_id), user_id, now, now, (address or None) and address[:64],
                      (user_agent or None) and user_agent[:USER_AGENT_LENGTH], dict(data))
    conn.execute(sa.insert(sessions).values(id=session.key, user_id=user_id, created_at=now, last_seen_at=now,
                                            address=session.address, user_agent=session.user_agent, data=session.data))
    return session_id, session


def load(conn: sa.Connection, session_id: str, now: datetime, policy: Policy) -> Session | None:
    """The live session with this cookie id, or None (unknown, ended, or expired under `policy`)."""
    if not session_id or len(session_id) > 128:
        return None
    row = conn.execute(sa.select(sessions).where(sessions.c.id == key_of(session_id))).first()
    if row is None or policy.expired(row.created_at, row.last_seen_at, now):
        return None
    return _session(row)


def needs_touch(session: Session, now: datetime) -> bool:
    """True when the session's last use should be written down (at most once a minute)."""
    return now - session.last_seen_at >= TOUCH_EVERY


def touch(conn: sa.Connection, key: str, now: datetime) -> None:
    """Record that the session was used at `now`."""
    conn.execute(sa.update(sessions).where(sessions.c.id == key).values(last_seen_at=now))


def save(conn: sa.Connection, key: str, changed: Mapping[str, Any], removed: Iterable[str], now: datetime) -> None:
    """Merge a request's changes into the stored data (keys other requests changed meanwhile are kept)."""
    query = sa.select(sessions.c.data).where(sessions.c.id == key)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    stored = conn.execute(query).scalar()
    if stored is None:
        return  # the session ended meanwhile (signed out elsewhere): nothing to keep
    data = {k: v for k, v in dict(stored).items() if k not in set(removed)}
    data.update(changed)
    conn.execute(sa.update(sessions).where(sessions.c.id == key).values(data=data, last_seen_at=now))


def end(conn: sa.Connection, key: str, user_id: int | None = None) -> Session | None:
    """Delete one session (only if it is `user_id`'s, when given); returns it, or None if there was none."""
    where = [sessions.c.id == key, *([sessions.c.user_id == user_id] if user_id is not None else [])]
    row = conn.execute(sa.select(sessions).where(*where)).first()
    if row is None or not conn.execute(sa.delete(sessions).where(*where)).rowcount:
        return None
    return _session(row)


def end_all(conn: sa.Connection, user_id: int, keep: str | None = None) -> int:
    """Delete every session of the user except the one with key `keep`; returns how many ended."""
    query = sa.delete(sessions).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    return int(conn.execute(query).rowcount)


def list_sessions(conn: sa.Connection, user_id: int, now: datetime, policy: Policy) -> list[Session]:
    """The user's live sessions, most recently used first."""
    rows = conn.execute(sa.select(sessions).where(sessions.c.user_id == user_id)
                        .order_by(sessions.c.last_seen_at.desc(), sessions.c.created_at.desc())).all()
    return [_session(r) for r in rows if not policy.expired(r.created_at, r.last_seen_at, now)]


def purge(conn: sa.Connection, now: datetime, policy: Policy) -> int:
    """Delete every expired session; returns how many."""
    return int(conn.execute(sa.delete(sessions).where(sa.or_(
        sessions.c.last_seen_at <= now - policy.idle, sessions.c.created_at <= now - policy.lifetime))).rowcount)


def purge_ticker(ws: Workspace) -> Any:
    """A job-clock ticker that purges expired sessions whenever the clock crosses into a new hour."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        if int(previous.timestamp()) // PURGE_EVERY == int(now.timestamp()) // PURGE_EVERY:
            return
        try:
            policy = Policy.from_settings(ws.settings.values)
        except ValueError as exc:  # the web app refuses to start with it; the other tickers must still run
            log.warning("expired sessions are not purged: %s", exc)
            return
        purge(conn, now, policy)
    return tick
