"""The dashboard designer's operations on filter components (kind, field, label, default, which reports they
filter) and text blocks (title and text): the YAML written, the definition built from it, refusals with reasons."""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions.editing import EditError, edit_text
from engine.reports.dashboard import build_dashboard
from engine.definitions.yamlsource import parse_yaml
from tests.engine.reports.conftest import Sales, sales  # noqa: F401  (the fixture)
from tests.engine.reports.test_report_edits import D, OVERVIEW, changed_lines
from tests.conftest import add_user


def test_a_component_added_by_kind_and_field_gets_its_id_from_the_field() -> None:
    text = edit_text(OVERVIEW, D, {"op": "dashboard_add_filter", "filter": {"type": "date_range", "field": "opened_on",
                                                                           "default": "this_month"}})
    assert changed_lines(OVERVIEW, text) == ["+  - {id: opened_on, type: date_range, field: opened_on, default: this_month}"]
    again = edit_text(text, D, {"op": "dashboard_add_filter", "filter": {"type": "owner", "field": "owner"}})
    assert "  - {id: owner_2, type: owner, field: owner}" in again  # "owner" is taken


def test_a_component_is_labelled_defaulted_and_left_off_some_reports() -> None:
    text = edit_text(OVERVIEW, D, {"op": "dashboard_change_filter", "index": 3, "set": {
        "label": {"zh": "阶段", "en": "Stage"}, "default": "won", "apply": {"clients": False, "monthly": "stage"}}})
    board = build_dashboard(parse_yaml(text, D), D).filters[3]
    assert board.label == {"zh": "阶段", "en": "Stage"} and board.default == "won"
    assert board.skips("clients") and board.field_for("clients") == "" and board.field_for("pipeline") == "stage"
    back = edit_text(text, D, {"op": "dashboard_change_filter", "index": 3, "unset": ["label", "default", "apply"]})
    again = build_dashboard(parse_yaml(back, D), D).filters[3]
    assert (again.label, again.default, dict(again.apply)) == (None, None, {})


def test_text_blocks_take_a_title_and_are_edited_in_place() -> None:
    text = edit_text(OVERVIEW, D, {"op": "dashboard_add_item", "item": {
        "title": {"zh": "说明", "en": "Notes"}, "text": {"zh": "第一行\n第二行", "en": "Line one\nline two"}}})
    item = build_dashboard(parse_yaml(text, D), D).items[-1]
    assert item.title == {"zh": "说明", "en": "Notes"} and item.text == {"zh": "第一行\n第二行", "en": "Line one\nline two"}
    changed = edit_text(OVERVIEW, D, {"op": "dashboard_change_item", "index": 0, "set": {
        "title": {"zh": "重点", "en": "Focus"}, "text": {"zh": "跟进", "en": "Follow up"}}})
    assert changed_lines(OVERVIEW, changed) == [
        "-  - {text: {zh: 本周重点:跟进大客户, en: \"This week: follow up key accounts\"}, w: 12, h: 1}",
        "+  - {title: {zh: 重点, en: Focus}, text: {zh: 跟进, en: Follow up}, w: 12, h: 1}"]
    untitled = edit_text(changed, D, {"op": "dashboard_change_item", "index": 0, "unset": ["title"]})
    assert "title" not in untitled


@pytest.mark.parametrize("op, message", [
    ({"op": "dashboard_add_filter", "filter": {"type": "colour", "field": "stage"}}, "unknown filter kind 'colour'"),
    ({"op": "dashboard_add_filter", "filter": {"type": "select"}}, "needs a field"),
    ({"op": "dashboard_change_filter", "index": 0, "set": {"apply": {"clients": 3}}}, "maps report ids"),
    ({"op": "dashboard_change_filter", "index": 9, "set": {"default": "x"}}, "no filter component at that position"),
    ({"op": "dashboard_change_item", "index": 1, "set": {"title": "Pipeline"}}, "a title is for text blocks"),
    ({"op": "dashboard_change_item", "index": 0, "set": {"text": {"zh": " ", "en": ""}}}, "needs some text"),
    ({"op": "dashboard_change_item", "index": 0, "set": {"w": 3}}, "only the text, the title or the report"),
    ({"op": "dashboard_add_item", "item": {"text": {"zh": "x"}, "title": 5}}, "title must be text"),
])
def test_refused_component_and_text_operations(op: dict[str, Any], message: str) -> None:
    with pytest.raises(EditError, match=message):
        edit_text(OVERVIEW, D, op)


def test_a_component_left_off_a_report_publishes_and_leaves_it_unfiltered(sales: Sales) -> None:  # noqa: F811
    ws = sales.ws
    user = add_user(ws, "designer")
    ws.drafts.open(D, user)
    ws.drafts.edit(D, user, {"op": "dashboard_change_filter", "index": 0, "set": {"apply": {"clients": False}}})
    draft = ws.drafts.find(D, user)
    assert draft is not None and ws.drafts.problems(draft) == []
    ws.drafts.publish(D, user, "period leaves clients alone")
    assert ws.definitions.dashboards["overview"].filters[0].skips("clients")
