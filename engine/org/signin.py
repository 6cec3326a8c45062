"""Signing in with throttling: too many failures for one account or from one address wait before trying again.

Failures are the audit log's `sign_in_failed` entries, so the throttle and the log cannot disagree; a successful
sign-in starts the account's count afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.org.users import authenticate
from engine.storage.system import audit_log

ACCOUNT_LIMIT = 5  # failures per account within the window
ADDRESS_LIMIT = 20  # failures per client address within the window
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class SignIn:
    """The outcome: the user, or why not (`wrong` credentials or `throttled` with seconds to wait)."""

    user: dict[str, Any] | None = None
    refused: str | None = None  # wrong | throttled
    retry_after: int = 0


def sign_in(conn: sa.Connection, username: str, password: str, address: str | None, now: datetime) -> SignIn:
    """Check the throttle, then the password; every attempt is written to the audit log."""
    account = username.strip().lower()[:200]
    wait = _wait(conn, account, address, now)
    if wait:
        record_audit(conn, now, "sign_in_failed", target=account, address=address, detail={"reason": "throttled"})
        return SignIn(refused="throttled", retry_after=wait)
    user = authenticate(conn, username, password)
    if user is None:
        record_audit(conn, now, "sign_in_failed", target=account, address=address, detail={"reason": "wrong"})
        return SignIn(refused="wrong")
    record_audit(conn, now, "sign_in", actor_id=int(user["id"]), target=account, address=address)
    return SignIn(user=user)


def _wait(conn: sa.Connection, account: str, address: str | None, now: datetime) -> int:
    """Seconds until another attempt is allowed (0: now)."""
    since = now - WINDOW
    last_success = conn.execute(sa.select(sa.func.max(audit_log.c.at)).where(
        audit_log.c.action == "sign_in", audit_log.c.target == account, audit_log.c.at >= since)).scalar()
    account_since = max(since, last_success) if last_success is not None else since
    waits = [_wait_for(conn, audit_log.c.target == account, account_since, ACCOUNT_LIMIT, now)]
    if address:
        waits.append(_wait_for(conn, audit_log.c.address == address, since, ADDRESS_LIMIT, now))
    return max(waits)


def _wait_for(conn: sa.Connection, who: Any, since: datetime, limit: int, now: datetime) -> int:
    recent = list(conn.execute(sa.select(audit_log.c.at).where(
        audit_log.c.action == "sign_in_failed", who, audit_log.c.at > since,
    ).order_by(audit_log.c.at.desc()).limit(limit)).scalars())
    if len(recent) < limit:
        return 0
    free_at = recent[-1] + WINDOW  # the oldest of the last `limit` failures leaves the window
    return max(1, int((free_at - now).total_seconds())) if free_at > now else 0
