"""Open and click tracking: signed tokens in a message's links and pixel, and the counts they add up to.

A click token names the message and the URL; the signature (the workspace secret) stops forged tokens, and
the URL must also be one of the message's own links, so the redirect can never go anywhere else.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects import postgresql, sqlite

from engine.mail.links import links_in
from engine.mail.tables import email_messages
from engine.storage.system import settings

KEY_SETTING = "mail_token_key"  # a generated signing key, for workspaces without a secret
OPEN_SALT, CLICK_SALT = "formwork.mail.open", "formwork.mail.click"


def signing_key(conn: sa.Connection, secret: str, *, create: bool = False) -> str | None:
    """The key that signs tracking tokens: the workspace secret, else a generated one kept in `settings`."""
    if secret:
        return secret
    stored = conn.execute(sa.select(settings.c.value).where(settings.c.key == KEY_SETTING)).scalar()
    if stored or not create:
        return str(stored) if stored else None
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(settings).values(key=KEY_SETTING, value=secrets.token_urlsafe(32))
                 .on_conflict_do_nothing(index_elements=["key"]))
    return str(conn.execute(sa.select(settings.c.value).where(settings.c.key == KEY_SETTING)).scalar())


def open_token(key: str, message_id: int) -> str:
    """The token of a message's open pixel."""
    return str(URLSafeSerializer(key, salt=OPEN_SALT).dumps(message_id))


def click_token(key: str, message_id: int, url: str) -> str:
    """The token of one link of a message."""
    return str(URLSafeSerializer(key, salt=CLICK_SALT).dumps([message_id, url]))


def read_open_token(key: str | None, token: str) -> int | None:
    """The message an open token was made for; None if it was not made with this key."""
    try:
        value = URLSafeSerializer(key or "", salt=OPEN_SALT).loads(token) if key else None
    except BadData:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_click_token(key: str | None, token: str) -> tuple[int, str] | None:
    """(message, URL) of a click token; None if it was not made with this key."""
    try:
        value = URLSafeSerializer(key or "", salt=CLICK_SALT).loads(token) if key else None
    except BadData:
        return None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
        return value[0], value[1]
    return None


def record_open(conn: sa.Connection, message_id: int, now: datetime) -> bool:
    """Count an open of a tracked message (the first one sets `opened_at`); False if there is no such message."""
    return bool(conn.execute(sa.update(email_messages).where(email_messages.c.id == message_id,
                                                             email_messages.c.track.is_(True)).values(
        open_count=email_messages.c.open_count + 1,
        opened_at=sa.func.coalesce(email_messages.c.opened_at, now))).rowcount)


def record_click(conn: sa.Connection, message_id: int, url: str, now: datetime) -> str | None:
    """Count a click on one of a tracked message's links and return its URL; None if the URL is not one of them."""
    html = conn.execute(sa.select(email_messages.c.html).where(email_messages.c.id == message_id,
                                                               email_messages.c.track.is_(True))).scalar()
    if html is None or url not in links_in(html):
        return None
    conn.execute(sa.update(email_messages).where(email_messages.c.id == message_id).values(
        click_count=email_messages.c.click_count + 1, last_click_at=now,
        opened_at=sa.func.coalesce(email_messages.c.opened_at, now)))  # a click means it was opened
    return url


def batch_stats_sql(batch: str) -> sa.Select[Any]:
    """The counts of one batch in one query (each message counted once)."""
    m = email_messages.c

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)
    return sa.select(count(m.status == "sent").label("sent"), count(m.opened_at.is_not(None)).label("opened"),
                     count(m.click_count > 0).label("clicked"), count(m.status == "failed").label("failed")) \
        .where(m.batch == batch)


def batch_stats(conn: sa.Connection, batch: str) -> dict[str, int]:
    """How many messages of a batch were sent, opened, clicked and failed (distinct messages)."""
    row = conn.execute(batch_stats_sql(batch)).mappings().one()
    return {name: int(row[name]) for name in ("sent", "opened", "clicked", "failed")}
