"""A dashboard's state in words, in the viewer's language, for the head of its exports: each filter component
with a value ("成交时间:本月", "Department: East"), and the linkage ("Filtered by Pipeline: Won") with the clicked
members named as the clicked report shows them."""

from __future__ import annotations

from engine.i18n import text
from engine.reports.dataset import Dataset
from engine.reports.dashboard import DashboardDef
from engine.reports.run import ReportForbidden, run_report
from web.i18n import translator
from web.views.reports.access import Viewer
from web.views.reports.board_state import CUSTOM, BoardState, report_as_shown
from web.views.reports.filter_bar import filter_bar


def component_words(viewer: Viewer, board: DashboardDef, state: BoardState) -> list[str]:
    """"<label>: <chosen>" for each component with a value (an empty one means all and says nothing)."""
    t = translator(viewer.lang)
    found = []
    for component in filter_bar(viewer, board, state):
        if component.value == CUSTOM:
            chosen = f"{component.low or '…'} – {component.high or '…'}"
        elif component.value:
            chosen = dict(component.choices).get(component.value, component.value).strip()
        else:
            continue
        found.append(t("board_filter_word").format(name=component.label, value=chosen))
    return found


def link_words(viewer: Viewer, state: BoardState, source: Dataset | None) -> str:
    """"Filtered by <report>: <members>" for a linkage click ("" without one); `source` is the clicked report's
    dataset as its box shows it (its members' labels), when at hand."""
    if state.link is None:
        return ""
    report, keys = state.link
    names: list[str] = []
    if source is not None:
        n = len(source.dimensions)
        for row in source.rows:
            members = {c.key: m for c, m in zip(source.dimensions, row[:n])}
            if all(k in members and members[k].key == v for k, v in keys.items()):
                names = [text(members[k].label, viewer.lang) or str(v) for k, v in keys.items()]
                break
    shown = " / ".join(names or [str(v) for v in keys.values()])
    return translator(viewer.lang)("link_filtered_by").format(name=f"{text(report.label, viewer.lang)}: {shown}")


def board_words(viewer: Viewer, board: DashboardDef, state: BoardState, linked: bool = True) -> list[str]:
    """The components' words, then (when `linked`) the linkage's, the clicked report run as the viewer sees it
    on the dashboard to name its members."""
    words = component_words(viewer, board, state)
    if linked and state.link is not None:
        try:
            source = run_report(viewer.ws.records, viewer.actor, report_as_shown(viewer.ws, board, state,
                                                                                 state.link[0])[0])
        except ReportForbidden:
            source = None
        words.append(link_words(viewer, state, source))
    return words
