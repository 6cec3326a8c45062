"""Where each item of a dashboard's grid lands (as the page's CSS grid places it: explicit x/y first, the others
flowing into the first free cells, rows filled densely) and the items in reading order — row, then column — for
a document that lays them out one after another (the dashboard's PDF)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.reports.dashboard import GRID_COLUMNS, DashboardItem

MAX_ROWS = 1000  # a bound on the search for a free place (a dashboard has at most 60 items of height ≤ 20)


def _fits(taken: set[tuple[int, int]], row: int, col: int, w: int, h: int) -> bool:
    return col + w <= GRID_COLUMNS and all((r, c) not in taken for r in range(row, row + h)
                                           for c in range(col, col + w))


def _place(taken: set[tuple[int, int]], item: DashboardItem) -> tuple[int, int]:
    w, h = max(1, min(item.w, GRID_COLUMNS)), max(1, item.h)
    rows = [item.y] if item.y is not None else range(MAX_ROWS)
    cols = [min(item.x, GRID_COLUMNS - w)] if item.x is not None else range(GRID_COLUMNS - w + 1)
    spot = next(((r, c) for r in rows for c in cols if _fits(taken, r, c, w, h)), None)
    if spot is None:  # an explicit place that overlaps another: the browser overlaps them too
        spot = (item.y if item.y is not None else 0, item.x if item.x is not None else 0)
    taken.update((r, c) for r in range(spot[0], spot[0] + h) for c in range(spot[1], spot[1] + w))
    return spot


def grid_places(items: Sequence[DashboardItem]) -> list[tuple[int, int]]:
    """Each item's (row, column), in the items' order: those with both x and y first, then the rest in order."""
    taken: set[tuple[int, int]] = set()
    places: dict[int, tuple[int, int]] = {}
    fixed = [i for i, it in enumerate(items) if it.x is not None and it.y is not None]
    for i in fixed + [i for i in range(len(items)) if i not in fixed]:
        places[i] = _place(taken, items[i])
    return [places[i] for i in range(len(items))]


def reading_order(items: Sequence[DashboardItem]) -> list[DashboardItem]:
    """The items sorted by where they land: row, then column."""
    places = grid_places(items)
    return [items[i] for i in sorted(range(len(items)), key=lambda i: places[i])]
