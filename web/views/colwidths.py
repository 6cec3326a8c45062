"""Column widths of a record list as the URL (and a saved view) keeps them: `w=name:180,grade:96`, in pixels."""

from __future__ import annotations

MIN_WIDTH = 48  # narrower and a header can no longer be read or grabbed again
MAX_WIDTH = 1200  # wider than a laptop screen is a slip of the mouse, not a wish
DEFAULT_WIDTH = 160  # a column without a width of its own, once the table is laid out by widths
WIDTH_PROBLEM = "list_width_bad"


def read_widths(raw: str, known: frozenset[str]) -> tuple[tuple[tuple[str, int], ...], bool]:
    """(field id, pixels) pairs of a `w` parameter and whether it was refused: a refused one (an unknown column, a
    width that is no whole number between MIN_WIDTH and MAX_WIDTH, a column named twice) keeps no widths at all."""
    if not raw:
        return (), False
    found: dict[str, int] = {}
    for item in raw.split(","):
        name, _, number = item.strip().partition(":")
        if name not in known or name in found or not number.isdigit() or len(number) > 5:
            return (), True
        if not MIN_WIDTH <= int(number) <= MAX_WIDTH:
            return (), True
        found[name] = int(number)
    return tuple(found.items()), False


def widths_param(widths: tuple[tuple[str, int], ...]) -> str:
    """The `w` parameter of some widths ('' for none)."""
    return ",".join(f"{name}:{px}" for name, px in widths)


def table_widths(widths: tuple[tuple[str, int], ...], shown: list[str]) -> tuple[list[int], int]:
    """Each shown column's width (DEFAULT_WIDTH where none is kept) and their sum, for a table laid out by widths."""
    kept = dict(widths)
    each = [kept.get(name, DEFAULT_WIDTH) for name in shown]
    return each, sum(each)
