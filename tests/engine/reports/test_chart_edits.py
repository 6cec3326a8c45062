"""The designer's operations on a report's chart options: a pivot's layout (rows, columns, subtotals, totals), a
dual-axis chart's axes and drawings, and any chart's switches and numbers — written under chart.options with the
other options kept, and refused with reasons (engine/definitions/chart_edits.py)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions.editing import EditError, edit_text
from engine.definitions.yamlsource import parse_yaml
from engine.reports.model import build_report
from tests.engine.reports.test_report_edits import MONTHLY, R, changed_lines


def chart_of(text: str) -> Any:
    return build_report(parse_yaml(text, R), R).chart


def test_a_pivot_layout_is_written_with_the_other_options_kept() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_set_pivot", "rows": ["stage"], "columns": ["month"],
                                  "subtotals": False, "totals": True})
    assert changed_lines(MONTHLY, text) == [
        "-chart: {type: pivot, options: {columns: stage}}",
        "+chart: {type: pivot, options: {columns: month, rows: [stage], subtotals: false}}"]
    back = edit_text(text, R, {"op": "report_set_pivot", "subtotals": True})
    assert dict(chart_of(back).options) == {}  # no layout given: the default split; on is the default


def test_dual_axis_sides_and_drawings() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_remove_dimension", "index": 1})
    text = edit_text(text, R, {"op": "report_set_chart", "type": "dual_axis", "options": {}})
    text = edit_text(text, R, {"op": "report_set_axes", "left": ["amount"], "right": ["deals", "win_rate"],
                               "series": {"amount": "bar", "win_rate": "area"}})
    assert dict(chart_of(text).options) == {"left": ["amount"], "right": ["deals", "win_rate"],
                                            "series": {"win_rate": "area"}}  # bar on the left is the default
    again = edit_text(text, R, {"op": "report_set_axes", "left": ["amount"], "right": ["deals", "win_rate"]})
    assert "series" not in dict(chart_of(again).options)


def test_switches_and_numbers_keep_the_layout() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_set_options", "set": {"show_values": True, "totals": False}})
    assert dict(chart_of(text).options) == {"columns": "stage", "show_values": True}


@pytest.mark.parametrize("op, message", [
    ({"op": "report_set_pivot", "rows": ["stage"], "columns": ["stage"]}, "not both"),
    ({"op": "report_set_pivot", "rows": ["nothing"], "columns": ["month"]}, "'nothing' is not a dimension"),
    ({"op": "report_set_pivot", "rows": ["stage", "month"]}, "at least one row and one column"),
    ({"op": "report_set_pivot", "totals": "yes"}, "on or off"),
    ({"op": "report_set_axes", "left": ["amount"], "right": ["deals"]}, "for a dual axis chart"),
    ({"op": "report_set_options", "set": {"columns": 3}}, "not a switch or number"),
    ({"op": "report_set_options", "set": {"show_values": 3}}, "wrong kind of value"),
])
def test_refused_chart_operations(op: dict[str, Any], message: str) -> None:
    with pytest.raises(EditError, match=message):
        edit_text(MONTHLY, R, op)


def test_refused_axes() -> None:
    text = edit_text(edit_text(MONTHLY, R, {"op": "report_remove_dimension", "index": 1}), R,
                     {"op": "report_set_chart", "type": "dual_axis", "options": {}})
    for op, message in [({"left": ["amount"], "right": []}, "each axis"),
                        ({"left": ["amount"], "right": ["amount"]}, "one axis, not both"),
                        ({"left": ["amount"], "right": ["deals"], "series": {"deals": "pie"}}, "not a drawing"),
                        ({"left": ["ghost"], "right": ["deals"]}, "'ghost' is not a measure")]:
        with pytest.raises(EditError, match=message):
            edit_text(text, R, {"op": "report_set_axes", **op})
