"""What a dashboard URL asks for: each filter component's value (`<id>=…`; a custom date range as `<id>=custom`
with `<id>-from` and `<id>-to`; absent: the component's default; empty: all) and a linkage click (`link-from`,
the clicked report, and `link-keys`, its member keys as JSON). The same parameters ride on drill-down links."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from engine.reports.board import choices, report_on_board
from engine.reports.dashboard import DashboardDef
from engine.reports.dashboard_filters import BadChoice, Choice
from engine.reports.model import ReportDef
from engine.reports.ranges import RANGE_SEP
from engine.workspace import Workspace

CUSTOM = "custom"
LINK_FROM, LINK_KEYS = "link-from", "link-keys"


@dataclass
class BoardState:
    raw: dict[str, str] = field(default_factory=dict)  # component id → value as the engine reads it
    chosen: list[Choice] = field(default_factory=list)
    refused: list[BadChoice] = field(default_factory=list)
    link: tuple[ReportDef, dict[str, Any]] | None = None

    def params(self, with_link: bool = True) -> list[tuple[str, str]]:
        """The state as query parameters (the refused values left out)."""
        items: list[tuple[str, str]] = []
        for key, value in self.raw.items():
            low, sep, high = value.partition(RANGE_SEP)
            if sep:
                items += [(key, CUSTOM), (f"{key}-from", low), (f"{key}-to", high)]
            else:
                items.append((key, value))
        if with_link and self.link is not None:
            items += [(LINK_FROM, self.link[0].id), (LINK_KEYS, self.link_json)]
        return items

    def query(self, with_link: bool = True) -> str:
        return urlencode(self.params(with_link))

    @property
    def link_json(self) -> str:
        return json.dumps(self.link[1], separators=(",", ":")) if self.link is not None else ""

    def value(self, component_id: str) -> str:
        return self.raw.get(component_id, "")


def read_board_state(ws: Workspace, board: DashboardDef, params: QueryParams) -> BoardState:
    """The state of a dashboard URL; values that cannot be read are refused one by one (the page names them)."""
    raw: dict[str, str] = {}
    for component in board.filters:
        if component.id not in params:
            if component.default:
                raw[component.id] = component.default
            continue
        value = params[component.id].strip()
        if value == CUSTOM:
            low, high = params.get(f"{component.id}-from", "").strip(), params.get(f"{component.id}-to", "").strip()
            value = f"{low}{RANGE_SEP}{high}" if low or high else ""
        if value:
            raw[component.id] = value
        else:
            raw[component.id] = ""
    state = BoardState()
    while True:
        try:
            state.chosen = choices(ws.records, board, raw)
            break
        except BadChoice as exc:
            state.refused.append(exc)
            raw[exc.component.id] = ""
    state.raw = {k: v for k, v in raw.items() if v or k in params}
    state.link = _link(ws, board, params)
    return state


def report_as_shown(ws: Workspace, board: DashboardDef, state: BoardState, report: ReportDef) -> tuple[ReportDef, bool]:
    """`report` as its box on the dashboard shows it: with the chosen filters and, when it is a target of the
    clicked report, the linkage; and whether the linkage applies. The page, drill-down and exports share it."""
    link = state.link if state.link is not None and report.id in board.targets_of(state.link[0].id) else None
    return report_on_board(ws.records, report, state.chosen, link), link is not None


def _link(ws: Workspace, board: DashboardDef, params: QueryParams) -> tuple[ReportDef, dict[str, Any]] | None:
    source = params.get(LINK_FROM, "")
    if not source or not board.targets_of(source) or source not in ws.definitions.reports:
        return None
    try:
        keys = json.loads(params.get(LINK_KEYS, "{}"))
    except ValueError:
        return None
    report = ws.definitions.reports[source]
    if not isinstance(keys, dict) or not keys or set(keys) - {d.id for d in report.dimensions}:
        return None
    if not all(v is None or isinstance(v, (str, int, float)) for v in keys.values()):
        return None
    return report, keys
