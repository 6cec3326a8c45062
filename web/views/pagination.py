"""Numbered pages of a record list: page sizes, which page numbers the pager shows, and where numbering stops.

A numbered page is read with an OFFSET, which makes the database walk every row before it; past MAX_OFFSET rows
the list goes on with the keyset cursor ("next page" only), which costs the same on any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.records.query import MAX_OFFSET

if TYPE_CHECKING:
    from web.views.liststate import ListState

PAGE_SIZES = (20, 50, 100)
DEFAULT_SIZE = PAGE_SIZES[0]
AROUND = 2  # page numbers shown on each side of the current one


def last_numbered(size: int) -> int:
    """The last page a number can reach with this page size (its offset is at most MAX_OFFSET)."""
    return MAX_OFFSET // size + 1


def page_count(total: int, size: int) -> int:
    """Pages of `size` rows that `total` rows fill (at least one)."""
    return max(1, -(-total // size))


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page numbers to show: the first, the last, and those around the current one; None where some are left
    out (shown as "…"). E.g. page 6 of 20 → 1 … 4 5 6 7 8 … 20."""
    shown = sorted({1, last, *range(max(1, current - AROUND), min(last, current + AROUND) + 1)})
    found: list[int | None] = []
    for number in shown:
        if found and number - (found[-1] or 0) > 1:
            found.append(None)
        found.append(number)
    return found


@dataclass(frozen=True)
class PageLink:
    """One entry of the pager: a page number with its URL (None for the gap "…"), and whether it is the one shown."""

    number: int | None
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pager:
    """What the pager of a list shows: numbered links, previous / next, sizes, and the note on deep pages."""

    links: list[PageLink]
    prev_url: str | None
    next_url: str | None
    first_url: str | None  # on a page reached by cursor: back to numbered pages
    sizes: list[tuple[int, str, bool]]  # (size, URL, chosen)
    capped: int | None  # the last numbered page, when the list goes on past it by cursor
    by_cursor: bool  # this page was reached by cursor: its number is not known


def build_pager(state: ListState, base: str, total: int, next_cursor: str | None, exact: bool = True) -> Pager:
    """The pager of a list page: numbers up to the last page an offset reaches, then "next" by cursor. A total
    counted only up to its cap (`exact` False, "10,000+") has more rows than it says: the numbers go as far as rows
    are known to be (and the page shown), and "next" follows while the page says more come."""
    size = state.size
    pages = page_count(total, size) if exact else max(page_count(total + 1, size), state.page)
    reachable = min(pages, last_numbered(size))
    capped = reachable if pages > reachable or (not exact and reachable == last_numbered(size)) else None
    sizes = [(n, state.url(base, size=n), n == size) for n in PAGE_SIZES]
    by_cursor = state.url(base, after=next_cursor) if next_cursor else None
    if state.after:
        return Pager([], None, by_cursor, state.url(base), sizes, capped, True)
    links = [PageLink(n, state.url(base, page=n), n == state.page) if n else PageLink(None)
             for n in page_numbers(state.page, reachable)]
    prev_url = state.url(base, page=state.page - 1) if state.page > 1 else None
    next_url = state.url(base, page=state.page + 1) if state.page < reachable else by_cursor if capped else None
    if not exact and next_cursor and state.page < last_numbered(size):
        next_url = state.url(base, page=state.page + 1)
    return Pager(links, prev_url, next_url, None, sizes, capped, False)
