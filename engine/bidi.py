"""Bidirectional text made safe to show: user text cannot reorder what surrounds it, nor itself.

A right-to-left override (U+202E) makes `\\u202egnp.exe` read as "exe.png"; an unclosed embedding or isolate runs on
into the text around it. Shown text therefore (1) loses the power to override: embeddings and overrides become the
isolates of the same direction (letters then show in the order they were typed, while right-to-left text keeps its
direction), (2) has its isolates balanced (a close without an opening is dropped, openings left open are closed),
and (3) is wrapped in an isolate of its own, left-to-right or right-to-left after its first strong letter (a mark
cannot choose it, as it could for FSI). Marks (LRM, RLM, ALM) stay: they only place neutral characters.

Text without a bidirectional control is returned as it is. Stored data never changes: this is for display
(pages, exports, email), not for JSON, which is data.
"""

from __future__ import annotations

import re
import unicodedata

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM
CONTROLS = frozenset(LRE + RLE + PDF + LRO + RLO + LRI + RLI + FSI + PDI + MARKS)
FOUND = re.compile("[" + "".join(sorted(CONTROLS)) + "]")
TO_ISOLATES = str.maketrans({LRE: LRI, LRO: LRI, RLE: RLI, RLO: RLI, PDF: PDI})
OPENERS = frozenset(LRI + RLI + FSI)
RIGHT_TO_LEFT = frozenset(("R", "AL"))


def has_controls(value: str) -> bool:
    """Whether the text holds a bidirectional control character."""
    return FOUND.search(value) is not None


def without_overrides(value: str) -> str:
    """The text with its embeddings and overrides turned into isolates of the same direction."""
    return value.translate(TO_ISOLATES)


def balanced(value: str) -> str:
    """The text with every isolate closed and no close left without its opening."""
    depth, kept = 0, []
    for ch in value:
        if ch in OPENERS:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return "".join(kept) + PDI * depth


def direction(value: str) -> str:
    """'rtl' when the first strong letter (controls and marks aside) is right-to-left, else 'ltr'."""
    for ch in value:
        if ch in CONTROLS:
            continue
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in RIGHT_TO_LEFT:
            return "rtl"
    return "ltr"


def isolated(value: str) -> str:
    """The text as it is safe to show beside other text (unchanged when it holds no bidirectional control)."""
    if not has_controls(value):
        return value
    inner = balanced(without_overrides(value))
    return (RLI if direction(inner) == "rtl" else LRI) + inner + PDI


def without_controls(value: str) -> str:
    """The text with every bidirectional control removed (for names that must mean what they show)."""
    return FOUND.sub("", value)
