"""The token of a per-record link: form, record id, link id and expiry, signed (HMAC-SHA256) with a key drawn from
the workspace secret. Without a secret, a generated key kept in the database signs them (the same one that signs
mail tracking), so a link mailed by a worker opens in any web process."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import sqlalchemy as sa

from engine.mail.tracking import signing_key
from engine.storage.database import write_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace

PURPOSE = b"formwork.record-link:"
MAC_BYTES = 18
MAX_TOKEN = 300
PAYLOAD = re.compile(r"^([a-z][a-z0-9_]{0,39}):([1-9][0-9]{0,18}):([a-z][a-z0-9_]{0,39}):([0-9]{1,12})$")


@dataclass(frozen=True)
class LinkToken:
    """What a token names: the record (form and id), the link, and when it stops working (None: never)."""

    form: str
    record_id: int
    link: str
    expires: datetime | None

    def expired(self, now: datetime) -> bool:
        """Whether the link no longer works at `now`."""
        return self.expires is not None and now >= self.expires


def key(ws: Workspace, conn: sa.Connection | None = None) -> bytes:
    """The signing key: from the workspace secret, else from the stored generated key (read or made in `conn`, the
    caller's open write transaction, when given)."""
    secret = str(ws.settings.secret or "")
    if not secret and conn is not None:
        secret = signing_key(conn, "", create=True) or ""
    elif not secret:
        with write_transaction(ws.engine) as own:
            secret = signing_key(own, "", create=True) or ""
    return hashlib.sha256(PURPOSE + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> bytes:
    return hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:MAC_BYTES]


def make(secret: bytes, form: str, record_id: int, link: str, expires: datetime | None) -> str:
    """A token for the record's link, good until `expires` (None: no end)."""
    stamp = int(expires.timestamp()) if expires is not None else 0
    payload = f"{form}:{record_id}:{link}:{stamp}"
    return f"{_b64(payload.encode())}.{_b64(_mac(secret, payload))}"


def expiry(now: datetime, days: int | None) -> datetime | None:
    """When a link made at `now` that is good for `days` stops working."""
    return None if days is None else now + timedelta(days=days)


def read(secret: bytes, token: str) -> LinkToken | None:
    """What a token names, or None when it was not made with this key (forged, altered, cut short)."""
    if len(token) > MAX_TOKEN or token.count(".") != 1:
        return None
    encoded, mac = token.split(".")
    try:
        payload = _unb64(encoded).decode("ascii")
        given = _unb64(mac)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(_mac(secret, payload), given):
        return None
    match = PAYLOAD.match(payload)
    if match is None:
        return None
    form, record_id, link, stamp = match.groups()
    expires = datetime.fromtimestamp(int(stamp), timezone.utc) if int(stamp) else None
    return LinkToken(form, int(record_id), link, expires)
