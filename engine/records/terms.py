"""The longest search or "contains" term a query takes: LIKE patterns grow with the term, and SQLite refuses
patterns over 50,000 bytes ("LIKE or GLOB pattern too complex"), so every path caps them here, well below."""

from __future__ import annotations

from engine.errors import QueryInvalid

MAX_TERM = 200  # characters; documented in docs/security.md


def check_term(term: str) -> str:
    """The term itself when it is at most MAX_TERM characters; QueryInvalid saying the limit otherwise."""
    if len(term) > MAX_TERM:
        raise QueryInvalid("term_too_long", max=MAX_TERM, length=len(term))
    return term
