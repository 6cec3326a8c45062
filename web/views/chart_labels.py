"""A flow chart node's label fitted to its box: wrapped on words (Chinese anywhere) into lines, in a smaller type
when it needs more lines than the box holds at the usual size; never cut (the tooltip keeps the whole text too).

Widths are estimates of the interface font (a Chinese character is as wide as the type is high; Latin letters about
0.6 of it, capitals and digits a little more), on the safe side: a label measured here fits its box in the browser.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SIZES = (13, 12, 11, 10)  # px, the usual size first
LINE = 1.2  # line height, in sizes
PADDING = 10  # px kept free on each side of the box (more for a condition's slanted ends)


@dataclass(frozen=True)
class Fitted:
    """The label's lines, their type size and the baseline of the first line (from the box's top)."""

    lines: tuple[str, ...]
    size: int
    first: float
    note: float  # baseline of the note under the label (when there is one)


def char_width(ch: str, size: float) -> float:
    """An estimate of a character's width at `size` px, bold."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return size * 1.02
    if ch == " ":
        return size * 0.3
    if ch.isupper() or ch.isdigit() or ch in "mwMW@%&":
        return size * 0.78
    if ch in "iljt.,:;'!|()[]":
        return size * 0.36
    return size * 0.62


def text_width(value: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in value)


def _pieces(value: str) -> list[str]:
    """Words to wrap on: Latin words with the space after them, each wide (Chinese) character alone."""
    pieces: list[str] = []
    for ch in value:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide or not pieces or pieces[-1].endswith(" ") or _is_wide(pieces[-1][-1]):
            pieces.append(ch)
        else:
            pieces[-1] += ch
    return pieces


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def wrap(value: str, width: float, size: float) -> list[str]:
    """Greedy lines of at most `width` px; a word longer than a line is split between its letters."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(value.strip()):
        if text_width((line + piece).rstrip(), size) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = ""
        while text_width(piece.rstrip(), size) > width:  # a word wider than the box: split it
            cut = max(1, max(n for n in range(1, len(piece) + 1) if text_width(piece[:n], size) <= width or n == 1))
            lines.append(piece[:cut])
            piece = piece[cut:]
        line = piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def fit(label: str, box_w: float, box_h: float, note: bool, slanted: bool = False) -> Fitted:
    """The label's lines at the largest size whose lines fit the box (above the note when there is one)."""
    width = box_w - 2 * PADDING - (28 if slanted else 0)
    note_h = 16 if note else 0
    for size in SIZES:
        lines = wrap(label, width, size)
        if len(lines) * size * LINE + note_h <= box_h - 6:
            break
    block = len(lines) * size * LINE + note_h
    top = (box_h - block) / 2
    first = top + size * LINE * 0.5 + size * 0.35  # the middle of the first line, moved down to its baseline
    return Fitted(tuple(lines), size, round(first, 1), round(top + len(lines) * size * LINE + 12, 1))
