"""Sign-in throttling per account and per address, with a clock the test moves; every attempt is audited."""

from __future__ import annotations

from datetime import timedelta

from engine.audit import AuditFilter, list_audit
from engine.org.signin import ACCOUNT_LIMIT, ADDRESS_LIMIT, sign_in
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user

PASSWORD = "correct horse 1"


def attempt(ws, clock, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    with write_transaction(ws.engine) as conn:
        return sign_in(conn, username, password, address, clock.now)


def test_an_account_waits_after_too_many_failures(shop, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(ACCOUNT_LIMIT):
        assert attempt(shop, clock, "alice", "wrong").refused == "wrong"
    blocked = attempt(shop, clock, "alice", PASSWORD)
    assert blocked.refused == "throttled" and 800 < blocked.retry_after <= 900
    assert attempt(shop, clock, "ALICE ", PASSWORD).refused == "throttled"  # same account, other spelling
    clock.now += timedelta(minutes=16)
    assert attempt(shop, clock, "alice", PASSWORD).user is not None
    assert attempt(shop, clock, "alice", "wrong").refused == "wrong"  # a success starts the count afresh
    assert attempt(shop, clock, "alice", PASSWORD).user is not None


def test_an_address_waits_after_failures_across_accounts(shop, clock) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "bob")
    for i in range(ADDRESS_LIMIT):
        attempt(shop, clock, f"guess{i}", "wrong", address="10.9.9.9")
    assert attempt(shop, clock, "bob", PASSWORD, address="10.9.9.9").refused == "throttled"
    assert attempt(shop, clock, "bob", PASSWORD, address="10.0.0.2").user is not None
    with read_transaction(shop.engine) as conn:
        entries = list_audit(conn, AuditFilter(actions=("sign_in_failed",), limit=100))
        assert len(entries) == ADDRESS_LIMIT + 1 and entries[0]["detail"] == {"reason": "throttled"}
        assert list_audit(conn, AuditFilter(actions=("sign_in",)))[0]["address"] == "10.0.0.2"
