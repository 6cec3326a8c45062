"""The designer's operations on report and dashboard documents: the YAML a person would write, only what changed
touched, refusals with reasons, and the draft's problems at their paths (engine/definitions/report_edits.py,
dashboard_edits.py)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest

from engine.definitions.dashboard_edits import new_dashboard_text
from engine.definitions.editing import EditError, edit_text
from engine.definitions.report_edits import new_report_text
from tests.conftest import add_user
from tests.engine.reports.conftest import FIXTURE, Sales, sales  # noqa: F401  (the fixture)

MONTHLY = (FIXTURE / "sales" / "reports" / "monthly.yaml").read_text(encoding="utf-8")
OVERVIEW = (FIXTURE / "sales" / "dashboards" / "overview.yaml").read_text(encoding="utf-8")
R, D = "sales/reports/monthly.yaml", "sales/dashboards/overview.yaml"


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_adding_a_dimension_and_a_measure_writes_one_line_each() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_add_dimension", "dimension": {"field": "client.industry"}})
    assert changed_lines(MONTHLY, text) == ["+  - {field: client.industry}"]
    after = edit_text(text, R, {"op": "report_add_measure", "measure": {"aggregate": "avg", "field": "amount"}, "at": 2})
    assert changed_lines(text, after) == ["+  - {id: avg_amount, aggregate: avg, field: amount}"]


def test_changing_removing_and_moving_touch_only_their_entry() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_change_dimension", "index": 0, "set": {"bucket": "quarter"}})
    assert changed_lines(MONTHLY, text) == ["-  - {id: month, field: closed_at, bucket: month}",
                                            "+  - {id: month, field: closed_at, bucket: quarter}"]
    text = edit_text(MONTHLY, R, {"op": "report_remove_measure", "index": 4})
    assert changed_lines(MONTHLY, text) == ['-  - {id: win_rate, formula: "won / (won + lost)", format: percent}']
    text = edit_text(MONTHLY, R, {"op": "report_move_dimension", "index": 1, "to": 0})
    assert text.index("{field: stage}") < text.index("{id: month")
    text = edit_text(MONTHLY, R, {"op": "report_change_measure", "index": 1, "set": {"format": "money"}})
    assert changed_lines(MONTHLY, text) == ["-  - {id: amount, aggregate: sum, field: amount}",
                                            "+  - {id: amount, aggregate: sum, field: amount, format: money}"]


def test_settings_and_chart() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_set", "set": {
        "filters": [{"op": "last_n_days", "field": "closed_at", "value": 365}], "limit": 10,
        "sort": [{"by": "amount", "desc": True}]}})
    assert "filters:\n  - {field: closed_at, op: last_n_days, value: 365}\ndimensions:" in text
    assert "sort:\n  - {by: amount, desc: true}\nlimit: 10\nchart:" in text
    text = edit_text(text, R, {"op": "report_set_chart", "type": "bar", "options": {"horizontal": True}})
    assert "-chart: {type: pivot, options: {columns: stage}}" in changed_lines(MONTHLY, text)
    assert text.endswith("chart: {type: bar, options: {horizontal: true}}\n")
    assert edit_text(text, R, {"op": "report_set_chart", "type": "bar"}) == text  # options kept when not given
    assert "limit" not in edit_text(text, R, {"op": "report_set", "set": {"limit": None}})


@pytest.mark.parametrize("op, message", [
    ({"op": "report_add_dimension", "dimension": {"bucket": "month"}}, "needs a field"),
    ({"op": "report_add_dimension", "dimension": {"field": "closed_at", "bucket": "hour"}}, "not a date bucket"),
    ({"op": "report_add_dimension", "dimension": {"field": "stage", "colour": 1}}, "unknown key"),
    ({"op": "report_add_measure", "measure": {"id": "deals", "aggregate": "count"}}, "already has"),
    ({"op": "report_change_measure", "index": 9, "set": {"format": "money"}}, "no measure at that position"),
    ({"op": "report_change_dimension", "index": 0, "unset": ["field"]}, "cannot be removed"),
    ({"op": "report_set", "set": {"form": None}}, "cannot be removed"),
    ({"op": "report_set", "set": {"limit": 0}}, "top N"),
    ({"op": "report_set", "set": {"chart": {}}}, "cannot be set here"),
])
def test_refused_operations_name_the_problem(op: dict[str, Any], message: str) -> None:
    with pytest.raises(EditError, match=message):
        edit_text(MONTHLY, R, op)


def test_a_draft_report_shows_each_problem_at_its_path(sales: Sales) -> None:  # noqa: F811
    ws = sales.ws
    user = add_user(ws, "designer")
    ws.drafts.open(R, user)
    ws.drafts.edit(R, user, {"op": "report_add_measure", "measure": {"aggregate": "sum", "field": "note"}})
    ws.drafts.edit(R, user, {"op": "report_set_chart", "type": "kpi", "options": {}})
    draft = ws.drafts.find(R, user)
    assert draft is not None
    found = {p.pointer: p.text("en") for p in ws.drafts.problems(draft)}
    assert "cannot take the sum of 'note'" in found["/measures/5/field"]
    assert "kpi chart needs 0 to 1 dimension" in found["/chart/type"]
    ws.drafts.undo(R, user)
    ws.drafts.undo(R, user)
    ws.drafts.edit(R, user, {"op": "report_remove_dimension", "index": 1})
    ws.drafts.edit(R, user, {"op": "report_set_chart", "type": "line", "options": {}})
    assert ws.drafts.plan(R, user).publishable
    ws.drafts.publish(R, user, "by month only")
    report = ws.definitions.reports["monthly"]
    assert [d.id for d in report.dimensions] == ["month"] and report.chart.type == "line"


def test_a_new_report_and_dashboard_publish(sales: Sales) -> None:  # noqa: F811
    ws = sales.ws
    user = add_user(ws, "designer")
    rpath, dpath = "sales/reports/by_stage.yaml", "sales/dashboards/mine.yaml"
    ws.drafts.create(rpath, user, new_report_text("by_stage", {"zh": "按阶段", "en": "By stage"}, "deal"))
    ws.drafts.edit(rpath, user, {"op": "report_add_dimension", "dimension": {"field": "stage"}})
    ws.drafts.edit(rpath, user, {"op": "report_set_chart", "type": "bar"})
    ws.drafts.publish(rpath, user, "new")
    ws.drafts.create(dpath, user, new_dashboard_text("mine", {"zh": "我的", "en": "Mine"}))
    ws.drafts.edit(dpath, user, {"op": "dashboard_add_item", "item": {"report": "by_stage"}})
    ws.drafts.edit(dpath, user, {"op": "dashboard_add_item", "item": {"text": {"zh": "注", "en": "Note"}}})
    ws.drafts.edit(dpath, user, {"op": "dashboard_place_item", "index": 0, "x": 2, "y": 1, "w": 10, "h": 5})
    ws.drafts.publish(dpath, user, "new")
    board = ws.definitions.dashboards["mine"]
    assert [(i.report, i.x, i.y, i.w, i.h) for i in board.items] == [("by_stage", 2, 1, 10, 5), (None, None, None, 6, 1)]
    assert ws.definitions.reports["by_stage"].chart.type == "bar"


def test_dashboard_operations_write_the_minimal_change() -> None:
    text = edit_text(OVERVIEW, D, {"op": "dashboard_place_item", "index": 1, "w": 8, "h": 5})
    assert changed_lines(OVERVIEW, text) == ["-  - {report: pipeline, w: 6, h: 4}", "+  - {report: pipeline, w: 8, h: 5}"]
    text = edit_text(OVERVIEW, D, {"op": "dashboard_place_item", "index": 2, "x": 0, "y": 3})
    assert changed_lines(OVERVIEW, text) == ["-  - {report: monthly, w: 6, h: 4}",
                                             "+  - {report: monthly, w: 6, h: 4, x: 0, y: 3}"]
    back = edit_text(text, D, {"op": "dashboard_move_item", "index": 2, "to": 0})
    assert "  - {report: monthly, w: 6, h: 4}\n  - {text:" in back
    text = edit_text(OVERVIEW, D, {"op": "dashboard_add_item", "item": {"report": "clients"}})
    assert changed_lines(OVERVIEW, text) == ["+  - {report: clients, w: 6, h: 3}"]
    text = edit_text(OVERVIEW, D, {"op": "dashboard_remove_link", "index": 0})
    assert "links" not in text and changed_lines(OVERVIEW, text) == ["-links:", "-  - {from: pipeline, to: [monthly, by_industry]}"]
    text = edit_text(OVERVIEW, D, {"op": "dashboard_change_filter", "index": 1, "set": {"label": {"zh": "销售", "en": "Rep"}}})
    assert changed_lines(OVERVIEW, text) == ["-  - {id: owner, type: owner, field: owner}",
                                             "+  - {id: owner, type: owner, field: owner, label: {zh: 销售, en: Rep}}"]
    text = edit_text(OVERVIEW, D, {"op": "dashboard_set", "set": {"roles": None}})
    assert changed_lines(OVERVIEW, text) == ["-roles: [manager]"]


@pytest.mark.parametrize("op, message", [
    ({"op": "dashboard_place_item", "index": 1, "w": 13}, "from 1 to 12"),
    ({"op": "dashboard_place_item", "index": 1, "x": 8, "w": 6}, "past the grid"),
    ({"op": "dashboard_place_item", "index": 9, "w": 3}, "no item at that position"),
    ({"op": "dashboard_add_item", "item": {"report": "a", "text": "b"}}, "a report or a text block"),
    ({"op": "dashboard_add_filter", "filter": {"id": "owner", "type": "owner", "field": "owner"}}, "already has"),
    ({"op": "dashboard_add_link", "link": {"from": "pipeline", "to": "monthly"}}, "list of reports"),
])
def test_refused_dashboard_operations(op: dict[str, Any], message: str) -> None:
    with pytest.raises(EditError, match=message):
        edit_text(OVERVIEW, D, op)


def test_a_draft_dashboard_names_a_link_cycle(sales: Sales) -> None:  # noqa: F811
    ws = sales.ws
    user = add_user(ws, "designer")
    ws.drafts.open(D, user)
    ws.drafts.edit(D, user, {"op": "dashboard_add_link", "link": {"from": "monthly", "to": ["pipeline"]}})
    draft = ws.drafts.find(D, user)
    assert draft is not None
    assert any("cycle" in p.text("en") and p.pointer.startswith("/links") for p in ws.drafts.problems(draft))


def test_filters_are_added_and_removed_one_by_one() -> None:
    text = edit_text(MONTHLY, R, {"op": "report_add_filter", "filter": {"op": "not_empty", "field": "amount"}})
    assert changed_lines(MONTHLY, text) == ["+filters:", "+  - {field: amount, op: not_empty}"]
    assert edit_text(text, R, {"op": "report_remove_filter", "index": 0}) == MONTHLY
