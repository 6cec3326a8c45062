"""The filter components drawn above a dashboard's grid: for each, its label, its choices in the viewer's language
and the current value. One builder per component type (templates/reports/filter_<type>.html draws it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import I18n, text
from engine.org.departments import department_name, department_tree
from engine.org.users import list_users
from engine.records.paths import FieldPath, resolve_path
from engine.reports.dashboard import DashboardDef, FilterComponent
from engine.reports.ranges import RANGE_SEP, RELATIVE
from web.i18n import translator
from web.views.reports.access import Viewer
from web.views.reports.board_state import CUSTOM, BoardState


@dataclass
class Component:
    id: str
    type: str
    label: str
    value: str  # the chosen choice ("" for all)
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    low: str = ""  # a custom range's first and last day
    high: str = ""

    @property
    def template(self) -> str:
        return f"reports/filter_{self.type}.html"


def _path(viewer: Viewer, board: DashboardDef, component: FilterComponent) -> FieldPath | None:
    """The component's field in the first report on the board whose form has it."""
    for rid in board.report_ids():
        report = viewer.ws.definitions.reports.get(rid)
        if report is not None and report.form in viewer.ws.definitions.forms:
            path = resolve_path(viewer.ws.records.runtime(report.form), component.field_for(rid))
            if path is not None:
                return path
    return None


def _date_range(viewer: Viewer, component: Component, path: FieldPath | None, conn: Any) -> None:
    t = translator(viewer.lang)
    component.choices = [(name, text(label, viewer.lang)) for name, (label, _) in RELATIVE.items()]
    component.choices.append((CUSTOM, t("filter_custom")))
    low, sep, high = component.value.partition(RANGE_SEP)
    if sep:
        component.value, component.low, component.high = CUSTOM, low, high


def _owner(viewer: Viewer, component: Component, path: FieldPath | None, conn: Any) -> None:
    people = [(str(u["id"]), str(u["display_name"])) for u in list_users(conn) if u["active"]]
    component.choices = [("$me", translator(viewer.lang)("filter_me")), *people]


def _department(viewer: Viewer, component: Component, path: FieldPath | None, conn: Any) -> None:
    component.choices = [(str(d.id), "\u00a0\u00a0" * d.depth + department_name(d, viewer.lang))
                         for d in department_tree(conn)]


def _select(viewer: Viewer, component: Component, path: FieldPath | None, conn: Any) -> None:
    members = path.ftype.members(path.field) if path is not None else []
    component.choices = [(str(value), text(label, viewer.lang)) for value, label, _ in members]


BUILDERS: dict[str, Callable[[Viewer, Component, FieldPath | None, Any], None]] = {
    "date_range": _date_range, "owner": _owner, "department": _department, "select": _select,
}


def filter_bar(viewer: Viewer, board: DashboardDef, state: BoardState) -> list[Component]:
    found = []
    with viewer.ws.reading() as conn:
        for c in board.filters:
            path = _path(viewer, board, c)
            fallback: I18n = path.field.label if path is not None else c.id
            component = Component(c.id, c.type, text(c.label or fallback, viewer.lang), state.value(c.id))
            BUILDERS[c.type](viewer, component, path, conn)
            found.append(component)
    return found
