"""The query layer's limits (issue 12): search and "contains" terms at most MAX_TERM characters on every path
(records, the inbox, the mail log, the audit log), and page cursors checked against their sort keys' types."""

from __future__ import annotations

import pytest

from engine.audit import AuditFilter, list_audit
from engine.errors import QueryInvalid
from engine.mail.log import MessageFilter, list_messages_sql
from engine.records.model import Actor, Filter, Query
from engine.records.query import decode_cursor
from engine.records.terms import MAX_TERM, check_term
from engine.storage.database import read_transaction
from tests.fuzz import corpus

ADMIN = Actor(user_id=1, is_admin=True)


def test_a_term_at_the_limit_passes_and_one_more_character_is_refused() -> None:
    assert check_term("a" * MAX_TERM) == "a" * MAX_TERM
    with pytest.raises(QueryInvalid) as caught:
        check_term("a" * (MAX_TERM + 1))
    assert caught.value.error.code == "term_too_long"
    error = caught.value.error
    assert f"at most {MAX_TERM}" in error.message("en") and f"最多 {MAX_TERM}" in error.message("zh")


@pytest.mark.parametrize("query", [
    Query(search=corpus.LONG),
    Query(filters=(Filter("name", "contains", corpus.LONG),)),
    Query(filters=(Filter("name", "not_contains", corpus.LONG_WILDCARDS),)),
    Query(filters=(Filter("name", "starts", "a" * (MAX_TERM + 1)),)),
], ids=["search", "contains", "not_contains", "starts"])
def test_long_terms_are_refused_before_the_database_sees_them(shop, query: Query) -> None:  # type: ignore
    with pytest.raises(QueryInvalid) as caught:
        shop.records.list(ADMIN, "customer", query)
    assert caught.value.error.code == "term_too_long"


def test_the_audit_and_mail_logs_cap_their_terms(shop) -> None:  # type: ignore[no-untyped-def]
    with read_transaction(shop.engine) as conn, pytest.raises(QueryInvalid):
        list_audit(conn, AuditFilter(target=corpus.LONG))
    with pytest.raises(QueryInvalid):
        list_messages_sql(MessageFilter(search=corpus.LONG), 1, 50)
    with pytest.raises(QueryInvalid):
        shop.workflows.inbox(ADMIN, "todo", search=corpus.LONG)


@pytest.mark.parametrize("cursor", [c for c in corpus.CURSORS if c != corpus.cursor('["abc",5]')])  # that one is real
def test_a_forged_cursor_is_refused_as_a_stale_page_link(shop, cursor: str) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ADMIN, "customer", {"name": "华联电子"})
    with pytest.raises(QueryInvalid) as caught:
        shop.records.list(ADMIN, "customer", Query(sort=(("name", False),), after=cursor))
    assert caught.value.error.code == "bad_cursor"
    assert "first page" in caught.value.error.message("en")


def test_a_deeply_nested_cursor_does_not_recurse() -> None:
    with pytest.raises(QueryInvalid):
        decode_cursor(corpus.cursor(corpus.DEEP_CURSOR_JSON))
