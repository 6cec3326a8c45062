"""Rate limits of anonymous posts (public forms and record links): posts per visitor address and per link in a
sliding window, counted in the workspace database so that every web process of a deployment shares the count,
timed by the workspace clock.

    limits = PostLimits.for_workspace(ws)
    wait = limits.take("203.0.113.7", link_token)  # None: go on; else the seconds until a post is accepted

Only accepted posts are counted; a refused one writes nothing, so a flood costs one indexed count per post. Keys
are stored as hashes: the table holds neither addresses nor link tokens. The count and the new rows are one
transaction — serialised on SQLite by its write lock and on PostgreSQL by a transaction-scoped advisory lock per
key — so processes posting at once cannot together go past a limit. Rows older than the window are purged hourly."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.storage.database import is_sqlite, write_transaction
from engine.storage.sqltypes import UTCDateTime
from engine.storage.system import ID, metadata

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger(__name__)

WINDOW_SECONDS = 600
PER_ADDRESS = 10  # posts from one address in the window (settings: public_posts_per_address)
PER_LINK = 300  # posts to one link in the window (settings: public_posts_per_link)
PURGE_EVERY = 3600

public_posts = sa.Table(  # one row per counted key of an accepted anonymous post
    "public_posts", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(32), nullable=False),  # a hash of "a:<address>" or "l:<link>"
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_public_posts_key_at", "key", "at"),
)


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _lock_id(hashed: str) -> int:
    """A signed 64-bit number for PostgreSQL's advisory lock of one key."""
    return int.from_bytes(bytes.fromhex(hashed[:16]), "big", signed=True)


def _whole(values: Mapping[str, object], name: str, default: int) -> int:
    raw = str(values.get(name, default)).strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


@dataclass(frozen=True)
class PostLimits:
    """The limits of a workspace and the shared count they are checked against."""

    ws: Workspace
    per_address: int = PER_ADDRESS
    per_link: int = PER_LINK
    window: timedelta = timedelta(seconds=WINDOW_SECONDS)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> PostLimits:
        values = ws.settings.values
        return cls(ws, _whole(values, "public_posts_per_address", PER_ADDRESS),
                   _whole(values, "public_posts_per_link", PER_LINK))

    def take(self, address: str, link: str, now: datetime | None = None) -> float | None:
        """Count a post from `address` to `link`; None when within both limits, else the seconds to wait (the post
        is not counted)."""
        at = now or self.ws.now()
        keys = [(_hashed(f"a:{address}"), self.per_address), (_hashed(f"l:{link}"), self.per_link)]
        with write_transaction(self.ws.engine) as conn:
            if not is_sqlite(conn):
                for hashed, _ in sorted(keys):  # always in one order: two posts never wait on each other's lock
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_id(hashed))))
            waits = [w for hashed, limit in keys if (w := _wait(conn, hashed, limit, at, self.window)) is not None]
            if waits:
                return max(waits)
            conn.execute(sa.insert(public_posts), [{"key": hashed, "at": at} for hashed, _ in keys])
            return None


def _wait(conn: sa.Connection, hashed: str, limit: int, at: datetime, window: timedelta) -> float | None:
    """None when fewer than `limit` posts of the key are in the window ending at `at`; else the seconds until the
    oldest of the last `limit` leaves it."""
    recent = conn.execute(sa.select(public_posts.c.at).where(public_posts.c.key == hashed,
                                                             public_posts.c.at > at - window)
                          .order_by(public_posts.c.at.desc()).limit(limit)).scalars().all()
    if len(recent) < limit:
        return None
    oldest: datetime = recent[-1]
    return max(0.0, (oldest + window - at).total_seconds())


def purge(conn: sa.Connection, now: datetime, window: timedelta = timedelta(seconds=WINDOW_SECONDS)) -> int:
    """Delete the rows that left the window; returns how many."""
    return int(conn.execute(sa.delete(public_posts).where(public_posts.c.at <= now - window)).rowcount)


def purge_ticker(ws: Workspace) -> Any:
    """A job-clock ticker that purges old post counts whenever the clock crosses into a new hour."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        if int(previous.timestamp()) // PURGE_EVERY != int(now.timestamp()) // PURGE_EVERY:
            removed = purge(conn, now)
            if removed:
                log.debug("purged %d public post counts", removed)
    return tick
