"""Cells of the HTML charts (table, pivot, KPI): text to show, whether it is a number, the drill-down keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    keys: dict[str, Any] | None = None  # clicking the cell selects these (None: not clickable)
    colspan: int = 1
    rowspan: int = 1
    color: str | None = None  # a select option's colour, shown as a dot
    measure: str | None = None  # the measure a number cell shows (drill-down applies that measure's own filter)

    @property
    def keys_json(self) -> str:
        return json.dumps(self.keys, ensure_ascii=False, separators=(",", ":")) if self.keys is not None else ""


@dataclass(frozen=True)
class Line:
    """A row of cells; `kind` is "row", "subtotal" or "total" (for the style and for xlsx exports)."""

    cells: list[Cell]
    kind: str = "row"
    level: int = 0
