"""Spreadsheet wildcards in SEARCH, COUNTIF, MATCH and VLOOKUP: `?` one character, `*` any run, `~` escapes them.

A pattern is cut at its `*`s into pieces of fixed length; each piece is found at its earliest place in turn, which
is both correct (a piece found earlier leaves the most room for the next) and quick on hostile input — no
backtracking regular expression over 100 000 characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from engine.formulas.errors import VALUE, fail
from engine.i18n import zh_en

MAX_PATTERN = 255  # as Excel's criteria; keeps a hostile pattern over long text quick


@lru_cache(maxsize=256)
def pieces(wildcard: str) -> tuple[re.Pattern[str], ...]:
    """The pattern's pieces between `*`s, each a fixed-length expression ignoring case (`?` is any character)."""
    if len(wildcard) > MAX_PATTERN:
        raise fail(VALUE, zh_en(f"通配符模式超过 {MAX_PATTERN} 个字符", f"a wildcard pattern is longer than {MAX_PATTERN} "
                                                                   "characters"))
    found: list[str] = [""]
    i = 0
    while i < len(wildcard):
        ch = wildcard[i]
        if ch == "~" and i + 1 < len(wildcard) and wildcard[i + 1] in "?*~":
            found[-1] += re.escape(wildcard[i + 1])
            i += 2
            continue
        if ch == "*":
            found.append("")
        else:
            found[-1] += "." if ch == "?" else re.escape(ch)
        i += 1
    return tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in found)


def _rest(parts: tuple[re.Pattern[str], ...], text: str, at: int, end: int) -> bool:
    """True when the pieces occur in order, each at its earliest place, between `at` and `end`."""
    for part in parts:
        found = part.search(text, at, end)
        if found is None:
            return False
        at = found.end()
    return True


def matches(wildcard: str, text: str) -> bool:
    """True when the whole of `text` matches the wildcard pattern (COUNTIF's `"a*"`), ignoring case."""
    parts = pieces(wildcard)
    if len(parts) == 1:
        return parts[0].fullmatch(text) is not None
    head = parts[0].match(text)
    if head is None:
        return False
    tail = parts[-1]
    for start in _tail_starts(tail, text, head.end()):
        if _rest(parts[1:-1], text, head.end(), start):
            return True
    return False


def _tail_starts(tail: re.Pattern[str], text: str, earliest: int) -> list[int]:
    """Where the last piece can start so that it ends the text (it has a fixed length, so at most one place)."""
    start = len(text) - _width(tail)
    return [start] if start >= earliest and tail.fullmatch(text, start) else []


def _width(piece: re.Pattern[str]) -> int:
    """The number of characters a piece matches (each `.` or escaped character is one)."""
    return len(re.sub(r"\\(.)", r"\1", piece.pattern))


def has_wildcards(text: str) -> bool:
    """True when the text uses `?`, `*` or `~` (else it is matched as plain text)."""
    return any(ch in text for ch in "?*~")


def search(wildcard: str, text: str, start: int = 0) -> int:
    """The 0-based index of the first match of the pattern in `text` from `start`, or -1 (SEARCH)."""
    if not has_wildcards(wildcard):
        return text.casefold().find(wildcard.casefold(), start) if len(text) == len(text.casefold()) else \
            _plain(wildcard, text, start)
    parts = pieces(wildcard)
    if parts[0].pattern == "":
        return start if _rest(parts[1:], text, start, len(text)) else -1
    head = parts[0].search(text, start)
    if head is None:
        return -1
    return head.start() if _rest(parts[1:], text, head.end(), len(text)) else -1


def _plain(find: str, text: str, start: int) -> int:
    """Case-insensitive find where folding changes lengths (ß → ss): by expression, so indices stay the text's."""
    found = re.compile(re.escape(find), re.IGNORECASE).search(text, start)
    return found.start() if found else -1
