"""Layout edits write the YAML a person would: adding a field touches only the lines it changes — rows, sections and
tabs written in flow style stay in flow style, block lists stay block, comments stay on their line."""

from __future__ import annotations

import difflib

from engine.definitions.editing import edit_text, new_form_text
from engine.definitions.loader import load_sources

FIELDS = ("form: f\nlabel: F\nfields:\n  - {id: a, type: text, label: A}\n  - {id: b, type: text, label: B}\n"
          "  - {id: c, type: text, label: C}\n")


def added(text: str, layout: list[object]) -> list[str]:
    """The changed lines (+/-) after adding a text field placed by `layout` (`__new__` marks the new field)."""
    out = edit_text(text, "a/forms/f.yaml", {"op": "add_field", "field": {"id": "d", "type": "text", "label": "D"},
                                             "layout": layout})
    return [line.rstrip("\n") for line in difflib.unified_diff(text.splitlines(True), out.splitlines(True), n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


NEW_FIELD = "+  - {id: d, type: text, label: D}"


def test_adding_a_field_to_a_flow_style_layout_adds_only_the_new_field() -> None:
    text = FIELDS + "layout: [[a, b], [c]]\n"
    assert added(text, [["a", "b"], ["c"], ["__new__"]]) == [
        "-layout: [[a, b], [c]]", NEW_FIELD, "+layout: [[a, b], [c], [d]]"]


def test_adding_a_field_below_flow_rows_adds_one_line() -> None:
    text = FIELDS + "layout:\n  - [a, b]  # the pair\n  - [c]\n"
    assert added(text, [["a", "b"], ["c"], ["__new__"]]) == [NEW_FIELD, "+  - [d]"]


def test_adding_a_field_to_one_section_leaves_the_others_as_written() -> None:
    text = FIELDS + ("layout:\n  - section: One\n    rows: [[a, b]]\n  - section: Two\n    rows:\n      - [c]\n"
                     "  - {section: Three, rows: []}\n")
    assert added(text, [{"section": "One", "rows": [["a", "b"]]}, {"section": "Two", "rows": [["c"], ["__new__"]]},
                        {"section": "Three", "rows": []}]) == [NEW_FIELD, "+      - [d]"]
    assert added(text, [{"section": "One", "rows": [["a", "b"], ["__new__"]]}, {"section": "Two", "rows": [["c"]]},
                        {"section": "Three", "rows": []}]) == [
        NEW_FIELD, "-    rows: [[a, b]]", "+    rows: [[a, b], [d]]"]


def test_adding_a_field_inside_a_tab_changes_only_that_tab_row() -> None:
    text = FIELDS + ("layout:\n  - [a]\n  - tab: T1\n    layout:\n      - [b]\n"
                     "  - {tab: T2, layout: [[c]]}\n")
    assert added(text, [["a"], {"tab": "T1", "layout": [["b", "__new__"]]}, {"tab": "T2", "layout": [["c"]]}]) == [
        NEW_FIELD, "-      - [b]", "+      - [b, d]"]


def test_a_blank_new_form_has_its_field_in_the_layout() -> None:
    text = new_form_text("lead", {"zh": "线索", "en": "Lead"})
    assert text.endswith("fields:\n  - {id: name, type: text, label: {zh: 名称, en: Name}}\nlayout:\n  - [name]\n")
    result = load_sources({"a/app.yaml": "app: a\nlabel: A\nforms: [lead]\n", "a/forms/lead.yaml": text})
    assert not result.problems
    assert result.definitions.form("lead").layout == (("name",),)
